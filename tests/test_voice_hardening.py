"""Issue 14, voice parts: crafted voice files, hostile files in the voices folder, hostile clips. Each must end in a
one-line error (or correct output), exit code 1 where it fails, no traceback and nothing left behind."""

from __future__ import annotations

import functools
import json
import os
import signal
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tts.encoder.enroll import Enrollment, EnrollmentError, analyse_clips, consent_for, speech_seconds
from tts.voices import (ADAPTATION_METHOD, DEFAULT_VOICE, VoiceError, VoiceLibrary, VoiceProfile, canonical_hash,
                        load_voice)

runner = CliRunner()
SR = 16000
CONSENT = ["--consent", "Generated test speaker: nobody's voice"]


def good_profile() -> dict:
    """A valid profile with every field set (consent and adaptation included)."""
    vector = np.abs(np.random.default_rng(0).standard_normal(256))
    return {"schema_version": 1, "name": "alice", "description": "generated", "created_at": "2026-11-27T10:00:00+00:00",
            "encoder": "ge2e-resemblyzer-v1", "embedding": [float(x) for x in vector / np.linalg.norm(vector)],
            "clips": [{"sha256": "ab" * 32, "seconds": 4.2, "speech_seconds": 3.9}],
            "consent": {"statement": "Alice agreed in writing", "confirmed_at": "2026-11-27T10:00:00+00:00",
                        "method": "flag", "clips": ["ab" * 32]},
            "adaptation": {"method": ADAPTATION_METHOD, "f0_hz": 150.0, "mel_mean": [-4.0] * 80, "mel_std": [1.5] * 80}}


def voice_file(folder: Path, profile: dict, name: str = "shared.voice.json") -> Path:
    """An exported voice file holding `profile`, with its integrity hash recomputed (as an attacker can)."""
    path = folder / name
    path.write_text(json.dumps({"format": "tts-voice", "format_version": 1, "sha256": canonical_hash(profile),
                                "profile": profile}))
    return path


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output and not isinstance(result.exception, (RecursionError, OverflowError,
                                                                                   MemoryError, OSError))
    return result


