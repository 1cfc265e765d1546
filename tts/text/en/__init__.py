"""English (US): normalisation, grapheme-to-phoneme conversion (CMUdict, then a learned model for other words),
ARPAbet symbols and chunking."""

from .frontend import Chunk, TextFrontend
from .g2p import G2P
from .normalize import normalize
from .symbols import SYMBOLS

__all__ = ["G2P", "SYMBOLS", "Chunk", "TextFrontend", "normalize"]
