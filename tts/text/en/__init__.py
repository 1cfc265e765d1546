"""English (US): normalisation, grapheme-to-phoneme conversion (CMUdict + letter-to-sound rules), ARPAbet
symbols and chunking."""

from .frontend import Chunk, TextFrontend
from .g2p import G2P
from .normalize import normalize
from .symbols import SYMBOLS

__all__ = ["G2P", "SYMBOLS", "Chunk", "TextFrontend", "normalize"]
