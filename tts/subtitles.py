"""Word timings -> subtitles (SRT, WebVTT) and JSON timestamps, for `tts say --subtitles / --timestamps`."""

from __future__ import annotations

import json
from collections.abc import Iterable

MAX_LINE_CHARS = 42  # the usual most characters on one subtitle line
MAX_CUE_SECONDS = 7.0  # the usual longest time one subtitle stays on screen
CUE_BREAK_GAP = 0.25  # seconds of silence between two words that start a new cue (a sentence's or clause's pause)
SUBTITLE_SUFFIXES = (".srt", ".vtt")

Word = tuple[str, float, float]  # (word, start s, end s)


def cues(words: Iterable[Word]) -> list[tuple[str, float, float]]:
    """(text, start s, end s) of each cue: consecutive words grouped while the line stays within MAX_LINE_CHARS and
    the cue within MAX_CUE_SECONDS (a longer word is a cue alone); a pause of CUE_BREAK_GAP or more starts a new
    cue."""
    groups: list[list[Word]] = []
    for word in words:
        if groups:
            group = groups[-1]
            chars = sum(len(w) + 1 for w, _, _ in group) + len(word[0])
            fits = chars <= MAX_LINE_CHARS and word[2] - group[0][1] <= MAX_CUE_SECONDS
            if fits and word[1] - group[-1][2] < CUE_BREAK_GAP:
                group.append(word)
                continue
        groups.append([word])
    return [(" ".join(w for w, _, _ in group), group[0][1], group[-1][2]) for group in groups]


def _clock(seconds: float, separator: str) -> str:
    """HH:MM:SS then `separator` then milliseconds."""
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{separator}{ms % 1000:03d}"


def srt(words: Iterable[Word]) -> str:
    """SubRip subtitles: numbered cues, times HH:MM:SS,mmm."""
    return "".join(f"{i}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{text}\n\n"
                   for i, (text, start, end) in enumerate(cues(words), 1))


def vtt(words: Iterable[Word]) -> str:
    """WebVTT subtitles: the WEBVTT header, then cues with times HH:MM:SS.mmm."""
    return "WEBVTT\n\n" + "".join(f"{_clock(start, '.')} --> {_clock(end, '.')}\n{text}\n\n"
                                  for text, start, end in cues(words))


def subtitles(words: Iterable[Word], suffix: str) -> str:
    """Subtitles in the format of a file suffix (.srt or .vtt, any case)."""
    return srt(words) if suffix.lower() == ".srt" else vtt(words)


def timings_json(words: Iterable[Word]) -> str:
    """A JSON list of {"word", "start", "end"}, times in seconds to 3 decimals."""
    return json.dumps([{"word": w, "start": round(start, 3), "end": round(end, 3)} for w, start, end in words],
                      indent=1) + "\n"
