"""Prepared voices cached on disk: a second process reuses the calibration, anything changed prepares afresh."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tts import voice_cache
from tts.synthesizer import Synthesizer
from tts.voices import VoiceProfile

PROFILE = dict(name="clip-voice", adaptation={"method": "reference-statistics-v1", "f0_hz": 180.0,
                                              "mel_mean": [-4.0] * 80, "mel_std": [1.5] * 80})


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(voice_cache.ENV_CACHE_DIR, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _profile() -> VoiceProfile:
    vector = np.random.default_rng(3).standard_normal(256).astype(np.float32)
    return VoiceProfile(embedding=(vector / np.linalg.norm(vector)).tolist(), **PROFILE)


def test_a_new_process_reuses_the_calibration_and_speaks_the_same(tiny_models, cache, monkeypatch):
    first = Synthesizer(*tiny_models, threads=1)
    expected = first.synthesize("Hello there.", voice=_profile())
    assert len(list(cache.glob("*.json"))) == 1

    calls = []
    monkeypatch.setattr("tts.synthesizer.calibrate", lambda *args: calls.append(args))
    second = Synthesizer(*tiny_models, threads=1)  # as a new process would
    assert np.array_equal(second.synthesize("Hello there.", voice=_profile()), expected)
    assert calls == []  # nothing recalibrated


def test_changed_models_or_a_damaged_entry_prepare_the_voice_again(tiny_models, cache, tmp_path):
    acoustic, vocoder = tiny_models
    Synthesizer(acoustic, vocoder, threads=1).prepare(_profile())
    entry = next(cache.glob("*.json"))
    entry.write_text('{"version": 2, "lufs": "x"')  # damaged: ignored, then replaced
    Synthesizer(acoustic, vocoder, threads=1).prepare(_profile())
    assert voice_cache.load(entry.stem) is not None

    copy = tmp_path / "vocoder-copy.onnx"
    copy.write_bytes(vocoder.read_bytes())  # other model files: another entry
    Synthesizer(acoustic, copy, threads=1).prepare(_profile())
    assert len(list(cache.glob("*.json"))) == 2


def test_an_unwritable_cache_is_only_slower(tiny_models, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(voice_cache.ENV_CACHE_DIR, str(blocker / "cache"))
    wav = Synthesizer(*tiny_models, threads=1).synthesize("Hello.", voice=_profile())
    assert len(wav) > 0 and os.listdir(tmp_path) == ["file"]
