"""Loudness (ITU-R BS.1770-4) and the peak limiter."""

import numpy as np
import pytest

from tts.audio.loudness import PEAK_CEILING, TARGET_LUFS, gain_to_target, limit_peaks, loudness

SR = 16000


def _sine(freq: float, seconds: float, amplitude: float, sr: int = SR) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr)


@pytest.mark.parametrize("sr", [16000, 48000])
def test_full_scale_997_hz_sine_reads_minus_3_lufs(sr):
    # the standard's own check: a 0 dBFS 997 Hz sine in one channel measures -3.01 LKFS
    assert loudness(_sine(997, 5, 1.0, sr), sr) == pytest.approx(-3.01, abs=0.05)


def test_matches_pyloudnorm_on_speech_like_noise():
    pyln = pytest.importorskip("pyloudnorm")
    rng = np.random.default_rng(0)
    # amplitude-modulated noise with pauses, like speech at the level of a quiet recording
    envelope = np.repeat(rng.uniform(0.0, 1.0, 40) ** 2, SR // 8)
    x = 0.1 * rng.standard_normal(len(envelope)) * envelope
    # pyloudnorm designs the K-weighting by the audio cookbook's formulas, not the standard's, at 16 kHz: ~0.15 LU apart
    assert loudness(x) == pytest.approx(pyln.Meter(SR).integrated_loudness(x), abs=0.3)


def test_gain_scales_loudness_and_gating_ignores_silence():
    x = _sine(440, 2, 0.1)
    assert loudness(2 * x) - loudness(x) == pytest.approx(20 * np.log10(2), abs=1e-6)
    with_pause = np.concatenate([x, np.zeros(4 * SR)])
    assert loudness(with_pause) == pytest.approx(loudness(x), abs=0.5)  # only blocks at the edge count partly
    assert loudness(np.zeros(SR)) == float("-inf")
    assert np.isfinite(loudness(_sine(440, 0.2, 0.1)))  # shorter than one 400 ms block


def test_gain_to_target_reaches_the_target():
    x = _sine(440, 3, 0.05)
    assert loudness(x * gain_to_target(loudness(x))) == pytest.approx(TARGET_LUFS, abs=0.01)
    assert loudness(x * gain_to_target(loudness(x), -6.0)) == pytest.approx(TARGET_LUFS - 6.0, abs=0.01)
    assert gain_to_target(float("-inf")) == 1.0


def test_limiter_keeps_samples_below_full_scale_and_leaves_quiet_audio_alone():
    quiet = _sine(200, 1, 0.5).astype(np.float32)
    assert limit_peaks(quiet) is quiet
    loud = quiet * 3.0
    loud[8000:8010] = 1.26
    limited = limit_peaks(loud)
    assert np.abs(limited).max() <= PEAK_CEILING
    assert limited.dtype == np.float32
    # a smooth gain, not clipping: the limited waveform keeps the sine's shape (correlation with the original)
    assert np.corrcoef(limited, loud)[0, 1] > 0.99
