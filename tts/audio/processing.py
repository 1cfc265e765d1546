"""Waveform clean-up: loudness normalisation and silence trimming."""

from __future__ import annotations

import numpy as np

from tts.audio.config import SAMPLE_RATE

TARGET_DBFS = -20.0
PEAK_LIMIT = 0.95


def frame_energy_db(wav: np.ndarray, frame: int = 400, hop: int = 160) -> np.ndarray:
    """RMS level of each frame in dB relative to full scale."""
    if len(wav) < frame:
        wav = np.pad(wav, (0, frame - len(wav)))
    n = 1 + (len(wav) - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    rms = np.sqrt(np.mean(wav[idx] ** 2, axis=1) + 1e-12)
    return 20 * np.log10(rms)


def normalize_loudness(wav: np.ndarray, target_dbfs: float = TARGET_DBFS) -> np.ndarray:
    """Scale so that the active (non-silent) part sits at `target_dbfs` RMS, peaks limited to 0.95."""
    level = frame_energy_db(wav)
    if level.max() < -80:  # digital silence: nothing to normalise
        return wav.astype(np.float32)
    active = level[level > level.max() - 40]
    current = 10 * np.log10(np.mean(10 ** (active / 10)))
    out = wav * 10 ** ((target_dbfs - current) / 20)
    peak = np.abs(out).max()
    if peak > PEAK_LIMIT:
        out = out * (PEAK_LIMIT / peak)
    return out.astype(np.float32)


def trim_silence(wav: np.ndarray, top_db: float = 40.0, margin_s: float = 0.1) -> np.ndarray:
    """Cut leading and trailing audio quieter than `top_db` below the loudest frame, keeping a margin."""
    hop = 160
    level = frame_energy_db(wav, hop=hop)
    voiced = np.flatnonzero(level > max(level.max() - top_db, -60))
    if voiced.size == 0:
        return wav[:0]
    margin = int(margin_s * SAMPLE_RATE)
    start = max(0, voiced[0] * hop - margin)
    end = min(len(wav), (voiced[-1] + 1) * hop + 400 + margin)
    return wav[start:end]


def speech_duration(wav: np.ndarray, top_db: float = 40.0) -> float:
    """Seconds of audio within `top_db` of the loudest frame (a simple voice-activity estimate)."""
    level = frame_energy_db(wav)
    if level.max() < -60:
        return 0.0
    return float(np.sum(level > level.max() - top_db) * 160 / SAMPLE_RATE)
