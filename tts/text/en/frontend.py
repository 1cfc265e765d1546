"""Text frontend: raw text -> normalised sentence / clause chunks -> phoneme symbols and ids."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from tts.errors import InvalidInput
from tts.limits import PARAGRAPH_PAUSE, SENTENCE_PAUSE

from . import homographs
from .g2p import G2P, check_phones, cmu_phones
from .normalize import normalize
from .symbols import BOS, EOS, PAD, PHONES, SYMBOL_TO_ID, SYMBOLS, WORD_BOUNDARY, to_ids

CLAUSE_PAUSE = 0.2
WORD_SPLIT_PAUSE = 0.1

_TOKEN = re.compile(r"\{[^{}]*\}|[A-Za-z]+(?:['-][A-Za-z]+)*|[,.!?;:…-]")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_SENTENCE_END = frozenset(".!?…")
_CLAUSE_END = frozenset(",;:-")
_PUNCTUATION = _SENTENCE_END | _CLAUSE_END
_STRENGTH = "?!….;:,-"  # which mark survives when several meet: the first in this string


@dataclass
class Chunk:
    text: str  # the normalised text of this chunk
    phonemes: list[str]  # symbols from symbols.SYMBOLS, BOS ... EOS
    ids: list[int]  # symbols.to_ids(phonemes)
    pause_after: float  # seconds of silence to insert after this chunk
    # (word as written in `text`, index of its first symbol, index after its last) of each spoken word
    words: list[tuple[str, int, int]] = field(default_factory=list)


class Pronunciation(NamedTuple):
    """How one word of a text is pronounced, and by which source."""

    word: str
    phones: list[str]
    source: str  # inline, letter name, lexicon, homograph: LABEL, dictionary, or model (not in the dictionary)


class _Token(NamedTuple):
    text: str
    start: int
    end: int


def _tokenize(text: str) -> list[_Token]:
    return [_Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _span(tokens: list[_Token]) -> int:
    return tokens[-1].end - tokens[0].start


def _has_word(tokens: list[_Token]) -> bool:
    return any(t.text not in _PUNCTUATION and t.text.strip("{} ") for t in tokens)


def _split_after(tokens: list[_Token], marks: frozenset[str]) -> list[list[_Token]]:
    """Split a token list after each token in ``marks``; punctuation never starts a piece."""
    pieces: list[list[_Token]] = [[]]
    for token in tokens:
        if not pieces[-1] and token.text in _PUNCTUATION:
            continue
        pieces[-1].append(token)
        if token.text in marks:
            pieces.append([])
    return [p for p in pieces if p]


def _is_letter_a(tokens: list[_Token], i: int) -> bool:
    """Is capital 'A' here the letter (F B A, vitamin A.) rather than the article?"""
    def single_letter(j: int) -> bool:
        return 0 <= j < len(tokens) and len(tokens[j].text) == 1 and tokens[j].text.isupper()
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else "."
    return single_letter(i - 1) or single_letter(i + 1) or nxt in _PUNCTUATION


class TextFrontend:
    """English text -> phoneme id sequences, split into chunks short enough to synthesise."""

    language = "en-us"
    symbols = SYMBOLS  # the acoustic model's inputs, in id order
    pad_id = SYMBOL_TO_ID[PAD]
    phone_ids = [SYMBOL_TO_ID[p] for p in PHONES]  # symbols that are sounds (each lasts at least one frame)

    def __init__(self, user_lexicon: str | Path | None = None, max_chunk_chars: int = 300,
                 sentence_pause: float = SENTENCE_PAUSE, paragraph_pause: float = PARAGRAPH_PAUSE) -> None:
        if max_chunk_chars < 1:
            raise ValueError(f"max_chunk_chars must be positive, got {max_chunk_chars}")
        self.g2p = G2P(user_lexicon)
        self.max_chunk_chars = max_chunk_chars
        self.sentence_pause = sentence_pause  # seconds after a sentence
        self.paragraph_pause = paragraph_pause  # seconds after a paragraph (text before a blank line)

    def normalize(self, text: str) -> str:
        """Normalise text; all-caps words of the user lexicon are not spelled out."""
        return normalize(text, keep_words=self.g2p.user_lexicon)

    def phonemize(self, text: str) -> list[str]:
        """Normalise one piece of text and convert it to symbols, BOS ... EOS."""
        return self._symbols(_tokenize(self.normalize(text)))[0]

    def chunks(self, text: str) -> list[Chunk]:
        """Split the whole input into sentence / clause chunks; [] if nothing is pronounceable."""
        return list(self.iter_chunks(text))

    def iter_chunks(self, text: str) -> Iterator[Chunk]:
        """Generator form of :meth:`chunks`. A blank line ends a paragraph; the last chunk has ``pause_after`` 0."""
        previous: Chunk | None = None
        for chunk_text, tokens, pause in self._pieces(text):
            if previous is not None:
                yield previous
            phonemes, words = self._symbols(tokens)
            previous = Chunk(text=chunk_text, phonemes=phonemes, ids=to_ids(phonemes), pause_after=pause, words=words)
        if previous is not None:
            previous.pause_after = 0.0
            yield previous

    def pronunciations(self, text: str) -> Iterator[tuple[str, list[Pronunciation]]]:
        """For each chunk, as :meth:`iter_chunks` speaks it: its normalised text and how each word is pronounced."""
        for chunk_text, tokens, _ in self._pieces(text):
            words = [t.text.lower() for t in tokens]
            said: list[Pronunciation] = []
            for i, token in enumerate(tokens):
                if token.text in _PUNCTUATION:
                    continue
                phones, source = self._word(tokens, words, i)
                if not phones:
                    continue
                if source == "g2p":
                    source = "dictionary" if cmu_phones(words[i]) else "model"
                said.append(Pronunciation(token.text, phones, source))
            yield chunk_text, said

    def _pieces(self, text: str) -> Iterator[tuple[str, list[_Token], float]]:
        """(normalised text, tokens, pause after) of each chunk; a paragraph's last piece gets the paragraph pause."""
        for paragraph in _PARAGRAPH_BREAK.split(text):
            normalised = self.normalize(paragraph)
            pieces = [piece for sentence in _split_after(_tokenize(normalised), _SENTENCE_END)
                      for piece in self._fit(sentence) if _has_word(piece[0])]
            for i, (tokens, pause) in enumerate(pieces):
                yield (normalised[tokens[0].start:tokens[-1].end], tokens,
                       self.paragraph_pause if i == len(pieces) - 1 else pause)

    def _fit(self, sentence: list[_Token]) -> Iterator[tuple[list[_Token], float]]:
        """Cut a sentence longer than max_chunk_chars at clauses, then words; merge greedily."""
        limit = self.max_chunk_chars
        if _span(sentence) <= limit:
            yield sentence, self.sentence_pause
            return
        units: list[tuple[list[_Token], float]] = []
        for clause in _split_after(sentence, _CLAUSE_END):
            if _span(clause) <= limit:
                units.append((clause, CLAUSE_PAUSE))
            else:
                units.extend((part, WORD_SPLIT_PAUSE) for part in self._split_words(clause))
        current, pause = units[0]
        for tokens, next_pause in units[1:]:
            if tokens[-1].end - current[0].start <= limit:
                current, pause = current + tokens, next_pause
            else:
                yield current, pause
                current, pause = tokens, next_pause
        yield current, self.sentence_pause

    def _split_words(self, clause: list[_Token]) -> list[list[_Token]]:
        """Pack tokens into pieces of at most max_chunk_chars; over-long words are cut."""
        limit = self.max_chunk_chars
        pieces: list[list[_Token]] = []
        for token in clause:
            if token.end - token.start > limit:
                if token.text.startswith("{"):
                    raise InvalidInput(f"an inline phoneme group {{...}} is longer than {limit} characters (the longest "
                                     "piece spoken at once): split it into smaller groups")
                pieces.extend([_Token(token.text[i:i + limit], token.start + i,
                                      min(token.start + i + limit, token.end))]
                              for i in range(0, len(token.text), limit))
            elif pieces and token.end - pieces[-1][0].start <= limit:
                pieces[-1].append(token)
            else:
                pieces.append([token])
        return pieces

    def _symbols(self, tokens: list[_Token]) -> tuple[list[str], list[tuple[str, int, int]]]:
        """Words -> phones joined by WORD_BOUNDARY, punctuation attached; BOS ... final mark EOS. Also each spoken
        word with the span of symbols its phones fill (first index, index after the last)."""
        out = [BOS]
        spans: list[tuple[str, int, int]] = []
        mark: str | None = None
        has_words = False
        words = [t.text.lower() for t in tokens]  # the context homographs are read in
        for i, token in enumerate(tokens):
            if token.text in _PUNCTUATION:
                if has_words and (mark is None or _STRENGTH.index(token.text) < _STRENGTH.index(mark)):
                    mark = token.text
                continue
            phones, _ = self._word(tokens, words, i)
            if not phones:
                continue
            if has_words:
                out.extend([mark, WORD_BOUNDARY] if mark else [WORD_BOUNDARY])
                mark = None
            spans.append((token.text, len(out), len(out) + len(phones)))
            out.extend(phones)
            has_words = True
        if not has_words:
            return [BOS, EOS], []
        return out + [mark if mark in _SENTENCE_END else ".", EOS], spans

    def _word(self, tokens: list[_Token], words: list[str], i: int) -> tuple[list[str], str]:
        """Phones of word ``i`` and their source: inline, letter name, lexicon, homograph: LABEL or g2p."""
        text = tokens[i].text
        if text.startswith("{"):
            phones = text[1:-1].split()
            check_phones(phones, f"inline phonemes {text}")
            return phones, "inline"
        if text in ("A", "A's") and _is_letter_a(tokens, i):
            return (["EY1", "Z"] if text.endswith("s") else ["EY1"]), "letter name"
        if words[i] in self.g2p.user_lexicon:
            return self.g2p.word(text), "lexicon"
        if homograph := homographs.pronounce(words, i):
            label, phones = homograph
            return phones, f"homograph: {label}"
        return self.g2p.word(text), "g2p"