def one_line_error(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


# --- 1: every field of a profile is checked against physical ranges ----------------------------------------

def with_change(path: str, value) -> dict:
    """good_profile() with the field at dotted `path` (list indexes as numbers) set to `value`."""
    profile = good_profile()
    *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
    target = functools.reduce(lambda d, k: d[k], parents, profile)
    target[last] = value
    return profile


HUGE = 10 ** 400

BAD_FIELDS = [
    ("adaptation.mel_mean", [1e300] * 80, "mel_mean"), ("adaptation.mel_std", [1e-300] * 80, "mel_std"),
    ("adaptation.mel_mean", [5.0] * 80, "mel_mean"), ("adaptation.mel_mean", [-20.0] * 80, "mel_mean"),
    ("adaptation.mel_std", [0.0] * 80, "mel_std"), ("adaptation.mel_std", [50.0] * 80, "mel_std"),
    ("adaptation.f0_hz", 10.0, "f0_hz"), ("adaptation.f0_hz", 5000, "f0_hz"), ("adaptation.f0_hz", HUGE, "f0_hz"),
    ("adaptation.f0_hz", True, "f0_hz"), ("embedding.0", HUGE, "embedding"), ("embedding.0", 1e300, "embedding"),
    ("embedding.0", float("inf"), "embedding"), ("clips.0.seconds", HUGE, "clips"),
    ("clips.0.seconds", -1.0, "clips"), ("clips.0.seconds", 1e9, "clips"), ("clips.0.speech_seconds", HUGE, "clips"),
    ("clips.0.extra", 1, "clips"), ("clips", [{"sha256": "ab" * 32, "seconds": 1.0}] * 101, "clips"),
    ("schema_version", True, "schema version True"), ("schema_version", 1.0, "schema version 1.0"),
    ("schema_version", "1", "schema version '1'"), ("description", "x" * 2001, "'description' has 2001 characters"),
    ("created_at", "yesterday", "created_at"), ("created_at", 5, "created_at"),
    ("consent.statement", "x" * 2001, "consent.statement"), ("consent.method", "magic", "consent.method"),
    ("consent.confirmed_at", "x" * 100, "confirmed_at"), ("consent.clips", ["not a hash"], "consent.clips"),
    ("consent.extra", 1, "'consent' may only have"), ("encoder", "\x1b[2J" + "e" * 10, "speaker encoder '\\x1b[2Jeeee"),
    ("encoder", "e" * 100, "'encoder' has 100 characters"),
]


@pytest.mark.parametrize("path, value, message", BAD_FIELDS, ids=[f"{p}={str(v)[:12]}" for p, v, _ in BAD_FIELDS])
def test_every_field_is_checked(path, value, message):
    with pytest.raises(VoiceError, match="^[^\x1b]*$") as error:
        VoiceProfile.from_dict(with_change(path, value), "test profile")
    assert message in str(error.value)


def test_a_good_profile_passes():
    assert VoiceProfile.from_dict(good_profile(), "test profile").name == "alice"


def test_crafted_statistics_are_refused_at_import_and_nothing_is_written(tmp_path):
    """mel_mean 1e300 with mel_std 1e-300 used to import cleanly and synthesise NaN written as full-scale noise."""
    voices_dir = tmp_path / "voices"
    crafted = voice_file(tmp_path, with_change("adaptation", {"method": ADAPTATION_METHOD, "f0_hz": 150.0,
                                                              "mel_mean": [1e300] * 80, "mel_std": [1e-300] * 80}))
    one_line_error(invoke("voices", "import", str(crafted), "--voices-dir", str(voices_dir)), "adaptation.mel_mean")
    assert not voices_dir.exists() or not list(voices_dir.iterdir())


def test_enrollments_pass_the_same_validator():
    """The profile of `tts say --ref` lives only in memory: it is checked as an imported one is."""
    enrollment = Enrollment([], np.ones(256, np.float32) / 16,
                            adaptation={"method": ADAPTATION_METHOD, "f0_hz": 150.0, "mel_mean": [99.0] * 80,
                                        "mel_std": [1.0] * 80})
    enrollment.require_enough_speech = lambda: None  # no clips here: only the validation is tested
    with pytest.raises(VoiceError, match="mel_mean"):
        enrollment.profile("reference", consent=consent_for(enrollment, "Generated test voice: nobody's"))


@pytest.fixture
def tiny_synth(tiny_models, monkeypatch):
    """tts.synthesizer.Synthesizer with the tiny random models (the checks, not the sound, are tested)."""
    import tts.synthesizer

    acoustic, vocoder = tiny_models
    monkeypatch.setattr(tts.synthesizer, "Synthesizer",
                        functools.partial(tts.synthesizer.Synthesizer, acoustic=acoustic, vocoder=vocoder))
    return tts.synthesizer.Synthesizer


def test_the_synthesizer_refuses_non_finite_or_absurd_audio(tiny_synth, monkeypatch):
    from tts.runtime.vocoder import VocoderRuntime

    synth = tiny_synth(threads=1)
    assert np.all(np.isfinite(synth.synthesize("Hello.")))
    call = VocoderRuntime.__call__
    for scale, message in ((float("nan"), "NaN or infinite"), (float("inf"), "NaN or infinite"),
                           (1e4, "far beyond full scale")):
        monkeypatch.setattr(VocoderRuntime, "__call__", lambda self, mel: call(self, mel) * scale)
        with pytest.raises(VoiceError, match=message):
            synth.synthesize("Hello.")
        with pytest.raises(VoiceError, match=message):  # every voice source: here a bare embedding
            next(synth.stream("Hello.", np.ones(256, np.float32) / 16))


@pytest.mark.parametrize("output", ["out.wav", "-"])
def test_say_writes_nothing_when_the_audio_is_invalid(tiny_synth, monkeypatch, tmp_path, output):
    from tts.runtime.vocoder import VocoderRuntime

    monkeypatch.setattr(VocoderRuntime, "__call__", lambda self, mel: np.full(4000, np.nan, np.float32))
    monkeypatch.chdir(tmp_path)
    result = invoke("say", "Hello there.", "-o", output)
    assert result.exit_code == 1 and "error: synthesis gave invalid audio (NaN" in result.output
    assert "Traceback" not in result.output and not result.stdout_bytes.startswith(b"RIFF")
    assert not list(tmp_path.iterdir())  # no file, no .part


# --- 6: numbers, nesting and sizes that used to raise tracebacks -------------------------------------------

@pytest.mark.parametrize("path", ["embedding.3", "clips.0.seconds", "adaptation.f0_hz"])
def test_huge_integers_in_a_voice_file_are_refused(tmp_path, path):
    crafted = voice_file(tmp_path, with_change(path, HUGE))
    one_line_error(invoke("voices", "import", str(crafted), "--voices-dir", str(tmp_path / "v")),
                   "is not a valid voice profile" if "embedding" not in path else "invalid embedding")


def test_deep_nesting_and_huge_files_are_refused_before_parsing(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    one_line_error(invoke("voices", "import", str(deep), "--voices-dir", str(tmp_path / "v")), "nests more than")
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"format": "tts-voice", "padding": " " * (11 << 20)}))  # exports hold up to 10 MiB
    one_line_error(invoke("voices", "import", str(big), "--voices-dir", str(tmp_path / "v")), "larger than 10 MiB")
    tricky = tmp_path / "tricky.json"  # brackets inside strings, escaped quotes: not nesting
    tricky.write_text(json.dumps({"format": "tts-voice", "x": "[[[[[[[[[[\\\"{{{{{{{{{{"}))
    one_line_error(invoke("voices", "import", str(tricky), "--voices-dir", str(tmp_path / "v")), "format version")


