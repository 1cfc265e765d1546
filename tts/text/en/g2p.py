"""Grapheme-to-phoneme conversion for English words.

Lookup order: user lexicon, the CMU Pronouncing Dictionary (first pronunciation of each word),
then for unknown words: possessives and hyphenated parts, suffix stripping down to a known word, and
finally the learned grapheme-to-phoneme model (g2p_model), loaded on the first word that needs it; a word
of more than 20 letters is first cut in two. Prefix and compound splitting are not tried: on held-out
dictionary words they lose to the model, while a known stem with its suffix beats it (tts.train.g2p has
the numbers).

The dictionary ships with this package as ``data/cmudict.bin`` under its own BSD-2-Clause-style
licence (``data/CMUDICT_LICENSE``). That file is derived from ``cmudict.dict`` of the CMU Pronouncing
Dictionary (https://github.com/cmusphinx/cmudict): one ``word phones`` line per word, first pronunciation
only, comments dropped, sorted by the UTF-8 bytes of the word, in blocks of 256 lines, each compressed
on its own with zlib (0.9 MB instead of 3.3 MB of text). The file is a header line ``cmudict-zlib-blocks
BLOCKS INDEX_BYTES``, then the index, one ``first-word offset`` line per block (the offset of its
compressed bytes after the index), then the blocks. A lookup reads only the header and the index (of the
memory-mapped file, once per process), finds the word's block by binary search on the index and
decompresses that block alone; the last 64 blocks used stay decompressed. Regenerate the file with
``python -m tts.text.en.build_cmudict path/to/cmudict.dict``.
"""

import mmap
import re
import unicodedata
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tts.errors import InvalidInput

from .symbols import PHONES

if TYPE_CHECKING:
    from .g2p_model import G2PModel

PHONE_SET = frozenset(PHONES)
_MAX_ANALYSED_LENGTH = 30  # longer "words" skip the suffix analysis
_MAX_MODEL_LETTERS = 20  # the model reads longer words poorly (CMUdict has few): they are cut in two first
_VOWEL_LETTERS = frozenset("aeiouy")
_SIBILANT_END = {"S", "Z", "SH", "ZH", "CH", "JH"}
_VOICELESS_END = {"P", "T", "K", "F", "TH"}
_NOT_LETTERS = re.compile(r"[^a-z'-]")


CMUDICT_FILE = Path(__file__).parent / "data" / "cmudict.bin"
CMUDICT_MAGIC = b"cmudict-zlib-blocks"


@cache
def _model() -> "G2PModel":
    """The learned model, loaded once per process on the first word that needs it."""
    from .g2p_model import G2PModel

    return G2PModel()


