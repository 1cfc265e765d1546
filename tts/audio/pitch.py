"""Pitch: frame-level F0 with YIN, and the acoustic model's pitch scale."""

from __future__ import annotations

import math

import numpy as np

from tts.audio.config import HOP_LENGTH, N_FFT, SAMPLE_RATE

LOG_F0_MEAN = math.log(140.0)  # the acoustic model's pitch scale: (log F0 - LOG_F0_MEAN) / LOG_F0_SCALE
LOG_F0_SCALE = 0.35


def n_frames(n_samples: int) -> int:
    """Number of mel frames a centred STFT gives for `n_samples` samples."""
    return n_samples // HOP_LENGTH + 1


def estimate_pitch(wav: np.ndarray, fmin: float = 60.0, fmax: float = 500.0,
                   threshold: float = 0.2) -> np.ndarray:
    """Frame-level F0 in Hz (0 where unvoiced) on the mel frame grid, with the YIN algorithm."""
    frame = N_FFT
    padded = np.pad(wav.astype(np.float64), frame // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame)[::HOP_LENGTH]  # [F, frame]
    frames = frames[: n_frames(len(wav))]
    max_lag = int(SAMPLE_RATE / fmin)
    min_lag = int(SAMPLE_RATE / fmax)
    window = frame - max_lag
    # difference function d(tau) = r(0)_x + r(0)_tau - 2 r(tau), via FFT autocorrelation
    spectrum = np.fft.rfft(frames, n=2 * frame, axis=1)
    acf = np.fft.irfft(spectrum * np.conj(np.fft.rfft(frames[:, :window], n=2 * frame, axis=1)), axis=1)
    acf = acf[:, : max_lag + 1]
    energy = np.cumsum(frames**2, axis=1)
    e0 = energy[:, window - 1]
    lags = np.arange(max_lag + 1)
    e_tau = energy[:, lags + window - 1] - np.concatenate([np.zeros((len(frames), 1)), energy[:, : max_lag]], axis=1)
    diff = np.maximum(e0[:, None] + e_tau - 2 * acf, 0.0)
    cumulative = np.cumsum(diff[:, 1:], axis=1) / np.arange(1, max_lag + 1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] / np.maximum(cumulative, 1e-12)
    cmnd[:, :min_lag] = 2.0
    below = cmnd < threshold
    # the local minimum of the first dip below the threshold, else the global minimum
    first = np.where(below.any(axis=1), below.argmax(axis=1), max_lag + 1)
    after = lags[None, :] >= first[:, None]
    dip = np.logical_and.accumulate(~after | below, axis=1) & after
    tau = np.where(dip.any(axis=1), np.where(dip, cmnd, np.inf).argmin(axis=1), cmnd.argmin(axis=1))
    rows = np.arange(len(tau))
    # parabolic interpolation for sub-sample lag
    left = cmnd[rows, np.maximum(tau - 1, 0)]
    mid = cmnd[rows, tau]
    right = cmnd[rows, np.minimum(tau + 1, max_lag)]
    denom = left - 2 * mid + right
    shift = np.where(np.abs(denom) > 1e-9, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    f0 = SAMPLE_RATE / np.maximum(tau + np.clip(shift, -1, 1), 1.0)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    voiced = (mid < threshold * 1.5) & (level > level.max() - 45) & (f0 >= fmin) & (f0 <= fmax)
    return np.where(voiced, f0, 0.0).astype(np.float32)
