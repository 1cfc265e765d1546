"""The Synthesizer library API, with tiny models (fast; they do not sound like speech)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tts.synthesizer import Synthesizer, TextError
from tts.voices import VoiceError


@pytest.fixture(scope="module")
def synth(tiny_models) -> Synthesizer:
    acoustic, vocoder = tiny_models
    return Synthesizer(acoustic, vocoder, threads=2)


def test_text_becomes_float_audio_with_pauses_between_sentences(synth):
    one = synth.synthesize("Hello there.")
    two = synth.synthesize("Hello there. Hello there.")
    assert one.dtype == np.float32 and one.ndim == 1 and len(one) > 0
    assert len(two) > 2 * len(one)  # second sentence plus the pause between them


def test_speed_changes_duration(synth):
    normal = synth.synthesize("A slightly longer sentence to measure.")
    fast = synth.synthesize("A slightly longer sentence to measure.", speed=2.0)
    assert len(fast) < len(normal)


@pytest.mark.parametrize("text", ["", "   ", "?!...", "🙂🙂"])
def test_unspeakable_text_is_rejected(synth, text):
    with pytest.raises(TextError, match="nothing to say"):
        synth.synthesize(text)


def test_bad_settings_and_voices_are_rejected(synth):
    with pytest.raises(ValueError, match="speed"):
        synth.synthesize("Hi.", speed=0)
    with pytest.raises(ValueError, match="pitch"):
        synth.synthesize("Hi.", pitch=40)
    with pytest.raises(VoiceError, match="unknown voice"):
        synth.synthesize("Hi.", voice="nobody")
    with pytest.raises(VoiceError, match="invalid voice name"):
        synth.synthesize("Hi.", voice="../x")


def test_100k_characters_stream_chunk_by_chunk(synth):
    text = ("This sentence is part of a very long text. " * 2400)[:100_000]
    start = time.perf_counter()
    pieces = synth.stream(text)
    first = next(pieces)
    assert time.perf_counter() - start < 5  # the first audio does not wait for the whole text
    assert len(first) > 0 and all(len(next(pieces)) > 0 for _ in range(20))
    pieces.close()
    assert sum(1 for _ in synth.frontend.iter_chunks(text)) > 1000  # all of it would be spoken, piece by piece


def _other_voices(n: int) -> list[np.ndarray]:
    """Bare embeddings away from the default voice (unit vectors, as the speaker encoder makes)."""
    from tts.voices import load_voice

    rng = np.random.default_rng(0)
    voices = []
    for _ in range(n):
        v = load_voice(None).vector + 0.6 * rng.standard_normal(256).astype(np.float32) / 16
        voices.append(v / np.linalg.norm(v))
    return voices


def test_every_voice_speaks_at_the_target_loudness_without_full_scale_samples():
    from tts.audio.loudness import TARGET_LUFS, loudness

    synth = Synthesizer(threads=2)  # the shipped models: levels are about real voices
    text = "Please call Stella. Ask her to bring these things with her from the store. Six spoons of fresh snow peas."
    levels = []
    for voice in [None, *_other_voices(2)]:
        wav = synth.synthesize(text, voice=voice)
        levels.append(loudness(wav))
        assert np.abs(wav).max() < 1.0
    assert max(abs(level - TARGET_LUFS) for level in levels) < 1.0, levels
    quiet, loud = synth.synthesize(text, volume=-6.0), synth.synthesize(text, volume=9.0)
    assert loudness(quiet) == pytest.approx(levels[0] - 6.0, abs=0.3)
    assert np.abs(loud).max() < 1.0  # +9 dB pushes peaks into the limiter, never to full scale


def test_volume_out_of_range_is_rejected(synth):
    for volume in (-31.0, 10.0, float("nan")):
        with pytest.raises(ValueError, match="volume"):
            synth.synthesize("Hi.", volume=volume)


def test_chunks_say_what_they_contain_and_when(tiny_models):
    from tts.synthesizer import Synthesizer

    synth = Synthesizer(*tiny_models, threads=1)
    text = "Hello there. How are you today?"
    chunks = list(synth.chunks(text))
    assert [c.text for c in chunks] == ["Hello there.", "How are you today?"]
    assert np.array_equal(np.concatenate([c.audio for c in chunks]), synth.synthesize(text))
    assert chunks[1].start == len(chunks[0].audio)
    for chunk in chunks:
        assert len(chunk.frames) == len(chunk.phonemes) and chunk.speech_samples <= len(chunk.audio)
        times = chunk.phoneme_times
        assert times[0][1] == chunk.start / 16000 and all(a[2] == b[1] for a, b in zip(times, times[1:]))
        assert times[-1][2] * 16000 <= chunk.start + chunk.speech_samples + 256
