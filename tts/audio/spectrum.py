"""STFT, inverse STFT and log-mel spectrogram in NumPy, with the settings of tts.audio.config (for synthesis and
voice statistics without torch; training uses the batched torch versions in tts.audio.features, which these match)."""

from __future__ import annotations

import functools

import numpy as np

from tts.audio.config import F_MAX, F_MIN, HOP_LENGTH, LOG_MEL_FLOOR, N_FFT, N_MELS, WIN_LENGTH
from tts.audio.mel import mel_filterbank


@functools.lru_cache(maxsize=2)
def hann(length: int) -> np.ndarray:
    """The periodic Hann window (torch.hann_window's default)."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)).astype(np.float32)


def stft_magnitude(wav: np.ndarray) -> np.ndarray:
    """|STFT| [N_FFT // 2 + 1, frames] of a centred, reflect-padded STFT (as torch.stft(center=True))."""
    wav = np.asarray(wav, np.float32)
    padded = np.pad(wav, N_FFT // 2, mode="reflect" if len(wav) > N_FFT // 2 else "constant")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP_LENGTH]
    window = np.pad(hann(WIN_LENGTH), ((N_FFT - WIN_LENGTH) // 2, (N_FFT - WIN_LENGTH + 1) // 2))
    return np.abs(np.fft.rfft(frames * window, axis=1)).T.astype(np.float32)


def log_mel(wav: np.ndarray) -> np.ndarray:
    """Natural-log mel magnitude spectrogram [N_MELS, frames] (tts.audio.features.LogMelSpectrogram)."""
    mel = mel_filterbank(N_FFT, N_MELS, F_MIN, F_MAX) @ stft_magnitude(wav)
    return np.log(np.maximum(mel, LOG_MEL_FLOOR)).astype(np.float32)


def istft(real: np.ndarray, imag: np.ndarray) -> np.ndarray:
    """Spectrum [N_FFT // 2 + 1, frames] -> waveform of (frames - 1) * HOP_LENGTH samples (torch.istft with
    center=True and a Hann window of N_FFT)."""
    frames = real.shape[1]
    window = hann(N_FFT)
    pieces = np.fft.irfft(real.T + 1j * imag.T, n=N_FFT, axis=1).astype(np.float32) * window  # [frames, N_FFT]
    length = N_FFT + HOP_LENGTH * (frames - 1)
    out, envelope = np.zeros(length, np.float32), np.zeros(length, np.float32)
    for k in range(N_FFT // HOP_LENGTH):  # overlap-add: the k-th hop of every frame in one pass
        part = slice(k * HOP_LENGTH, (k + 1) * HOP_LENGTH)
        span = slice(k * HOP_LENGTH, (k + frames) * HOP_LENGTH)
        out[span] += pieces[:, part].reshape(-1)
        envelope[span] += np.tile(window[part] ** 2, frames)
    trim = slice(N_FFT // 2, length - N_FFT // 2)
    return out[trim] / np.maximum(envelope[trim], 1e-11)
