"""Per-voice adaptation (tts.adaptation): reference statistics, their validation, and calibration."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tts.acoustic.model import LOG_F0_MEAN, LOG_F0_SCALE
from tts.adaptation import Calibration, calibrate, distinctive, measure, reference_stats
from tts.audio.config import N_MELS
from tts.voices import ADAPTATION_BANDS, VoiceError, VoiceProfile
from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE

SR = 16000


def tone(f0: float, seconds: float = 2.0, tilt: float = 1.0, seed: int = 0) -> np.ndarray:
    """A voiced stand-in: harmonics of f0 (with a slow vibrato) falling off as k**-tilt, in bursts."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    f = f0 * (1 + 0.03 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(f) / SR
    wav = sum(k ** -tilt * np.sin(k * phase) for k in range(1, 40) if k * f0 < 7500)
    wav *= np.clip(np.sin(2 * np.pi * 1.5 * t), 0.05, None)
    return (0.3 * wav / np.abs(wav).max() + 1e-4 * rng.standard_normal(len(t))).astype(np.float32)


def test_reference_stats_measure_pitch_and_spectral_balance():
    low, high = reference_stats([tone(110), tone(112, seed=1)]), reference_stats([tone(230)])
    assert low["f0_hz"] == pytest.approx(111, rel=0.04) and high["f0_hz"] == pytest.approx(230, rel=0.04)
    assert len(low["mel_mean"]) == len(low["mel_std"]) == N_MELS == ADAPTATION_BANDS
    bright, dull = reference_stats([tone(150, tilt=1.0)]), reference_stats([tone(150, tilt=2.5)])
    balance = [np.mean(s["mel_mean"][50:]) - np.mean(s["mel_mean"][:20]) for s in (bright, dull)]
    assert balance[1] < balance[0] - 1.0  # the steeper tilt is measured as less energy in the high bands
    assert reference_stats([np.zeros(SR * 3, np.float32)]) is None  # nothing voiced: no statistics


def test_profiles_keep_valid_statistics_and_refuse_malformed_ones(tmp_path):
    embedding = (np.ones(256) / 16).tolist()
    stats = reference_stats([tone(150)])
    profile = VoiceProfile("ann", embedding, adaptation=stats)
    path = tmp_path / "ann.json"
    path.write_text(profile.to_json())
    assert VoiceProfile.from_file(path).adaptation == json.loads(json.dumps(stats))
    bad = [{**stats, "method": "other"}, {**stats, "mel_mean": stats["mel_mean"][:-1]},
           {**stats, "mel_std": [0.0] * N_MELS}, {**stats, "f0_hz": float("nan")}, {**stats, "extra": 1}, [1, 2]]
    for record in bad:
        with pytest.raises(VoiceError, match="adaptation"):
            VoiceProfile.from_dict({**profile.to_dict(), "adaptation": record}, "test profile")


def test_distinctive_embeddings_move_away_from_the_training_voices():
    rng = np.random.default_rng(0)
    unit = lambda v: (v / np.linalg.norm(v)).astype(np.float32)
    centre = unit(rng.standard_normal(256))
    voice = unit(centre + 0.8 * rng.standard_normal(256) / 16)
    moved = distinctive(voice, centre)
    assert abs(float(np.linalg.norm(moved)) - 1) < 1e-5
    assert float(moved @ centre) < float(voice @ centre) and float(moved @ voice) > 0.95


def test_calibration_reaches_the_reference_pitch_through_a_model_that_does_not_follow_exactly():
    """A stand-in renderer whose output pitch follows the requested level only partly, with an offset."""
    def render(text: str, calibration: Calibration) -> np.ndarray:
        level = 0.0 if calibration.pitch_level is None else calibration.pitch_level
        return tone(20 + 0.8 * math.exp(LOG_F0_MEAN + 0.7 * LOG_F0_SCALE * level), seed=len(text))

    target = reference_stats([tone(210), tone(205, seed=3)])
    calibration = calibrate(render, target)
    f0, _, _ = measure([render("check", calibration)])
    assert f0 == pytest.approx(target["f0_hz"], rel=0.05)
    assert abs(float(calibration.offset.mean())) < 1e-5  # spectral shape only: loudness is left alone
    mel = np.random.default_rng(0).standard_normal((N_MELS, 10)).astype(np.float32)
    assert np.allclose(Calibration.identity().apply(mel), mel)


@pytest.mark.skipif(not (ACOUSTIC_FILE.is_file() and VOCODER_FILE.is_file()), reason="needs the shipped models")
def test_an_adapted_voice_sounds_closer_to_its_clips():
    """Reference clips: the default voice made brighter. A profile of them, with its statistics, must come out
    near their spectral balance and keep their pitch; the bare embedding stays as dull as before."""
    from tts.synthesizer import PreparedVoice, Synthesizer

    synth = Synthesizer(threads=2)
    plain = synth.prepare(None)
    brighter = Calibration(None, np.zeros(N_MELS, np.float32), np.ones(N_MELS, np.float32),
                           np.linspace(-0.6, 0.6, N_MELS, dtype=np.float32))
    altered = PreparedVoice(plain.embedding, brighter)
    texts = ("A clear morning broke over the hills.", "She read the letter twice, then smiled.",
             "We will meet again at the station.", "The boat drifted slowly towards the shore.")
    render = lambda text, voice: np.concatenate([synth._render(c.ids, voice, 1.0, 0.0)
                                                 for c in synth.frontend.iter_chunks(text)])
    stats = reference_stats([render(text, altered) for text in texts])
    brightening = np.asarray(stats["mel_mean"]) - measure([render(text, plain) for text in texts])[1]
    profile = VoiceProfile("brighter", plain.embedding.tolist(), adaptation=stats)
    text = "Every evening the lamps along the harbour were lit one by one, and the streets grew quiet."
    f0_plain, mean_plain, _ = measure([synth.synthesize(text), synth.synthesize(text.upper())])
    f0_adapted, mean_adapted, _ = measure([synth.synthesize(text, profile), synth.synthesize(text.upper(), profile)])
    semitones = lambda f: abs(12 * math.log2(f / stats["f0_hz"]))
    # the adapted voice keeps the clips' pitch; the plain one differs only by how this text's pitch varies
    assert semitones(f0_adapted) < 1.0 and semitones(f0_plain) < 1.5
    tilt = brightening - brightening.mean()  # how much brighter the clips came out than the plain voice
    change = mean_adapted - mean_plain
    change -= change.mean()
    gain = float(change @ tilt / (tilt @ tilt))
    assert 0.35 < gain < 1.4 and np.corrcoef(change, tilt)[0, 1] > 0.8  # brighter, as the clips were
