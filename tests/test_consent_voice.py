"""Consent verified by the speaker's own voice (tts.consent): challenge, record, checks on real speech, CLI."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tts.consent import MAX_WER, ChallengeStore, ConsentError, require_asr, verify_enrollment
from tts.consent.challenge import word_count
from tts.consent.verify import envelope_match
from tts.voices import VoiceError, VoiceLibrary, VoiceProfile, consent_method, consent_record

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
runner = CliRunner()


def verification(**change) -> dict:
    record = {"prompt": "It could take some time.", "challenge": False, "transcript": "It could take some time.",
              "asr": "Whisper tiny.en", "recording_sha256": "cd" * 32, "wer": 0.0, "max_wer": 0.3,
              "similarity": 0.85, "min_similarity": 0.8, "watermark_z": 1.5}
    return {**record, **change}


def profile_with(consent: dict | None) -> dict:
    vector = np.ones(256) / 16
    return {"schema_version": 1, "name": "jane", "embedding": [float(x) for x in vector], "consent": consent}


# --- record and challenge (no audio) -----------------------------------------------------------------------------

def test_voice_verified_record_is_validated():
    record = consent_record("read aloud", ["ab" * 32], verification())
    assert record["method"] == "voice-verified"
    assert consent_method(VoiceProfile.from_dict(profile_with(record), "test").consent) == "voice-verified"
    for legacy in ("flag", "prompt"):  # records of older versions read as declared
        old = {"statement": "agreed", "method": legacy, "clips": []}
        assert consent_method(VoiceProfile.from_dict(profile_with(old), "test").consent) == "declared"
    bad = [{**record, "verification": verification(wer=0.5)},  # scores that fail their own bars
           {**record, "verification": verification(similarity=0.7)},
           {**record, "verification": verification(watermark_z=9.0)},
           {**record, "verification": verification(challenge="yes")},
           {**record, "verification": verification(recording_sha256="nope")},
           {**record, "verification": verification(prompt=" ")},
           {**record, "verification": verification(similarity=float("nan"))},
           {**record, "verification": {k: v for k, v in verification().items() if k != "asr"}},
           {**record, "verification": {**verification(), "audio": "..."}},
           {**record, "method": "declared"},  # a verification without its method
           {k: v for k, v in record.items() if k != "verification"}]  # the method without a verification
    for consent in bad:
        with pytest.raises(VoiceError, match="consent"):
            VoiceProfile.from_dict(profile_with(consent), "test")


def test_forged_scores_fail_the_export_hash(tmp_path):
    library = VoiceLibrary(tmp_path / "voices")
    library.save(VoiceProfile.from_dict(profile_with(consent_record("read aloud", [], verification())), "test"))
    shared = library.export("jane", tmp_path / "jane.voice.json")
    assert VoiceLibrary(tmp_path / "copy").import_(shared).consent["verification"] == verification()
    document = json.loads(shared.read_text())
    document["profile"]["consent"]["verification"]["similarity"] = 0.99
    shared.write_text(json.dumps(document))
    with pytest.raises(VoiceError, match="failed its integrity check"):
        VoiceLibrary(tmp_path / "other").import_(shared)


def test_challenge_is_private_named_fresh_and_expires(tmp_path):
    store = ChallengeStore(tmp_path)
    first = store.issue("jane_smith", MAX_WER)
    assert "voice jane smith," in first.text and first.code in first.text
    assert os.stat(store.path).st_mode & 0o777 == 0o600
    assert store.get("JANE_SMITH") == first and store.issue("jane_smith", MAX_WER).code != first.code
    for name in ("a", "jane", "a.b.c.d.e.f.g.h.i.j", "x" * 64):  # the code always outweighs the error bar
        challenge = store.issue(name, MAX_WER)
        assert word_count(challenge.code) > MAX_WER * word_count(challenge.text)
    store.issue("old", MAX_WER, minutes=0)
    assert store.get("old") is None
    store.forget("jane_smith")
    assert store.get("jane_smith") is None and store.get("jane") is not None
    store.path.write_text("{not json")
    assert store.get("jane") is None  # a damaged file counts as no challenge


def test_cli_challenge_and_missing_prompt(tmp_path):
    voices = ["--voices-dir", str(tmp_path)]
    result = runner.invoke(app, ["enroll", "jane", "--challenge", *voices])
    assert result.exit_code == 0 and "I, the speaker of the voice jane, agree" in result.output
    result = runner.invoke(app, ["enroll", "joe", "--challenge", *voices])
    assert result.exit_code == 1 and "packaged voice" in result.output
    result = runner.invoke(app, ["enroll", "ann", "clip.wav", "--consent-recording", "rec.wav", *voices])
    assert result.exit_code == 1 and "no pending consent challenge for 'ann'" in result.output
    assert not list(tmp_path.glob("*.json"))


def test_missing_asr_is_one_line(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "faster_whisper" else real(name))
    with pytest.raises(ConsentError, match=r"pip install 'tts-clone\[asr\]'"):
        require_asr()
    result = runner.invoke(app, ["enroll", "ann", "clip.wav", "--consent-recording", "rec.wav", "--consent-text",
                                 "hello", "--voices-dir", str(tmp_path)])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "tts-clone[asr]" in result.output


def test_envelope_match_finds_cuts_only():
    rng = np.random.default_rng(0)
    a, b = rng.normal(-30, 10, 800), rng.normal(-30, 10, 800)
    assert envelope_match(a[200:500] + 6, a) > 0.99  # a cut, 6 dB louder
    assert envelope_match(b[200:500], a) < 0.5 and envelope_match(a[:50], a) == 0.0  # other audio; under 1 s


# --- real speech --------------------------------------------------------------------------------------------------

needs_dev = pytest.mark.skipif(not (DEV / "refs.tsv").is_file(), reason="no dev refs (../shared/eval/dev)")
needs_asr = pytest.mark.skipif(importlib.util.find_spec("faster_whisper") is None, reason="no faster-whisper")


@pytest.fixture(scope="module")
def dev():
    """Dev clips by speaker: [(path, text)], longest first (the first is the consent recording)."""
    rows = list(csv.DictReader((DEV / "refs.tsv").open(encoding="utf-8"), delimiter="\t"))
    by_speaker: dict[str, list] = {}
    for row in sorted(rows, key=lambda r: -float(r["duration_s"])):
        by_speaker.setdefault(row["speaker"], []).append((DEV / row["path"], row["text"]))
    return by_speaker


@pytest.fixture(scope="module")
def encoder():
    from tts.encoder import SpeakerEncoder

    return SpeakerEncoder()


@pytest.fixture(scope="module")
def p225(dev, encoder):
    from tts.encoder.enroll import analyse_clips

    return analyse_clips([path for path, _ in dev["vctk_p225"][1:]], encoder)


@pytest.fixture(scope="module")
def enrolled(dev, tmp_path_factory):
    """Voice p225 enrolled by the CLI with its longest clip as the consent recording."""
    voices = tmp_path_factory.mktemp("voices")
    (rec, text), *clips = dev["vctk_p225"]
    result = runner.invoke(app, ["enroll", "p225", *[str(p) for p, _ in clips], "--consent-recording", str(rec),
                                 "--consent-text", text, "--voices-dir", str(voices)])
    assert result.exit_code == 0, result.output
    return voices


@needs_dev
@needs_asr
def test_genuine_reader_is_accepted_and_recorded(dev, enrolled):
    (rec, text), *_ = dev["vctk_p225"]
    consent = VoiceLibrary(enrolled).get("p225").consent
    record = consent["verification"]
    assert consent["method"] == "voice-verified" and record["prompt"] == text and not record["challenge"]
    assert record["wer"] <= MAX_WER and record["similarity"] >= 0.8 and record["watermark_z"] < 6
    voices = ["--voices-dir", str(enrolled)]
    listed = runner.invoke(app, ["voices", "list", *voices]).output
    assert "voice-verified" in next(line for line in listed.splitlines() if line.startswith("p225"))
    assert "voice-verified: the speaker read a prompt aloud" in runner.invoke(app, ["voices", "show", "p225",
                                                                                    *voices]).output
    checked = runner.invoke(app, ["voices", "verify", "p225", str(rec), *voices])
    assert checked.exit_code == 0 and "passed" in checked.output, checked.output


@needs_dev
@needs_asr
def test_edited_scores_are_caught_by_verify(dev, enrolled, tmp_path):
    folder = tmp_path / "voices"
    folder.mkdir()
    data = json.loads((enrolled / "p225.json").read_text())
    data["consent"]["verification"]["similarity"] = 0.97
    (folder / "p225.json").write_text(json.dumps(data))
    checked = runner.invoke(app, ["voices", "verify", "p225", str(dev["vctk_p225"][0][0]), "--voices-dir",
                                  str(folder)])
    assert checked.exit_code == 1 and "the stored similarity 0.97 differs" in checked.output


@needs_dev
@needs_asr
def test_another_speaker_is_refused_and_nothing_saved(dev, tmp_path):
    rec, text = dev["vctk_p238"][0]
    result = runner.invoke(app, ["enroll", "p225", *[str(p) for p, _ in dev["vctk_p225"][1:]],
                                 "--consent-recording", str(rec), "--consent-text", text, "--voices-dir",
                                 str(tmp_path)])
    assert result.exit_code == 1
    assert "refused: speaker: the reader does not sound like the speaker of the clips (similarity 0." in result.output
    assert not list(tmp_path.iterdir())


@needs_dev
@needs_asr
def test_wrong_text_and_reused_or_cut_clips_are_refused(dev, p225, encoder, tmp_path):
    (rec, text), (clip, clip_text), *_ = dev["vctk_p225"]
    wrong = verify_enrollment(p225, rec, "We decided we would go for a specialist inside centre.", encoder=encoder)
    assert [f.split(":")[0] for f in wrong.failures()] == ["said"] and wrong.wer > 0.8
    reused = verify_enrollment(p225, clip, clip_text, encoder=encoder)
    assert [f.split(":")[0] for f in reused.failures()] == ["new"] and "the same file as clip" in reused.copy_of
    wav, rate = sf.read(clip)
    cut = tmp_path / "cut.flac"
    sf.write(cut, 0.5 * wav[rate // 4:], rate)  # another format, quieter, the start cut off
    assert "a cut or copy of clip" in verify_enrollment(p225, cut, clip_text, encoder=encoder).copy_of
    sf.write(tmp_path / "silence.wav", np.zeros(rate), rate)
    with pytest.raises(ConsentError, match="speech"):
        verify_enrollment(p225, tmp_path / "silence.wav", text, encoder=encoder)


@needs_dev
@needs_asr
def test_our_synthetic_speech_is_refused(dev, enrolled, tmp_path):
    (_, text), *clips = dev["vctk_p225"]
    synthetic = tmp_path / "synthetic.wav"
    said = runner.invoke(app, ["say", text, "--voice", "p225", "--voices-dir", str(enrolled), "--threads", "1",
                               "-o", str(synthetic)])
    assert said.exit_code == 0, said.output
    result = runner.invoke(app, ["enroll", "fake", *[str(p) for p, _ in clips], "--consent-recording",
                                 str(synthetic), "--consent-text", text, "--voices-dir", str(tmp_path / "v")])
    assert result.exit_code == 1 and "real: it carries this tool's watermark" in result.output
    assert not (tmp_path / "v").exists()