@cache
def _cmudict() -> tuple[mmap.mmap, list[bytes], list[int]]:
    """The dictionary file memory-mapped read-only, each block's first word, and the blocks' byte ranges
    (block i is ``data[bounds[i]:bounds[i + 1]]``); read once per process."""
    with CMUDICT_FILE.open("rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    header_end = data.find(b"\n") + 1
    magic, blocks, index_bytes = data[:header_end].split()
    if magic != CMUDICT_MAGIC:
        raise ValueError(f"{CMUDICT_FILE} is not a compressed CMUdict file; reinstall the package")
    lines = data[header_end:header_end + int(index_bytes)].split(b"\n")[:int(blocks)]
    start = header_end + int(index_bytes)
    keys = [line.partition(b" ")[0] for line in lines]
    bounds = [start + int(line.rpartition(b" ")[2]) for line in lines] + [len(data)]
    return data, keys, bounds


@lru_cache(maxsize=64)
def _block(number: int) -> bytes:
    """Block ``number`` decompressed, after a newline: each line then starts after one."""
    data, _, bounds = _cmudict()
    return b"\n" + zlib.decompress(data[bounds[number]:bounds[number + 1]])


def cmu_phones(word: str) -> str | None:
    """CMUdict phones of ``word`` as one space-separated string (first pronunciation), or None.

    Binary search on the index of the blocks, then a search in the one block that may hold the word.
    """
    target = word.encode()
    if not target or b" " in target or b"\n" in target:
        return None
    number = bisect_right(_cmudict()[1], target) - 1
    if number < 0:
        return None
    block = _block(number)
    found = block.find(b"\n" + target + b" ")
    if found < 0:
        return None
    start = found + len(target) + 2
    return block[start:block.index(b"\n", start)].decode()


def cmu_entries() -> Iterator[tuple[str, str]]:
    """Every (word, phones) of the dictionary, sorted by the UTF-8 bytes of the word."""
    data, _, bounds = _cmudict()
    for start, end in zip(bounds, bounds[1:]):
        for line in zlib.decompress(data[start:end]).decode().splitlines():
            word, _, phones = line.partition(" ")
            yield word, phones


def check_phones(phones: Iterable[str], where: str) -> None:
    """Raise ValueError naming ``where`` and the first symbol that is not an ARPAbet phone."""
    for p in phones:
        if p not in PHONE_SET:
            hint = ""
            if p.upper() in PHONE_SET:
                hint = f" (phones are upper case: {p.upper()!r})"
            elif p + "1" in PHONE_SET:
                hint = f" (vowels need a stress digit 0, 1 or 2, e.g. {p + '1'!r})"
            raise InvalidInput(f"{where}: invalid phoneme {p!r}{hint}; run `tts phonemes` for the phoneme set")


def load_user_lexicon(path: str | Path) -> dict[str, list[str]]:
    """Read ``WORD  PH1 PH2 ...`` lines (UTF-8, ``#`` comments); words are case-insensitive."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInput(f"lexicon {path} is a folder: pass a text file of 'WORD  PH1 PH2 ...' lines")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"lexicon file not found: {path}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"lexicon {path} is not UTF-8 text: save it as UTF-8") from None
    entries: dict[str, list[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, *phones = line.split()
        where = f"{path}, line {number} ({word!r})"
        if not phones:
            raise InvalidInput(f"{where}: no phonemes given")
        check_phones(phones, where)
        entries[_key(word)] = phones
    return entries


def _key(word: str) -> str:
    """Lower-case ASCII form used for lookups: accents stripped, only letters ' and - kept."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return _NOT_LETTERS.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _s_suffix(base: list[str]) -> list[str]:
    """Plural / possessive / 3rd-person -s after ``base``: IH0 Z, S or Z."""
    if base[-1] in _SIBILANT_END:
        return ["IH0", "Z"]
    return ["S"] if base[-1] in _VOICELESS_END else ["Z"]


def _ed_suffix(base: list[str]) -> list[str]:
    """Past tense -ed after ``base``: IH0 D, T or D."""
    if base[-1] in {"T", "D"}:
        return ["IH0", "D"]
    return ["T"] if base[-1] in _VOICELESS_END | {"S", "SH", "CH"} else ["D"]


def _vowel_stems(stem: str) -> list[str]:
    """Candidate base words before a vowel-initial suffix: bake+d, run+n+ing, happi->happy."""
    stems = [stem, stem + "e"]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
        stems.append(stem[:-1])
    if stem.endswith("i"):
        stems.append(stem[:-1] + "y")
    return stems


def _consonant_stems(stem: str) -> list[str]:
    return [stem, stem[:-1] + "y"] if stem.endswith("i") else [stem]


def _sibilant_stems(stem: str) -> list[str]:
    """Base words before -es: box+es, wish+es, babi+es -> baby."""
    if stem.endswith("i"):
        return [stem[:-1] + "y"]
    return [stem] if stem.endswith(("s", "x", "z", "ch", "sh")) else []


Suffix = tuple[str, Callable[[list[str]], list[str]], Callable[[str], list[str]]]


def _fixed(*phones: str) -> Callable[[list[str]], list[str]]:
    return lambda _base: list(phones)


SUFFIXES: list[Suffix] = [  # longest first, so "-ness" wins over "-s"
    ("ments", _fixed("M", "AH0", "N", "T", "S"), _consonant_stems),
    ("ness", _fixed("N", "AH0", "S"), _consonant_stems),
    ("less", _fixed("L", "AH0", "S"), _consonant_stems),
    ("ment", _fixed("M", "AH0", "N", "T"), _consonant_stems),
    ("able", _fixed("AH0", "B", "AH0", "L"), _vowel_stems),
    ("ists", _fixed("IH0", "S", "T", "S"), _vowel_stems),
    ("ized", _fixed("AY2", "Z", "D"), _vowel_stems),
    ("ship", _fixed("SH", "IH2", "P"), _consonant_stems),
    ("hood", _fixed("HH", "UH2", "D"), _consonant_stems),
    ("like", _fixed("L", "AY2", "K"), _consonant_stems),
    ("wise", _fixed("W", "AY2", "Z"), _consonant_stems),
    ("ing", _fixed("IH0", "NG"), _vowel_stems),
    ("ers", _fixed("ER0", "Z"), _vowel_stems),
    ("est", _fixed("AH0", "S", "T"), _vowel_stems),
    ("ism", _fixed("IH2", "Z", "AH0", "M"), _vowel_stems),
    ("ist", _fixed("IH0", "S", "T"), _vowel_stems),
    ("ish", _fixed("IH0", "SH"), _vowel_stems),
    ("ize", _fixed("AY2", "Z"), _vowel_stems),
    ("ful", _fixed("F", "AH0", "L"), _consonant_stems),
    ("dom", _fixed("D", "AH0", "M"), _consonant_stems),
    ("es", _s_suffix, _sibilant_stems),
    ("ed", _ed_suffix, _vowel_stems),
    ("er", _fixed("ER0"), _vowel_stems),
    ("ly", _fixed("L", "IY0"), _consonant_stems),
    ("s", _s_suffix, lambda stem: [stem]),
    ("y", _fixed("IY0"), _vowel_stems),
]
# prefixes written with a hyphen (non-profit, re-enter) keep this reading rather than the word's ("re": R EY1)
PREFIXES: list[tuple[str, list[str]]] = [
    ("un", ["AH0", "N"]), ("re", ["R", "IY0"]), ("non", ["N", "AA2", "N"]),
    ("pre", ["P", "R", "IY0"]), ("dis", ["D", "IH0", "S"]), ("mis", ["M", "IH0", "S"]),
    ("over", ["OW2", "V", "ER0"]), ("under", ["AH2", "N", "D", "ER0"]), ("out", ["AW2", "T"]),
    ("anti", ["AE2", "N", "T", "IY0"]), ("super", ["S", "UW2", "P", "ER0"]),
    ("sub", ["S", "AH2", "B"]), ("inter", ["IH2", "N", "T", "ER0"]),
    ("counter", ["K", "AW2", "N", "T", "ER0"]), ("multi", ["M", "AH2", "L", "T", "IY0"]),
    ("semi", ["S", "EH2", "M", "IY0"]), ("micro", ["M", "AY2", "K", "R", "OW0"]),
    ("post", ["P", "OW2", "S", "T"]), ("self", ["S", "EH2", "L", "F"]),
]


_PREFIX_PHONES = dict(PREFIXES)


def _secondary(phones: list[str]) -> list[str]:
    """Demote primary stress to secondary (the second part of a word cut in two)."""
    return [p[:-1] + "2" if p.endswith("1") else p for p in phones]


def _cut(key: str) -> int:
    """Where to cut a long word in two: the vowel-to-consonant boundary nearest its middle, else the middle."""
    middle = len(key) // 2
    cuts = [i for i in range(2, len(key) - 1) if key[i - 1] in _VOWEL_LETTERS and key[i] not in _VOWEL_LETTERS]
    return min(cuts, key=lambda i: abs(i - middle), default=middle)


class G2P:
    """Word -> ARPAbet phones. ``user_lexicon`` entries override the built-in dictionary."""

    def __init__(self, user_lexicon: str | Path | None = None) -> None:
        self.user_lexicon = load_user_lexicon(user_lexicon) if user_lexicon is not None else {}
        self._cache: dict[str, list[str]] = {}

    def word(self, word: str) -> list[str]:
        """Phones for one word (letters, apostrophes, hyphens); never empty.

        Raises ValueError if the word has no letters a-z (after stripping accents).
        """
        key = _key(word).strip("'-")
        if not re.search("[a-z]", key):
            raise InvalidInput(f"no letters to pronounce in {word!r}")
        phones = self._cache.get(key)
        if phones is None:
            phones = self._cache[key] = self._pronounce(key)
        return list(phones)

    def _lookup(self, key: str) -> list[str] | None:
        if key in self.user_lexicon:
            return self.user_lexicon[key]
        phones = cmu_phones(key)
        return phones.split() if phones else None

    def _pronounce(self, key: str) -> list[str]:
        if phones := self._lookup(key):
            return phones
        if "-" in key:
            parts = [part for part in key.split("-") if re.search("[a-z]", part)]
            return [p for i, part in enumerate(parts)
                    for p in (i < len(parts) - 1 and _PREFIX_PHONES.get(part) or self.word(part))]
        if key.endswith("'s") and len(key) > 2:
            base = self.word(key[:-2])
            return base + _s_suffix(base)
        if "'" in key:
            return self.word(key.replace("'", ""))
        if len(key) <= _MAX_ANALYSED_LENGTH and (phones := self._analyse(key, 0)):
            return phones
        if len(key) > _MAX_MODEL_LETTERS:
            cut = _cut(key)
            return self.word(key[:cut]) + _secondary(self.word(key[cut:]))
        return _model()(key) or self._spell(key)

    def _spell(self, key: str) -> list[str]:
        return [p for letter in key for p in (["EY1"] if letter == "a" else self._lookup(letter) or [])]

    def _known(self, key: str, depth: int) -> list[str] | None:
        """Lexicon entry, or (up to two levels deep) a suffix analysis into entries."""
        return self._lookup(key) or (self._analyse(key, depth + 1) if depth < 2 else None)

    def _analyse(self, key: str, depth: int) -> list[str] | None:
        """An unknown word as a known stem and a suffix: bake+d, happi+ness, box+es."""
        for suffix, suffix_phones, stems in SUFFIXES:
            if key.endswith(suffix) and len(key) - len(suffix) >= 2:
                for stem in stems(key[: -len(suffix)]):
                    if len(stem) >= 3 and (base := self._known(stem, depth)):
                        return base + suffix_phones(base)
        return None