def write_wav_claiming_rate(path: Path, seconds: float, rate: int) -> Path:
    """A 16 kHz PCM WAV whose header then claims `rate` (as a broken or crafted file may)."""
    sf.write(path, np.zeros(int(seconds * SR), np.float32), SR, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    data[24:32] = struct.pack("<II", rate, rate * 2)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("seconds", [5.0, 0.002])  # 80,000 s by the header; 32 s by the header (then refused by rate)
def test_a_one_hertz_wav_is_refused_before_anything_is_allocated(tmp_path, seconds):
    clip = write_wav_claiming_rate(tmp_path / "one-hertz.wav", seconds, 1)
    result = invoke("enroll", "zed", str(clip), *CONSENT, "--voices-dir", str(tmp_path / "v"))
    one_line_error(result, "1 Hz")


# --- 7: the voices folder, terminal output, text caps, names, noise, long clips, odd files -----------------

@pytest.fixture
def alarm():
    """Fail instead of hanging (a FIFO opened for reading waits for a writer forever)."""
    def timeout(*_):
        raise TimeoutError("hung")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_voices_list_skips_bad_files_with_a_warning(tmp_path, alarm):
    voices_dir = tmp_path / "voices"
    VoiceLibrary(voices_dir).save(VoiceProfile.from_dict(good_profile(), "test"))
    os.mkfifo(voices_dir / "fifo.json")
    (voices_dir / "folder.json").mkdir()
    (voices_dir / "loop.json").symlink_to("loop.json")
    (voices_dir / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (voices_dir / "huge.json").write_text(" " * (2 << 20))
    (voices_dir / "broken.json").write_text("{not json")
    (voices_dir / "bigint.json").write_text(json.dumps(with_change("embedding.0", HUGE)))
    result = invoke("voices", "list", "--voices-dir", str(voices_dir))
    assert result.exit_code == 0, result.output
    assert any(line.startswith("alice ") for line in result.stdout.splitlines())
    assert DEFAULT_VOICE in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: skipped")]
    expected = {"fifo": "not a regular file", "folder": "is a folder", "loop": "symlink loop",
                "deep": "nests more than", "huge": "larger than 1 MiB", "broken": "not valid JSON",
                "bigint": "invalid embedding"}
    assert len(warnings) == len(expected), result.stderr
    for name, message in expected.items():
        assert any(f"skipped {name}:" in w and message in w for w in warnings), (name, result.stderr)
    with pytest.raises(VoiceError, match="not a regular file"):
        load_voice("fifo", voices_dir)
    one_line_error(invoke("voices", "remove", "folder", "--voices-dir", str(voices_dir)), "is a folder")


def test_control_characters_from_a_voice_never_reach_the_terminal(tmp_path):
    hostile = "\x1b[2J\x1b]0;pwned\x07\rfake line\u202e\x9b"
    profile = with_change("description", hostile)
    profile["consent"]["statement"] = hostile
    voices_dir = tmp_path / "voices"
    assert invoke("voices", "import", str(voice_file(tmp_path, profile)), "--voices-dir", str(voices_dir)
                  ).exit_code == 0
    for args in (("voices", "list"), ("voices", "show", "alice")):
        result = invoke(*args, "--voices-dir", str(voices_dir))
        assert result.exit_code == 0, result.output
        assert not set("\x1b\x07\r\u202e\x9b") & set(result.output)
        assert "\\x1b[2J" in result.output and "fake line" in result.output
    crafted = voice_file(tmp_path, with_change("name", "\x1b[31mred"), "named.json")
    result = invoke("voices", "import", str(crafted), "--voices-dir", str(voices_dir))
    one_line_error(result, "invalid voice name '\\x1b[31mred'")


def test_import_refuses_an_empty_name(tmp_path):
    voices_dir = tmp_path / "voices"
    shared = voice_file(tmp_path, good_profile())
    one_line_error(invoke("voices", "import", str(shared), "--name", "", "--voices-dir", str(voices_dir)),
                   "the name is empty")
    assert not voices_dir.exists() or not list(voices_dir.iterdir())
    with pytest.raises(VoiceError, match="the name is empty"):
        VoiceLibrary(voices_dir).import_(shared, name="")


def test_enroll_caps_text_before_any_audio_work(tmp_path):
    never_read = str(tmp_path / "never-read.wav")
    result = invoke("enroll", "zed", never_read, "--description", "x" * 2001, *CONSENT,
                    "--voices-dir", str(tmp_path / "v"))
    one_line_error(result, "the description has 2001 characters; the limit is 2000")
    result = invoke("enroll", "zed", never_read, "--consent", "x" * 2001, "--voices-dir", str(tmp_path / "v"))
    one_line_error(result, "the consent statement has 2001 characters")


def harmonic_voice(seconds: float, f0: float = 120.0) -> np.ndarray:
    """Voice-like: harmonics of a slowly moving pitch in syllable-like bursts."""
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.05 * np.sin(2 * np.pi * 0.8 * t))) / SR
    wav = sum(k ** -1.0 * np.sin(k * phase) for k in range(1, 30) if k * f0 < 7000)
    wav *= np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 0.5
    return (0.3 * wav / np.abs(wav).max()).astype(np.float32)


