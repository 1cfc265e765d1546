"""Text normalisation for error rates: both the reference and the ASR transcript go through
`normalize_for_wer`, so that spelling variants ("$3.50" / "three dollars fifty cents",
"colour" / "color", "P.M." / "pm") do not count as errors."""

from __future__ import annotations

import re

from tts.text.en.normalize import normalize

NUMBER_WORDS = set(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion trillion".split())
UNIT_WORDS = set("dollar dollars pound pounds euro euros cent cents pence penny yen".split())

# British -> American spellings, kept small: (pattern, replacement) on whole words.
_OUR_STEMS = "arbo|ardo|armo|behavio|cando|clamo|colo|endeavo|favo|flavo|glamo|harbo|hono|humo|labo|neighbo|" \
             "odo|parlo|rigo|rumo|savo|splendo|tumo|valo|vapo|vigo"
_ISE_STEMS = "apolog|author|categor|civil|critic|emphas|final|maxim|memor|minim|modern|optim|organ|prior|" \
             "real|recogn|special|standard|summar|symbol|sympath|util|visual"
_SPELLING: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b({_OUR_STEMS})ur"), r"\1r"),  # colour(s/ed/ful), neighbourhood, favourite
    (re.compile(rf"\b({_ISE_STEMS})is(e|es|ed|ing|ation|ations)\b"), r"\1iz\2"),
    (re.compile(r"\b(cent|theat|met|lit|fib|calib|sombr|spect)re(s?)\b"), r"\1er\2"),
    (re.compile(r"\b(travel|cancel|model|label|fuel|signal|dial)l(ed|ing|er|ers)\b"), r"\1\2"),
    (re.compile(r"\bgrey"), "gray"),
    (re.compile(r"\bprogramme(s?)\b"), r"program\1"),
    (re.compile(r"\bcatalogue(s?)\b"), r"catalog\1"),
    (re.compile(r"\bdialogue(s?)\b"), r"dialog\1"),
    (re.compile(r"\bjewellery\b"), "jewelry"),
    (re.compile(r"\bcheque(s?)\b"), r"check\1"),
    (re.compile(r"\btyre(s?)\b"), r"tire\1"),
    (re.compile(r"\bokay\b"), "ok"),
    (re.compile(r"\bper cent\b"), "percent"),
]
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")
_EDGE_APOSTROPHE = re.compile(r"(?<![a-z0-9])'|'(?![a-z0-9])")
_LETTER_RUN = re.compile(r"(?<![\w'])[a-z](?: [a-z](?![\w']))+")  # single letters, spaces only between
_DOTTED_TIME = re.compile(r"\b(\d{1,2})\.(\d{2}) ?([ap])\.? ?m\b\.?", re.IGNORECASE)  # 3.45pm -> 3:45 pm


def _drop_number_and(words: list[str]) -> list[str]:
    """'one hundred and twenty' -> 'one hundred twenty', 'dollars and fifty cents' -> 'dollars fifty cents'."""
    out: list[str] = []
    for i, w in enumerate(words):
        if (w == "and" and out and i + 1 < len(words) and words[i + 1] in NUMBER_WORDS
                and (out[-1] in NUMBER_WORDS or out[-1] in UNIT_WORDS)):
            continue
        out.append(w)
    return out


def normalize_for_wer(text: str) -> str:
    """Lower-case words separated by single spaces: numbers, symbols and abbreviations spelled out
    (tts.text.en.normalize), punctuation removed, hyphens as spaces, British spellings made American,
    spelled-out letters joined ("p m" -> "pm"), 'and' inside numbers and amounts dropped."""
    text = normalize(_DOTTED_TIME.sub(r"\1:\2 \3m", text)).lower().replace("-", " ")
    text = _LETTER_RUN.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _NOT_WORD.sub(" ", text)
    text = _EDGE_APOSTROPHE.sub(" ", text)
    text = " ".join(text.split())
    for pattern, repl in _SPELLING:
        text = pattern.sub(repl, text)
    return " ".join(_drop_number_and(text.split()))
