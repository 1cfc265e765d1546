"""What each clip says: `clip.txt` beside `clip.wav` when present, else offline speech recognition."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tts.errors import TTSError
from tts.limits import MAX_TEXT_CHARS

MAX_TRANSCRIPT_BYTES = 16_000
ASR_HINT = ("clips without a transcript need speech recognition: put the words of each clip in a .txt file beside "
            "it (alice1.wav -> alice1.txt), or pip install 'tts-clone[asr]'")


class TranscriptError(TTSError, ValueError):
    """A transcript that is missing, unreadable or unusable."""


def transcript_file(clip: Path) -> Path:
    return Path(clip).with_suffix(".txt")


def read_transcript(path: Path) -> str:
    """The text of a transcript file (UTF-8, at most MAX_TEXT_CHARS characters, not empty)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_TRANSCRIPT_BYTES + 1)
    except OSError as exc:
        raise TranscriptError(f"transcript {path} cannot be read ({exc.strerror})") from None
    try:
        text = " ".join(data.decode("utf-8-sig").split())
    except UnicodeDecodeError:
        raise TranscriptError(f"transcript {path} is not UTF-8 text") from None
    if not text:
        raise TranscriptError(f"transcript {path} is empty: write the words the clip says, or delete the file")
    if len(data) > MAX_TRANSCRIPT_BYTES or len(text) > MAX_TEXT_CHARS:
        raise TranscriptError(f"transcript {path} is longer than {MAX_TEXT_CHARS} characters: is it the right file?")
    return text


def transcripts(clips: Sequence[Path], wavs: Sequence[np.ndarray], transcriber=None) -> list[tuple[str, str]]:
    """(text, source) per clip: source "file" for a .txt beside the clip, else "asr" (Whisper tiny.en);
    TranscriptError with the install hint when some clip needs recognition and it is not installed."""
    found = [read_transcript(transcript_file(c)) if transcript_file(c).is_file() else None for c in clips]
    if any(text is None for text in found) and transcriber is None:
        from tts.consent import ConsentError
        from tts.consent.verify import transcriber as load_transcriber

        try:
            transcriber = load_transcriber()
        except ConsentError:
            raise TranscriptError(ASR_HINT) from None
    out = []
    for clip, wav, text in zip(clips, wavs, found):
        if text is not None:
            out.append((text, "file"))
            continue
        heard = " ".join(transcriber.transcribe(wav).split())[:MAX_TEXT_CHARS]
        if not heard:
            raise TranscriptError(f"speech recognition heard no words in {clip}: give its transcript in "
                                  f"{transcript_file(clip)} or leave the clip out")
        out.append((heard, "asr"))
    return out
