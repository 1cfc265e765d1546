"""The phoneme inventory shared by the text frontend and the acoustic model.

ARPAbet as used by the CMU Pronouncing Dictionary: 15 vowels carrying a lexical stress digit
(0 none, 1 primary, 2 secondary) and 24 consonants, plus a word boundary, punctuation kept as
prosody tokens, and padding / sentence-boundary markers. The order is part of the trained
acoustic model: append new symbols at the end, never reorder.
"""

PAD = "_"
BOS = "^"
EOS = "$"
WORD_BOUNDARY = " "
PUNCTUATION = [",", ".", "!", "?", ";", ":", "-", "…"]
VOWELS = ["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]
CONSONANTS = [
    "B", "CH", "D", "DH", "F", "G", "HH", "JH", "K", "L", "M", "N",
    "NG", "P", "R", "S", "SH", "T", "TH", "V", "W", "Y", "Z", "ZH",
]
PHONES = [v + s for v in VOWELS for s in "012"] + CONSONANTS

SYMBOLS: list[str] = [PAD, BOS, EOS, WORD_BOUNDARY] + PUNCTUATION + PHONES
SYMBOL_TO_ID: dict[str, int] = {s: i for i, s in enumerate(SYMBOLS)}
PAD_ID = SYMBOL_TO_ID[PAD]


def to_ids(symbols: list[str]) -> list[int]:
    """Map symbols to integer ids; raises KeyError on a symbol outside the inventory."""
    return [SYMBOL_TO_ID[s] for s in symbols]
