"""English text frontend: normalisation, grapheme-to-phoneme conversion and chunking."""

from .frontend import Chunk, TextFrontend
from .g2p import G2P
from .normalize import normalize
from .symbols import SYMBOLS

# the frontend of each language an acoustic model may declare in its weights file (tts.models)
FRONTENDS: dict[str, type[TextFrontend]] = {TextFrontend.language: TextFrontend}

__all__ = ["FRONTENDS", "G2P", "SYMBOLS", "Chunk", "TextFrontend", "normalize"]
