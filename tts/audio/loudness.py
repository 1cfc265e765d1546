"""Output levels: loudness as ITU-R BS.1770-4 defines it, and a peak limiter that keeps every sample below full scale.

`loudness` filters with the standard's K-weighting (a high shelf and a high-pass, designed for any sample rate as
the standard's 48 kHz coefficients are), exactly, in the frequency domain with enough zero padding for the filters'
impulse response to die out; then it gates 400 ms blocks (75% overlap) at -70 LUFS and at 10 LU below the
ungated level. tests/test_loudness.py checks it against pyloudnorm."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tts.audio.config import SAMPLE_RATE

TARGET_LUFS = -23.0           # every voice's output level: EBU R128's programme level, with headroom for peaks
PEAK_CEILING = 10 ** (-1.0 / 20)  # -1 dBFS: no sample reaches full scale
_BLOCK_S, _STEP_S = 0.4, 0.1
_ABSOLUTE_GATE, _RELATIVE_GATE = -70.0, -10.0
_TAIL_S = 0.1                 # zero padding for the K-weighting's impulse response (its energy after 0.1 s: 1e-20)


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float], w: np.ndarray) -> np.ndarray:
    z = np.exp(-1j * w)
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)


@lru_cache(maxsize=16)
def k_weighting(n_fft: int, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Complex response of the K-weighting filter at the `n_fft`-point rfft frequencies."""
    w = 2 * np.pi * np.fft.rfftfreq(n_fft)
    # stage 1: high shelf, +4 dB above ~1.7 kHz (the head's acoustic effect)
    k = np.tan(np.pi * 1681.974450955533 / sample_rate)
    q, vh = 0.7071752369554196, 10 ** (3.999843853973347 / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = _biquad_response(((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
                             (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), w)
    # stage 2: high-pass at ~38 Hz (RLB weighting)
    k = np.tan(np.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    highpass = _biquad_response((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), w)
    return shelf * highpass


def _fft_size(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n (sizes the FFT handles fastest)."""
    best, power5 = 1 << max(n - 1, 1).bit_length(), 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            size = power35 << max(0, (n - 1) // power35).bit_length()  # times the smallest power of 2 reaching n
            best = min(best, size)
            power35 *= 3
        power5 *= 5
    return best


def loudness(wav: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness of a mono waveform in LUFS; -inf for silence. Shorter than 400 ms: one block."""
    x = np.asarray(wav, dtype=np.float64)
    if x.size == 0:
        return float("-inf")
    n_fft = _fft_size(len(x) + int(_TAIL_S * sample_rate))
    y = np.fft.irfft(np.fft.rfft(x, n_fft) * k_weighting(n_fft, sample_rate), n_fft)[: len(x)]
    block, step = int(_BLOCK_S * sample_rate), int(_STEP_S * sample_rate)
    power = np.concatenate([[0.0], np.cumsum(y * y)])
    starts = np.arange(0, max(len(y) - block, 0) + 1, step)
    ends = np.minimum(starts + block, len(y))
    z = (power[ends] - power[starts]) / (ends - starts)
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(z)
    gated = z[block_lufs > _ABSOLUTE_GATE]
    if gated.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(gated.mean()) + _RELATIVE_GATE
    gated = z[(block_lufs > _ABSOLUTE_GATE) & (block_lufs > relative)]
    return float(-0.691 + 10 * np.log10(gated.mean()))


def _running_min(x: np.ndarray, radius: int) -> np.ndarray:
    """Minimum over [i - radius, i + radius] for every i (van Herk / Gil-Werman, vectorised)."""
    width = 2 * radius + 1
    n = len(x)
    padded = np.concatenate([np.full(radius, np.inf), x, np.full(radius + (-(n + 2 * radius)) % width, np.inf)])
    blocks = padded.reshape(-1, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:n], prefix[width - 1 : width - 1 + n])


def limit_peaks(wav: np.ndarray, ceiling: float = PEAK_CEILING, radius_s: float = 0.004,
                sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Keep every sample within +-`ceiling` with a smooth gain dip around each peak (no clipping distortion).

    The gain each sample needs is spread over +-`radius_s` by a running minimum, then smoothed by a moving average
    of the same width, which can only lower it further; audio below the ceiling is returned unchanged."""
    peak = np.abs(wav)
    if wav.size == 0 or peak.max() < ceiling:
        return wav
    radius = max(1, int(radius_s * sample_rate))
    need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    spread = _running_min(need, radius)
    cumulative = np.concatenate([[0.0], np.cumsum(np.pad(spread, radius, mode="edge"))])
    gain = (cumulative[2 * radius + 1 :] - cumulative[: -2 * radius - 1]) / (2 * radius + 1)
    return np.clip(wav * gain, -ceiling, ceiling).astype(wav.dtype)


def gain_to_target(measured_lufs: float, volume_db: float = 0.0) -> float:
    """Linear gain that brings audio measured at `measured_lufs` to the target loudness plus `volume_db`."""
    if not np.isfinite(measured_lufs):
        return 1.0
    return float(10 ** ((TARGET_LUFS + volume_db - measured_lufs) / 20))
