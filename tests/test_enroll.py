"""`tts enroll` and `tts say --ref`: generated "speakers" (harmonic signals) and, where present, the dev clips."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tts.encoder.enroll import CONSISTENCY_WARN, analyse_clips, consent_for
from tts.errors import TTSError
from tts.voices import VoiceLibrary

DEV_REFS = Path(__file__).resolve().parents[1].parent / "shared/eval/dev/refs"
SR = 16000
runner = CliRunner()


def voice(f0: float, seconds: float, seed: int, tilt: float) -> np.ndarray:
    """A stand-in speaker: a harmonic tone (pitch f0, spectral tilt) in syllable-like bursts with pauses.
    Clips of one (f0, tilt) embed close together (cosine > 0.9); the two used here, far apart (~0.45)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    f = f0 * (1 + 0.06 * np.sin(2 * np.pi * rng.uniform(0.5, 1.5) * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f) / SR
    wav = sum(k ** -tilt * np.sin(k * phase) for k in range(1, 30) if k * f0 < 7000)
    envelope = np.clip(np.sin(2 * np.pi * rng.uniform(2.5, 3.5) * t), 0, None) ** 0.5
    envelope *= np.sin(2 * np.pi * 0.25 * t + rng.uniform(0, 6)) > -0.8
    wav = wav * envelope
    return (0.3 * wav / np.abs(wav).max() + 1e-3 * rng.standard_normal(len(t))).astype(np.float32)


def low_voice(seconds: float, seed: int) -> np.ndarray:
    return voice(110, seconds, seed, 1.0)


def high_voice(seconds: float, seed: int) -> np.ndarray:
    return voice(240, seconds, 100 + seed, 2.0)


def write(folder: Path, name: str, wav: np.ndarray, rate: int = SR) -> Path:
    path = folder / name
    if rate != SR:
        import soxr

        wav = soxr.resample(wav, SR, rate)
    sf.write(path, wav, rate)
    return path


CONSENT = ["--consent", "Generated test speaker: nobody's voice"]


def enroll(voices_dir: Path, *args: str):
    return runner.invoke(app, ["enroll", *args, *CONSENT, "--voices-dir", str(voices_dir)])


def test_enroll_happy_path_any_format_and_rate(tmp_path):
    clips = [write(tmp_path, "a.wav", low_voice(5, 0)), write(tmp_path, "b.flac", low_voice(5, 1), 44100),
             write(tmp_path, "c.ogg", low_voice(5, 2), 22050)]
    voices_dir = tmp_path / "voices"
    result = enroll(voices_dir, "alice", *map(str, clips), "--description", "generated")
    assert result.exit_code == 0, result.output
    assert "consistency" in result.output and "b.flac" in result.output and "saved voice 'alice'" in result.output
    assert "warning" not in result.output and "only one clip" not in result.output
    profile = VoiceLibrary(voices_dir).get("alice")
    assert profile.description == "generated" and len(profile.clips) == 3
    assert profile.consent["statement"] == CONSENT[1] and profile.consent["method"] == "declared"
    assert profile.clips[1]["seconds"] == pytest.approx(5.0, abs=0.05)
    assert abs(np.linalg.norm(profile.vector) - 1) < 1e-4
    assert profile.adaptation["f0_hz"] == pytest.approx(110, rel=0.05)  # the clips' pitch, for tts.adaptation
    import hashlib
    assert profile.clips[0]["sha256"] == hashlib.sha256(clips[0].read_bytes()).hexdigest()

    result = enroll(voices_dir, "alice", str(clips[0]), str(clips[1]))
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert enroll(voices_dir, "alice", str(clips[0]), str(clips[1]), "--force").exit_code == 0


def test_too_little_speech_is_an_error(tmp_path):
    clip = write(tmp_path, "short.wav", low_voice(3, 0))  # bursts and pauses: well under 3 s voiced
    result = enroll(tmp_path / "voices", "alice", str(clip))
    assert result.exit_code == 1
    assert "error: only" in result.output and "at least 3 s" in result.output and "more clips" in result.output
    assert not (tmp_path / "voices" / "alice.json").exists()


def test_one_clip_note_silent_clip_and_quality_warnings(tmp_path):
    long_clip = write(tmp_path, "long.wav", low_voice(9, 0))
    result = enroll(tmp_path / "voices", "solo", str(long_clip))
    assert result.exit_code == 0, result.output
    assert "only one clip given" in result.output and "3 or more" in result.output

    silent = write(tmp_path, "silent.wav", np.zeros(3 * SR, np.float32))
    clean = low_voice(6, 1)
    noisy = write(tmp_path, "noisy.wav", clean + 0.1 * np.random.default_rng(0).standard_normal(len(clean)).astype(np.float32))
    clipped = write(tmp_path, "clipped.wav", np.clip(low_voice(6, 2) * 8, -1, 1))
    result = enroll(tmp_path / "voices", "checked", str(long_clip), str(silent), str(noisy), str(clipped))
    assert result.exit_code == 0, result.output
    assert "warning: silent.wav: nearly silent" in result.output and "left out" in result.output
    assert "warning: noisy.wav: heavy background noise" in result.output
    assert "warning: clipped.wav: clipping" in result.output
    assert len(VoiceLibrary(tmp_path / "voices").get("checked").clips) == 3  # the silent clip is not used


def test_a_different_speaker_is_flagged(tmp_path):
    clips = [write(tmp_path, f"low{i}.wav", low_voice(5, i)) for i in range(3)]
    clips.append(write(tmp_path, "high.wav", high_voice(5, 0)))
    enrollment = analyse_clips(clips)
    consistency = {c.path.name: c.consistency for c in enrollment.clips}
    assert consistency["high.wav"] < CONSISTENCY_WARN < min(v for k, v in consistency.items() if k != "high.wav")
    assert [w for w in enrollment.warnings if "different speaker" in w] == [
        w for w in enrollment.warnings if w.startswith("high.wav")]
    result = enroll(tmp_path / "voices", "mixed", *map(str, clips))
    assert "warning: high.wav: may be a different speaker" in result.output


def test_the_library_makes_no_voice_without_consent(tmp_path):
    """Enrollment.profile refuses without a consent record, as tts enroll does, and names how to make one."""
    enrollment = analyse_clips([write(tmp_path, "a.wav", low_voice(9, 0))])
    with pytest.raises(TTSError, match=r"consent_for\(enrollment, statement\)"):
        enrollment.profile("alice")
    profile = enrollment.profile("alice", consent=consent_for(enrollment, CONSENT[1]))
    assert profile.consent["statement"] == CONSENT[1]


@pytest.mark.skipif(not DEV_REFS.is_dir(), reason="dev reference clips not present")
def test_real_speakers(tmp_path):
    """Three clips of one LibriTTS speaker agree; a VCTK speaker's clip among them is flagged."""
    own = sorted((DEV_REFS / "libritts_1580").glob("*.wav"))[:3]
    other = sorted((DEV_REFS / "vctk_p225").glob("*.wav"))[0]
    enrollment = analyse_clips([*own, other])
    flagged = [w for w in enrollment.warnings if "different speaker" in w]
    assert flagged and all(w.startswith(f"{other.name}: ") for w in flagged)
    assert all(c.consistency > CONSISTENCY_WARN for c in enrollment.clips[:3])


@pytest.mark.parametrize("name, message", [("../x", "must not contain"), ("", "empty"), ("x" * 65, "limit is 64"),
                                           ("joe", "packaged voice")])
def test_bad_names_fail_before_any_audio_work(tmp_path, name, message):
    result = enroll(tmp_path / "voices", name, str(tmp_path / "not-even-read.wav"))
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unreadable_clip_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    result = enroll(tmp_path / "voices", "alice", str(bad))
    assert result.exit_code == 1 and "cannot read audio file" in result.output


# --- tts say with enrolled and one-off voices --------------------------------------------------------------

@pytest.fixture
def models(monkeypatch, tiny_models):
    """The shipped models when present, else the tiny random ones (the plumbing is what is tested)."""
    import tts.synthesizer
    from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE

    if not (ACOUSTIC_FILE.is_file() and VOCODER_FILE.is_file()):
        acoustic, vocoder = tiny_models
        monkeypatch.setattr(tts.synthesizer, "Synthesizer",
                            functools.partial(tts.synthesizer.Synthesizer, acoustic=acoustic, vocoder=vocoder))


def test_say_with_ref_clips_and_enrolled_voice(tmp_path, models):
    clips = [write(tmp_path, f"ref{i}.wav", low_voice(5, i)) for i in range(2)]
    out = tmp_path / "once.wav"
    result = runner.invoke(app, ["say", "Hello there.", "--ref", str(clips[0]), "--ref", str(clips[1]),
                                 *CONSENT, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sf.info(out).duration > 0.2 and sf.info(out).samplerate == SR
    assert not (tmp_path / "voices").exists()  # nothing saved

    voices_dir = tmp_path / "voices"
    assert enroll(voices_dir, "alice", *map(str, clips)).exit_code == 0
    out = tmp_path / "alice.wav"
    result = runner.invoke(app, ["say", "Hello there.", "--voice", "alice", "--voices-dir", str(voices_dir),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sf.info(out).duration > 0.2


def test_say_ref_errors(tmp_path):
    clip = write(tmp_path, "ref.wav", low_voice(5, 0))
    cases = [
        (["--ref", str(clip), "--voice", "joe"], "not both"),
        (["--ref", str(write(tmp_path, "short.wav", low_voice(2, 0))), *CONSENT], "at least 3 s"),
        (["--ref", str(tmp_path / "missing.wav"), *CONSENT], "not found"),
        (["--ref", str(clip)], "cloning with --ref needs the speaker's consent"),
        (["--consent", "yes"], "--consent goes with --ref"),
        (["--voice", "alice", "--voices-dir", str(tmp_path / "voices")], "unknown voice 'alice'"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["say", "Hi.", *args, "-o", str(tmp_path / "x.wav")])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
