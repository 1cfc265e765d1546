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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from tts.audio import AudioError, LogMelSpectrogram, estimate_pitch, load_audio, normalize_loudness, trim_silence
from tts.audio.config import N_MELS, SAMPLE_RATE
from tts.data.readers import Utterance
from tts.encoder import EMBEDDING_DIM, SpeakerEncoder

GTA_FILE = "gta_mels.f16"
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
    """Compute features for `utterances` into `out`; returns (utterances kept, skip reasons)."""
    out.mkdir(parents=True, exist_ok=True)
    files = {name: open(out / f"{name}.part", "wb") for name in ("mels", "pitch", "audio", "speakers", "index")}
    frame_pos = sample_pos = kept = 0
    skipped: list[str] = []
    with mp.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
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
    for name, handle in files.items():
        handle.close()
        final = "utterances.jsonl" if name == "index" else f"{name}.{'i16' if name == 'audio' else 'f16'}"
        (out / f"{name}.part").replace(out / final)
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
            raise ValueError(f"speaker '{speaker}' is not in this cache")
        mean = self.speakers[rows].astype(np.float32).mean(axis=0)
        return mean / np.linalg.norm(mean)
