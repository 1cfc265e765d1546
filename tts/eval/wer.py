"""Word and character error rates (Levenshtein distance / reference length) on normalised text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tts.eval.textnorm import normalize_for_wer


def edit_distance(ref: Sequence, hyp: Sequence) -> int:
    """Minimum number of substitutions, deletions and insertions turning `ref` into `hyp`."""
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1]


@dataclass
class ErrorCount:
    """Errors against a reference of `total` units (words or characters)."""

    errors: int
    total: int

    @property
    def rate(self) -> float:
        return self.errors / self.total if self.total else float(self.errors > 0)


def word_errors(reference: str, hypothesis: str, normalized: bool = True) -> ErrorCount:
    ref, hyp = (normalize_for_wer(reference), normalize_for_wer(hypothesis)) if normalized else (reference, hypothesis)
    return ErrorCount(edit_distance(ref.split(), hyp.split()), len(ref.split()))


def char_errors(reference: str, hypothesis: str, normalized: bool = True) -> ErrorCount:
    """Character errors with spaces removed."""
    ref, hyp = (normalize_for_wer(reference), normalize_for_wer(hypothesis)) if normalized else (reference, hypothesis)
    ref, hyp = ref.replace(" ", ""), hyp.replace(" ", "")
    return ErrorCount(edit_distance(ref, hyp), len(ref))


def wer(reference: str, hypothesis: str) -> float:
    return word_errors(reference, hypothesis).rate


def cer(reference: str, hypothesis: str) -> float:
    return char_errors(reference, hypothesis).rate
