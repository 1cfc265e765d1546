"""Personal voices (tts.finetune): fine-tuning on a voice's clips, storage beside the profile, use in synthesis."""

from __future__ import annotations

import dataclasses
import io
import json
import warnings

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tests.conftest import SENTENCES, tone_speech
from tts.finetune.adapter import AdapterError, VoiceAdapter, sha256_bytes
from tts.finetune.personal import adapt_profile
from tts.finetune.train import adapt, prepare_clips
from tts.synthesizer import PersonalVoiceWarning, Synthesizer
from tts.voices import VoiceError, VoiceLibrary, VoiceProfile
from tts.models import load_acoustic, load_vocoder

runner = CliRunner()
TEXTS = SENTENCES[:3]
EMBEDDING = (np.ones(256) / 16).tolist()


def clips() -> list[np.ndarray]:
    return [tone_speech(text, seed) for seed, text in enumerate(TEXTS)]


def personal(tiny_models, steps: tuple[int, int] = (4, 3)) -> VoiceProfile:
    """A tiny personal voice adapted on the generated clips (a few steps: fast, not good)."""
    import tts.finetune.train as train

    profile = VoiceProfile("tiny", EMBEDDING)
    acoustic, vocoder = tiny_models
    old = train.ACOUSTIC_STEPS, train.VOCODER_STEPS
    train.ACOUSTIC_STEPS, train.VOCODER_STEPS = steps
    try:
        adapted, _ = adapt_profile(profile, clips(), TEXTS, ["ab" * 32] * 3, minutes=1, acoustic=acoustic,
                                   vocoder=vocoder)
    finally:
        train.ACOUSTIC_STEPS, train.VOCODER_STEPS = old
    return adapted


def test_adaptation_lowers_the_mel_error_on_the_clips(tiny_models):
    acoustic, vocoder = load_acoustic(tiny_models[0]), load_vocoder(tiny_models[1])
    before = {k: v.clone() for k, v in acoustic.state_dict().items()}
    result = adapt(acoustic, vocoder, np.asarray(EMBEDDING), prepare_clips(clips(), TEXTS), steps=(40, 5))
    assert result.steps == {"acoustic": 40, "vocoder": 5}
    assert result.loss_after < 0.8 * result.loss_before
    assert all(np.array_equal(before[k], v) for k, v in acoustic.state_dict().items())  # the shared model is intact
    parts = result.adapter.parameters("acoustic")
    assert parts and all(set(p) in ({"full"}, {"up", "down"}) for p in parts.values())
    assert result.adapter.parameters("vocoder")


def test_long_clips_train_in_groups(tiny_models, monkeypatch):
    import tts.finetune.train as train

    monkeypatch.setattr(train, "MAX_STEP_FRAMES", 150)  # each clip alone, the longest first or last
    result = adapt(load_acoustic(tiny_models[0]), load_vocoder(tiny_models[1]), np.asarray(EMBEDDING),
                   prepare_clips(clips(), TEXTS), steps=(6, 1))
    assert result.steps["acoustic"] == 6 and np.isfinite(result.loss_after)


def test_a_personal_voice_speaks_with_its_own_models(tiny_models):
    voice = personal(tiny_models)
    synth = Synthesizer(*tiny_models, threads=1)
    zero_shot = synth.synthesize("Hello there.", dataclasses.replace(voice, personal=None, adapter=None))
    adapted = synth.synthesize("Hello there.", voice)
    assert len(adapted) and not np.array_equal(adapted, zero_shot)
    assert np.abs(adapted).max() < 1.0


def test_a_voice_adapted_for_other_models_falls_back_with_a_warning(tiny_models):
    voice = personal(tiny_models)
    voice.personal["models"] = {"acoustic": "0" * 64, "vocoder": "1" * 64}
    synth = Synthesizer(*tiny_models, threads=1)
    with pytest.warns(PersonalVoiceWarning, match="adapted for other model files"):
        fallback = synth.synthesize("Hello there.", voice)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zero_shot = synth.synthesize("Hello there.", dataclasses.replace(voice, personal=None, adapter=None))
    assert np.array_equal(fallback, zero_shot)


