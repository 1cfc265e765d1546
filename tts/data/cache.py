"""The feature cache: everything the models train on, computed once from a corpus.

Layout of a cache folder:
  utterances.jsonl  one JSON object per utterance: id, speaker, text, offsets and lengths
  mels.f16          log-mel frames, float16 [total_frames, N_MELS]
  pitch.f16         F0 in Hz per frame (0 = unvoiced), float16 [total_frames]
  audio.i16         trimmed, loudness-normalised 16 kHz waveform, int16 [total_samples]
  speakers.f16      speaker embedding of each utterance, float16 [utterances, 256]
  gta_mels.f16      (optional, `tts train gta`) the acoustic model's teacher-forced log-mels, laid out as mels.f16
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from tts.audio import AudioError, LogMelSpectrogram, estimate_pitch, load_audio, normalize_loudness, trim_silence
from tts.audio.config import N_MELS, SAMPLE_RATE
from tts.audio.io import publish
from tts.data.readers import Utterance
from tts.errors import InvalidInput
from tts.encoder import EMBEDDING_DIM, SpeakerEncoder

GTA_FILE = "gta_mels.f16"
CACHE_FILES = {"mels": "mels.f16", "pitch": "pitch.f16", "audio": "audio.i16", "speakers": "speakers.f16",
               "index": "utterances.jsonl"}  # the index last (dicts keep their order)
MIN_SECONDS = 0.5
MAX_SECONDS = 15.0

_worker: dict = {}


def _init_worker() -> None:
    torch.set_num_threads(1)
    _worker["mel"] = LogMelSpectrogram()
    _worker["encoder"] = SpeakerEncoder()


def _features(item: tuple[int, Utterance]) -> tuple[int, dict | str]:
    """Features of one utterance, or the reason it was skipped."""
    index, utt = item
    try:
        wav = normalize_loudness(trim_silence(load_audio(utt.path)))
    except AudioError as exc:
        return index, str(exc)
    seconds = len(wav) / SAMPLE_RATE
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        return index, f"{utt.path}: {seconds:.2f} s is outside {MIN_SECONDS}-{MAX_SECONDS} s"
    with torch.inference_mode():
        mel = _worker["mel"](torch.from_numpy(wav)[None])[0].T.numpy()
    return index, {
        "mel": mel.astype(np.float16),
        "pitch": estimate_pitch(wav).astype(np.float16),
        "audio": np.round(np.clip(wav, -1, 1) * 32767).astype(np.int16),
        "speaker": _worker["encoder"].embed(wav).astype(np.float16),
    }


def prepare_cache(utterances: list[Utterance], out: Path, workers: int = 2) -> tuple[int, list[str]]:
    """Compute features for `utterances` into `out`; returns (utterances kept, skip reasons).

    The files are written under temporary names and renamed only when all are complete; an older cache in `out`
    loses its index first, so that an interruption leaves either it, or no cache, never a mix of the two."""
    out.mkdir(parents=True, exist_ok=True)
    parts: dict[str, Path] = {}
    try:
        for name, final in CACHE_FILES.items():
            fd, part = tempfile.mkstemp(dir=out, prefix=f".{final}.", suffix=".part")
            os.close(fd)
            parts[name] = Path(part)
        kept, skipped = _write_features(utterances, parts, workers)
        (out / CACHE_FILES["index"]).unlink(missing_ok=True)
        (out / GTA_FILE).unlink(missing_ok=True)  # teacher-forced mels of the older cache: no longer aligned
        for name, final in CACHE_FILES.items():  # the index last: it is what makes a cache
            publish(parts[name], out / final)
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)
    return kept, skipped


def _write_features(utterances: list[Utterance], parts: dict[str, Path], workers: int) -> tuple[int, list[str]]:
    """Compute the features of `utterances` in `workers` processes and append them to the files `parts`."""
    frame_pos = sample_pos = kept = 0
    skipped: list[str] = []
    with ExitStack() as stack:
        files = {name: stack.enter_context(open(part, "wb")) for name, part in parts.items()}
        pool = stack.enter_context(mp.get_context("spawn").Pool(workers, initializer=_init_worker))
        results = pool.imap(_features, enumerate(utterances), chunksize=8)
        for index, result in tqdm(results, total=len(utterances), desc="features", unit="utt"):
            if isinstance(result, str):
                skipped.append(result)
                continue
            utt = utterances[index]
            n_frames, n_samples = len(result["mel"]), len(result["audio"])
            files["mels"].write(result["mel"].tobytes())
            files["pitch"].write(result["pitch"].tobytes())
            files["audio"].write(result["audio"].tobytes())
            files["speakers"].write(result["speaker"].tobytes())
            record = {"id": f"{utt.speaker}/{Path(utt.path).stem}", "speaker": utt.speaker, "text": utt.text,
                      "frame_start": frame_pos, "n_frames": n_frames,
                      "sample_start": sample_pos, "n_samples": n_samples}
            files["index"].write((json.dumps(record, ensure_ascii=False) + "\n").encode())
            frame_pos += n_frames
            sample_pos += n_samples
            kept += 1
    return kept, skipped


@dataclass
class FeatureCache:
    """Read-only, memory-mapped view of a prepared cache folder."""

    records: list[dict]
    mels: np.ndarray
    pitch: np.ndarray
    audio: np.ndarray
    speakers: np.ndarray
    gta_mels: np.ndarray | None = None

    @classmethod
    def open(cls, folder: Path) -> "FeatureCache":
        folder = Path(folder)
        index = folder / "utterances.jsonl"
        if not index.is_file():
            raise FileNotFoundError(f"no feature cache at {folder}: run `tts train prepare` first")
        records = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
        mels = np.memmap(folder / "mels.f16", dtype=np.float16, mode="r").reshape(-1, N_MELS)
        gta = folder / GTA_FILE
        gta_mels = np.memmap(gta, dtype=np.float16, mode="r").reshape(-1, N_MELS) if gta.is_file() else None
        return cls(records, mels, np.memmap(folder / "pitch.f16", dtype=np.float16, mode="r"),
                   np.memmap(folder / "audio.i16", dtype=np.int16, mode="r"),
                   np.memmap(folder / "speakers.f16", dtype=np.float16, mode="r").reshape(-1, EMBEDDING_DIM),
                   gta_mels)

    def mel(self, i: int) -> np.ndarray:
        r = self.records[i]
        return self.mels[r["frame_start"] : r["frame_start"] + r["n_frames"]]

    def gta_mel(self, i: int) -> np.ndarray:
        """The acoustic model's teacher-forced mel of utterance `i` (frames aligned with `mel(i)`)."""
        if self.gta_mels is None:
            raise FileNotFoundError(f"this cache has no {GTA_FILE}: run `tts train gta` first")
        r = self.records[i]
        return self.gta_mels[r["frame_start"] : r["frame_start"] + r["n_frames"]]

    def f0(self, i: int) -> np.ndarray:
        r = self.records[i]
        return self.pitch[r["frame_start"] : r["frame_start"] + r["n_frames"]]

    def wav(self, i: int) -> np.ndarray:
        r = self.records[i]
        return self.audio[r["sample_start"] : r["sample_start"] + r["n_samples"]]

    def population_mean(self) -> np.ndarray:
        """Normalised mean of the speakers' mean embeddings, each speaker counted once: the centre of the
        training voices (tts.adaptation moves an enrolled voice further from it)."""
        rows: dict[str, list[int]] = {}
        for i, r in enumerate(self.records):
            rows.setdefault(r["speaker"], []).append(i)
        mean = np.mean([self.speakers[idx].astype(np.float32).mean(axis=0) for idx in rows.values()], axis=0)
        return mean / np.linalg.norm(mean)

    def speaker_mean(self, speaker: str) -> np.ndarray:
        """Normalised mean embedding over all utterances of `speaker`."""
        rows = [i for i, r in enumerate(self.records) if r["speaker"] == speaker]
        if not rows:
            raise InvalidInput(f"speaker '{speaker}' is not in this cache")
        mean = self.speakers[rows].astype(np.float32).mean(axis=0)
        return mean / np.linalg.norm(mean)
