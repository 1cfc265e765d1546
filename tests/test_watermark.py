"""The watermark: in every synthesised waveform, through common transformations, not in real speech, and
`tts detect`; the synthetic-speech tag in written files. Tiny random models: the mark must survive on any audio."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from typer.testing import CliRunner

from tts.cli.main import app
from tts.audio.io import SYNTHETIC_COMMENT, load_audio, read_tags
from tts.synthesizer import Synthesizer
from tts.watermark import DEFAULT_KEY, THRESHOLD, Watermarker, detect, embed

DEV_REFS = Path(__file__).resolve().parents[1].parent / "shared/eval/dev/refs"
TEXT = ("The cat sat on the mat, and a dog ran in the park while she sells sea shells by the shore; we like red "
        "apples and the sun is very hot. Birds sing in the morning, my hat is blue, and big ships sail far away.")
SR = 16000
runner = CliRunner()


@pytest.fixture(scope="module")
def synth(tiny_models) -> Synthesizer:
    acoustic, vocoder = tiny_models
    return Synthesizer(acoustic, vocoder, threads=1)


@pytest.fixture(scope="module")
def marked(synth) -> np.ndarray:
    return synth.synthesize(TEXT, speed=0.5)  # ~3.8 s from the tiny models


@pytest.fixture(scope="module")
def pieces(synth) -> list[np.ndarray]:
    """The same text before the watermark, chunk by chunk (each with its pause): what the models made, levelled."""
    speaker = synth.prepare(None)
    return [synth._level(np.concatenate([synth._render(chunk.ids, speaker, 0.5, 0.0),
                                         np.zeros(int(chunk.pause_after * SR / 0.5), np.float32)]), speaker, 0.0)
            for chunk in synth.frontend.iter_chunks(TEXT)]


@pytest.fixture(scope="module")
def unmarked(pieces) -> np.ndarray:
    return np.concatenate(pieces)


def codec(wav: np.ndarray, fmt: str, subtype: str, **settings) -> np.ndarray:
    buffer = io.BytesIO()
    sf.write(buffer, wav, SR, format=fmt, subtype=subtype, **settings)
    buffer.seek(0)
    return sf.read(buffer, dtype="float32")[0]


def noise_at(wav: np.ndarray, snr_db: float) -> np.ndarray:
    noise = np.random.default_rng(0).standard_normal(len(wav)).astype(np.float32)
    return wav + noise * np.sqrt(np.mean(wav ** 2) / 10 ** (snr_db / 10))


TRANSFORMS = {
    "none": lambda x: x,
    "resample 8 kHz": lambda x: soxr.resample(soxr.resample(x, SR, 8000), 8000, SR),
    "mp3 32 kbit/s": lambda x: codec(x, "MP3", "MPEG_LAYER_III", compression_level=0.85, bitrate_mode="CONSTANT"),
    "first 20% cut": lambda x: x[len(x) // 5:],
    "noise 20 dB SNR": lambda x: noise_at(x, 20),
}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_synthesised_speech_carries_the_watermark(marked, name):
    result = detect(TRANSFORMS[name](marked))
    assert result.found and result.score >= THRESHOLD + 3, (name, result)


def test_the_watermark_is_small_and_only_in_the_output(marked, unmarked, pieces):
    assert len(pieces) > 1 and len(marked) == len(unmarked) and marked.dtype == np.float32
    starts = np.cumsum([0] + [len(p) for p in pieces[:-1]])
    by_chunk = np.concatenate([embed(piece, offset=int(start)) for piece, start in zip(pieces, starts)])
    assert np.array_equal(marked, by_chunk)  # what the synthesiser does: each chunk at its place in the pattern
    # ... nearly the same as marking the whole at once (the change is faded in and out at chunk edges)
    assert np.max(np.abs(marked - embed(unmarked))) < 0.1 * np.max(np.abs(unmarked))
    assert np.all(marked[starts] == unmarked[starts])  # no step where a chunk begins
    change = marked - unmarked
    assert 10 * np.log10(np.sum(unmarked ** 2) / np.sum(change ** 2)) > 15  # a small change to the waveform
    assert not detect(unmarked).found and detect(unmarked).score < 4.5


def test_wrong_key_finds_nothing(marked):
    other = Watermarker("someone else's key").detect(marked)
    assert not other.found and other.score < 4.5
    assert Watermarker("someone else's key").detect(Watermarker("someone else's key").embed(marked)).found


def test_pieces_embedded_with_offsets_form_one_pattern(unmarked):
    cut = 12_345  # mid-sound: only the window around the cut differs
    pieces = np.concatenate([embed(unmarked[:cut]), embed(unmarked[cut:], offset=cut)])
    whole = embed(unmarked)
    away = np.r_[0:cut - 512, cut + 512:len(whole)]
    assert np.max(np.abs(pieces - whole)[away]) < 1e-5 and detect(pieces).score > 10
    silence = np.zeros(4000, np.float32)
    assert np.array_equal(embed(silence), silence)  # nothing is added to silence


def test_real_speech_is_not_flagged():
    clips = sorted(DEV_REFS.glob("*/*.wav"))
    if not clips:
        pytest.skip(f"no real clips in {DEV_REFS}")
    scores = [detect(load_audio(clip)).score for clip in clips]
    assert max(scores) < THRESHOLD - 1.5, max(scores)


def test_noise_and_silence_are_not_flagged():
    rng = np.random.default_rng(1)
    assert not detect(0.1 * rng.standard_normal(3 * SR).astype(np.float32)).found
    assert not detect(np.zeros(SR, np.float32)).found
    assert detect(np.zeros(SR, np.float32)).too_short


# --- files, tags and tts detect ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def said(tmp_path_factory, tiny_models) -> Path:
    """`tts say` output in several formats (tiny models), via the command line."""
    import functools
    import tts.synthesizer

    folder = tmp_path_factory.mktemp("said")
    acoustic, vocoder = tiny_models
    patched = functools.partial(tts.synthesizer.Synthesizer, acoustic=acoustic, vocoder=vocoder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tts.synthesizer, "Synthesizer", patched)
        for ext in ("wav", "flac", "ogg", "mp3"):
            result = runner.invoke(app, ["say", TEXT, "--speed", "0.5", "-o", str(folder / f"out.{ext}")])
            assert result.exit_code == 0, result.output
        result = runner.invoke(app, ["say", TEXT, "--speed", "0.5", "-o", "-"])
        assert result.exit_code == 0
        (folder / "stdout.wav").write_bytes(result.stdout_bytes)
    return folder


@pytest.mark.parametrize("name", ["out.wav", "out.flac", "out.ogg", "out.mp3", "stdout.wav"])
def test_files_are_tagged_synthetic_and_watermarked(said, name):
    assert read_tags(said / name).get("comment") == SYNTHETIC_COMMENT
    assert detect(load_audio(said / name)).found


def test_detect_command_exit_codes(said, unmarked, tmp_path):
    plain = tmp_path / "plain.wav"
    sf.write(plain, unmarked, SR)
    stereo_44k = tmp_path / "stereo.wav"
    wav = load_audio(said / "out.wav", 44100)
    sf.write(stereo_44k, np.stack([wav, wav], axis=1), 44100)

    result = runner.invoke(app, ["detect", str(said / "out.wav"), str(stereo_44k), str(plain)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "out.wav: synthetic (score z=" in lines[0] and f"tagged: {SYNTHETIC_COMMENT}" in lines[0]
    assert "stereo.wav: synthetic" in lines[1] and "tagged" not in lines[1]
    assert "plain.wav: no watermark found (score z=" in lines[2]

    assert runner.invoke(app, ["detect", str(plain)]).exit_code == 1
    assert runner.invoke(app, ["detect", str(said / "out.wav"), "--key", "another key"]).exit_code == 1

    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    result = runner.invoke(app, ["detect", str(bad), str(said / "out.wav")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [line for line in result.output.splitlines() if line.startswith("error:")] == [
        line for line in result.output.splitlines() if "bad.wav" in line]
    assert runner.invoke(app, ["detect", str(tmp_path / "missing.wav")]).exit_code == 2


def test_no_command_line_switch_turns_the_watermark_off():
    for command in ("say", "batch", "detect"):
        help_text = runner.invoke(app, [command, "--help"]).output.lower()
        assert "--no-watermark" not in help_text and "--watermark" not in help_text
    assert DEFAULT_KEY  # the built-in key is documented in README "Responsible use"