def test_saved_exported_and_imported_personal_voices_keep_their_weights(tiny_models, tmp_path):
    voice = personal(tiny_models)
    library = VoiceLibrary(tmp_path / "voices")
    library.save(voice)
    files = sorted(p.name for p in (tmp_path / "voices").iterdir())
    assert files == [voice.personal["file"], "tiny.json"]
    loaded = library.get("tiny")
    assert loaded.adapter.to_bytes() == voice.adapter.to_bytes()
    library.export("tiny", tmp_path / "tiny.voice.json")
    other = VoiceLibrary(tmp_path / "elsewhere").import_(tmp_path / "tiny.voice.json", name="copy")
    assert other.personal["file"].startswith("copy.") and other.adapter.to_bytes() == voice.adapter.to_bytes()
    synth = Synthesizer(*tiny_models, threads=1)
    assert np.array_equal(synth.synthesize("Hi.", loaded), synth.synthesize("Hi.", VoiceLibrary(
        tmp_path / "elsewhere").get("copy")))
    library.rename("tiny", "renamed")
    assert sorted(p.name for p in (tmp_path / "voices").iterdir()) == [
        f"renamed.{voice.personal['sha256'][:12]}.adapter.npz", "renamed.json"]
    library.remove("renamed")
    assert not list((tmp_path / "voices").iterdir())


def test_a_failed_save_leaves_the_old_voice_whole(tiny_models, tmp_path, monkeypatch):
    library = VoiceLibrary(tmp_path)
    library.save(VoiceProfile("tiny", EMBEDDING))
    before = (tmp_path / "tiny.json").read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(library, "_write_user", crash)
    with pytest.raises(KeyboardInterrupt):
        library.save(personal(tiny_models), force=True)
    assert (tmp_path / "tiny.json").read_bytes() == before
    assert library.get("tiny").personal is None


def test_damaged_or_malformed_weight_files_are_refused(tiny_models, tmp_path):
    voice = personal(tiny_models)
    library = VoiceLibrary(tmp_path)
    library.save(voice)
    weights = tmp_path / voice.personal["file"]
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(VoiceError, match="does not match its voice"):
        library.get("tiny")

    def npz(**arrays) -> bytes:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    bad = {
        "damaged": b"PK\x03\x04 not really a zip",
        "unknown entry": npz(**{"decoder/x#full": np.zeros(3, np.float16)}),
        "NaN": npz(**{"vocoder/head.out.bias#full": np.full(3, np.nan, np.float16)}),
        "both low-rank factors": npz(**{"vocoder/head.out.weight#up": np.zeros((4, 2), np.float16)}),
        "float16": npz(**{"vocoder/head.out.bias#full": np.zeros(3, np.float64)}),
    }
    for problem, blob in bad.items():
        with pytest.raises(AdapterError, match=problem):
            VoiceAdapter.from_bytes(blob, "test file")
    pickled = io.BytesIO()
    np.savez(pickled, **{"vocoder/head.out.bias#full": np.array([object()], dtype=object)})
    with pytest.raises(AdapterError):
        VoiceAdapter.from_bytes(pickled.getvalue(), "test file")
    wrong_shape = VoiceAdapter({"vocoder/head.out.bias#full": np.zeros(5, np.float16)})
    voice.adapter = wrong_shape
    voice.personal["sha256"] = sha256_bytes(wrong_shape.to_bytes())
    with pytest.raises(AdapterError, match="does not fit the loaded models"):
        Synthesizer(*tiny_models, threads=1).prepare(voice)


