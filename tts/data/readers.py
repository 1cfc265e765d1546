"""Corpus readers: each returns a list of utterances (audio path, speaker, text)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from tts.errors import InvalidInput

AUDIO_SUFFIXES = (".wav", ".flac", ".opus", ".ogg", ".mp3")


@dataclass(frozen=True)
class Utterance:
    path: Path
    speaker: str
    text: str


def read_manifest(path: Path) -> list[Utterance]:
    """TSV with a header holding at least `path`, `speaker` and `text` columns; paths relative to the file."""
    root = path.parent
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"path", "speaker", "text"} - set(rows.fieldnames or [])
        if missing:
            raise InvalidInput(f"{path}: manifest lacks column(s) {', '.join(sorted(missing))}")
        return [Utterance(root / r["path"], r["speaker"], r["text"]) for r in rows]


def read_ljspeech(root: Path, speaker: str = "ljspeech") -> list[Utterance]:
    """LJSpeech layout: `metadata.csv` lines `id|text[|normalised text]`, audio in `wavs/<id>.wav`."""
    utterances = []
    for line in (root / "metadata.csv").read_text(encoding="utf-8").splitlines():
        fields = line.split("|")
        if len(fields) >= 2:
            text = fields[2] if len(fields) > 2 and fields[2] else fields[1]
            utterances.append(Utterance(root / "wavs" / f"{fields[0]}.wav", speaker, text))
    return utterances


def _audio_for(stem: Path) -> Path | None:
    for suffix in AUDIO_SUFFIXES:
        if stem.with_suffix(suffix).is_file():
            return stem.with_suffix(suffix)
    return None


def read_vctk(root: Path) -> list[Utterance]:
    """VCTK layout: `txt/<spk>/<utt>.txt` with audio in `wav48*/<spk>/<utt>[_mic1].{wav,flac}`."""
    audio_dirs = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("wav"))
    utterances = []
    for text_file in sorted((root / "txt").glob("*/*.txt")):
        speaker = text_file.parent.name
        for audio_dir in audio_dirs:
            audio = _audio_for(audio_dir / speaker / text_file.stem) or _audio_for(
                audio_dir / speaker / f"{text_file.stem}_mic1")
            if audio:
                utterances.append(Utterance(audio, speaker, text_file.read_text(encoding="utf-8").strip()))
                break
    return utterances


def read_libritts(root: Path) -> list[Utterance]:
    """LibriTTS layout: `<spk>/<chapter>/<utt>.wav` beside `<utt>.normalized.txt` (or `.original.txt`)."""
    utterances = []
    for audio in sorted(root.glob("*/*/*.wav")):
        for suffix in (".normalized.txt", ".original.txt", ".txt"):
            text_file = audio.with_name(audio.stem + suffix)
            if text_file.is_file():
                text = text_file.read_text(encoding="utf-8").strip()
                utterances.append(Utterance(audio, audio.parent.parent.name, text))
                break
    return utterances


READERS = {"manifest": read_manifest, "ljspeech": read_ljspeech, "vctk": read_vctk, "libritts": read_libritts}


def read_corpus(kind: str, location: Path) -> list[Utterance]:
    """Dispatch on the corpus kind: manifest (a TSV file), ljspeech, vctk or libritts (folders)."""
    if kind not in READERS:
        raise InvalidInput(f"unknown corpus kind '{kind}': use one of {', '.join(READERS)}")
    return READERS[kind](Path(location))