def test_noise_is_not_speech(tmp_path):
    rng = np.random.default_rng(0)
    noises = {"white": 0.3 * rng.standard_normal(5 * SR), "loud white": np.clip(rng.standard_normal(5 * SR), -1, 1),
              "brown": np.cumsum(rng.standard_normal(5 * SR)) / 300}
    for name, noise in noises.items():
        assert speech_seconds(noise.astype(np.float32)) < 0.2, name
    voice = harmonic_voice(5)
    assert 2.0 < speech_seconds(voice) <= 5.0
    assert speech_seconds(voice + 0.03 * rng.standard_normal(len(voice)).astype(np.float32)) > 2.0  # noisy speech
    noise = tmp_path / "noise.wav"
    sf.write(noise, noises["white"].astype(np.float32), SR)
    result = invoke("enroll", "zed", str(noise), *CONSENT, "--voices-dir", str(tmp_path / "v"))
    assert result.exit_code == 1 and "error: only 0.0 s of speech" in result.output
    assert "warning: noise.wav: no speech found" in result.output


def test_float_clips_beyond_full_scale_still_make_a_valid_voice(tmp_path):
    clip = tmp_path / "hot.wav"
    sf.write(clip, 100 * harmonic_voice(8), SR, subtype="FLOAT")  # unscaled, its log-mel means would reach 4.4
    enrollment = analyse_clips([clip])
    profile = enrollment.profile("hot", consent=consent_for(enrollment, "Generated test voice: nobody's"))
    assert max(profile.adaptation["mel_mean"]) < 4.0


def test_too_many_clips_are_refused_before_any_is_read(tmp_path):
    with pytest.raises(EnrollmentError, match="101 clips given; the limit is 100"):
        analyse_clips([tmp_path / f"never-read-{i}.wav" for i in range(101)])


def test_clips_over_a_minute_are_refused_before_they_are_decoded(tmp_path, monkeypatch):
    import tts.encoder.enroll

    clip = tmp_path / "long.wav"
    sf.write(clip, np.zeros(61 * SR, np.int16), SR, subtype="PCM_16")
    monkeypatch.setattr(tts.encoder.enroll, "load_audio", lambda path: pytest.fail("decoded"))
    result = invoke("enroll", "zed", str(clip), *CONSENT, "--voices-dir", str(tmp_path / "v"))
    one_line_error(result, "lasts 61 s")
    assert "at most 60 s" in result.output and "cut it into shorter clips" in result.output


def odd_paths(folder: Path) -> dict[str, Path]:
    os.mkfifo(folder / "fifo.wav")
    (folder / "folder.wav").mkdir()
    (folder / "loop.wav").symlink_to("loop.wav")
    return {"is a folder": folder / "folder.wav", "not a regular file": folder / "fifo.wav",
            "symlink loop": folder / "loop.wav", "not found": folder / "missing.wav"}


def test_odd_files_are_reported_as_what_they_are(tmp_path, alarm):
    for message, path in odd_paths(tmp_path).items():
        result = invoke("voices", "import", str(path), "--voices-dir", str(tmp_path / "v"))
        one_line_error(result, message)
        result = invoke("enroll", "zed", str(path), *CONSENT, "--voices-dir", str(tmp_path / "v"))
        one_line_error(result, message)
    assert not (tmp_path / "v").exists()