def test_batch_hash_covers_the_personal_weights(tiny_models):
    from tts.batch.render import item_hash
    from tts.batch.script import Item

    voice = personal(tiny_models)
    item = Item(id="a", line_no=1, voice="tiny", text="Hello.")
    other = dataclasses.replace(voice, personal={**voice.personal, "sha256": "f" * 64})
    assert item_hash(item, voice, 0.0, "m", "wav") != item_hash(item, other, 0.0, "m", "wav")


def write_clips(folder, transcripts: bool = True) -> list[str]:
    paths = []
    for seed, text in enumerate(TEXTS):
        path = folder / f"clip{seed}.wav"
        sf.write(path, tone_speech(text, seed), 16000)
        if transcripts:
            path.with_suffix(".txt").write_text(text + "\n")
        paths.append(str(path))
    return paths


def test_voices_adapt_needs_consent_for_new_clips_and_keeps_the_voice_on_ctrl_c(tmp_path, monkeypatch):
    voices = str(tmp_path / "voices")
    enrolled = write_clips(tmp_path)
    library = VoiceLibrary(tmp_path / "voices")
    profile = VoiceProfile("tiny", EMBEDDING, consent={
        "statement": "agreed", "confirmed_at": "2026-11-29T10:00:00+00:00", "method": "declared", "clips": []})
    library.save(profile)
    before = (tmp_path / "voices" / "tiny.json").read_bytes()
    result = runner.invoke(app, ["voices", "adapt", "tiny", *enrolled, "--voices-dir", voices])
    assert result.exit_code == 1 and "--consent" in result.output and "Traceback" not in result.output

    import tts.finetune.train as train

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "_adapt_vocoder", interrupted)
    result = runner.invoke(app, ["voices", "adapt", "tiny", *enrolled, "--consent", "agreed again", "--minutes", "0.1",
                                 "--voices-dir", voices])
    assert result.exit_code != 0
    assert (tmp_path / "voices" / "tiny.json").read_bytes() == before
    assert [p.name for p in (tmp_path / "voices").iterdir()] == ["tiny.json"]


def test_enroll_adapt_makes_a_personal_voice_that_show_describes(tmp_path):
    voices = str(tmp_path / "voices")
    paths = write_clips(tmp_path)
    result = runner.invoke(app, ["enroll", "alice", *paths, "--consent", "Alice agreed", "--adapt", "--minutes", "0.05",
                                 "--voices-dir", voices])
    assert result.exit_code == 0, result.output
    assert "transcript file" in result.output and TEXTS[0] in result.output
    assert "warning: only" in result.output and "harder to understand" in result.output  # short generated clips
    record = json.loads((tmp_path / "voices" / "alice.json").read_text())["personal"]
    assert record["transcripts"] == TEXTS and record["steps"]["acoustic"] > 0
    assert record["train_seconds"] < 30  # the 3-second budget, with room for a loaded machine
    shown = runner.invoke(app, ["voices", "show", "alice", "--voices-dir", voices])
    assert "personal     yes: fine-tuned on" in shown.output and "(the installed ones)" in shown.output


def test_clips_without_transcripts_need_speech_recognition(tmp_path, monkeypatch):
    import tts.consent.verify as verify
    from tts.consent import ConsentError

    def missing():
        raise ConsentError("no asr")

    monkeypatch.setattr(verify, "transcriber", missing)
    paths = write_clips(tmp_path, transcripts=False)
    result = runner.invoke(app, ["enroll", "bob", *paths, "--consent", "Bob agreed", "--adapt",
                                 "--voices-dir", str(tmp_path / "voices")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("error: clips without a transcript need speech")
    assert not (tmp_path / "voices" / "bob.json").exists()


def test_an_out_of_range_budget_is_refused_before_any_work(tmp_path):
    paths = write_clips(tmp_path)
    for minutes in ("0", "61", "-1"):
        result = runner.invoke(app, ["enroll", "carol", *paths, "--consent", "Carol agreed", "--adapt", "--minutes",
                                     minutes, "--voices-dir", str(tmp_path / "voices")])
        assert result.exit_code == 2 and "out of range" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "voices").exists()
