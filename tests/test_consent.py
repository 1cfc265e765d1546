"""Consent: `tts enroll` and `tts say --ref` need it; the record is stored in the voice and shown."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

import tts.cli.enroll
from tts.cli.main import app
from tts.voices import VoiceError, VoiceLibrary, VoiceProfile

SR = 16000
STATEMENT = "Recorded with Jane's written consent on 2026-11-27"
runner = CliRunner()


def speaker_clip(folder: Path, name: str, seed: int, seconds: float = 5.0) -> Path:
    """A stand-in speaker: a 110 Hz harmonic tone in syllable-like bursts (as in test_enroll.py)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(110 * (1 + 0.06 * np.sin(2 * np.pi * rng.uniform(0.5, 1.5) * t))) / SR
    wav = sum(np.sin(k * phase) / k for k in range(1, 30))
    wav = wav * np.clip(np.sin(2 * np.pi * rng.uniform(2.5, 3.5) * t), 0, None) ** 0.5
    path = folder / name
    sf.write(path, (0.3 * wav / np.abs(wav).max() + 1e-3 * rng.standard_normal(len(t))).astype(np.float32), SR)
    return path


@pytest.fixture
def clips(tmp_path) -> list[Path]:
    return [speaker_clip(tmp_path, f"jane{i}.wav", i) for i in range(3)]


def enroll(voices_dir: Path, *args: str, input: str | None = None):
    return runner.invoke(app, ["enroll", *args, "--voices-dir", str(voices_dir)], input=input)


def test_non_interactive_enrollment_without_consent_fails_before_any_work(tmp_path):
    result = enroll(tmp_path / "voices", "jane", str(tmp_path / "never-read.wav"))
    assert result.exit_code == 1
    assert result.output.strip() == ('error: enrollment needs the speaker\'s consent: pass --consent "..." '
                                     '(e.g. "Recorded with Jane\'s written consent on 2026-11-27"), or have the '
                                     'speaker read a challenge aloud (tts enroll NAME --challenge, then '
                                     '--consent-recording)')
    assert not (tmp_path / "voices").exists()
    result = enroll(tmp_path / "voices", "jane", str(tmp_path / "never-read.wav"), "--consent", "  ")
    assert result.exit_code == 1 and "consent statement is empty" in result.output


def test_consent_is_stored_and_shown(tmp_path, clips):
    voices_dir = tmp_path / "voices"
    result = enroll(voices_dir, "jane", *map(str, clips), str(clips[0]), "--consent", STATEMENT)
    assert result.exit_code == 0, result.output
    consent = VoiceLibrary(voices_dir).get("jane").consent
    assert consent["statement"] == STATEMENT and consent["method"] == "declared"
    assert datetime.fromisoformat(consent["confirmed_at"]).tzinfo is not None
    assert consent["clips"] == [hashlib.sha256(c.read_bytes()).hexdigest() for c in clips]  # the repeat once

    shown = runner.invoke(app, ["voices", "show", "jane", "--voices-dir", str(voices_dir)])
    assert shown.exit_code == 0, shown.output
    assert f'"{STATEMENT}"' in shown.output and "declared (not verified" in shown.output
    assert consent["confirmed_at"] in shown.output and "for 3 clip file(s)" in shown.output
    assert consent["clips"][0][:16] in shown.output

    # the record travels with an exported voice
    shared = tmp_path / "jane.voice.json"
    VoiceLibrary(voices_dir).export("jane", shared)
    assert VoiceLibrary(tmp_path / "other").import_(shared).consent == consent


def test_interactive_prompt(tmp_path, clips, monkeypatch):
    monkeypatch.setattr(tts.cli.enroll, "_interactive", lambda: True)
    voices_dir = tmp_path / "voices"
    result = enroll(voices_dir, "jane", *map(str, clips), input="n\n")
    assert "Has jane agreed to have their voice cloned? [y/N]" in result.output
    assert result.exit_code == 1 and "consent" in result.output
    assert not (voices_dir / "jane.json").exists()
    assert enroll(voices_dir, "jane", *map(str, clips), input="\n").exit_code == 1  # the default is no

    result = enroll(voices_dir, "jane", *map(str, clips), input="y\n")
    assert result.exit_code == 0, result.output
    consent = VoiceLibrary(voices_dir).get("jane").consent
    assert consent["method"] == "declared" and "jane agreed" in consent["statement"]
    shown = runner.invoke(app, ["voices", "show", "jane", "--voices-dir", str(voices_dir)])
    assert "confirmed at the interactive prompt" in shown.output and "declared" in shown.output


def test_profiles_without_consent_still_load_but_bad_records_are_refused(tmp_path):
    library = VoiceLibrary(tmp_path / "voices")
    vector = np.ones(256) / 16
    profile = VoiceProfile(name="old", embedding=[float(x) for x in vector])  # enrolled before consent existed
    library.save(profile)
    assert library.get("old").consent is None
    shown = runner.invoke(app, ["voices", "show", "old", "--voices-dir", str(library.user_dir)])
    assert "none recorded" in shown.output
    for bad in ("yes", {"method": "flag"}, {"statement": " "}):
        (library.user_dir / "bad.json").write_text(json.dumps({**profile.to_dict(), "name": "bad", "consent": bad}))
        with pytest.raises(VoiceError, match="'consent' must be null or an object with a 'statement'"):
            library.get("bad")


def test_say_ref_needs_consent(tmp_path, clips):
    args = ["say", "Hello.", "--ref", str(clips[0]), "-o", str(tmp_path / "x.wav")]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "cloning with --ref needs the speaker's consent" in result.output
    assert not (tmp_path / "x.wav").exists()
