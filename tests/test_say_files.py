"""`tts say -f FILE`: text and Markdown files, standard input, sentence and paragraph silences (tiny models)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tests.test_text_markdown import chapter
from tts.text import TextFrontend
from tts.text.markdown import markdown_to_text

runner = CliRunner()


@pytest.fixture
def tiny_say(tiny_models, monkeypatch):
    """`tts say` with the tiny models instead of the shipped ones."""
    from tts import synthesizer

    acoustic, vocoder = tiny_models
    monkeypatch.setattr(synthesizer, "Synthesizer",
                        functools.partial(synthesizer.Synthesizer, acoustic=acoustic, vocoder=vocoder))


def silences(path, at_least: float) -> list[float]:
    """Lengths in seconds of the stretches below -60 dBFS that last at least `at_least` seconds."""
    wav, rate = sf.read(path, dtype="float32")
    quiet = np.concatenate([[False], np.abs(wav) < 1e-3, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    lengths = (edges[1::2] - edges[::2]) / rate
    return [float(n) for n in lengths if n >= at_least]


def test_a_markdown_chapter_has_a_long_pause_after_each_heading_and_paragraph(tmp_path, tiny_say):
    source = tmp_path / "chapter.md"
    source.write_text(chapter(), encoding="utf-8")
    blocks = markdown_to_text(source.read_text()).count("\n\n") + 1
    out = tmp_path / "out.wav"
    result = runner.invoke(app, ["say", "-f", str(source), "-o", str(out), "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert len(silences(out, 0.6)) == blocks - 1  # sentence pauses (0.35 s) are shorter

    plain = tmp_path / "plain.wav"  # --plain reads the marks, and a blank line is still a paragraph
    result = runner.invoke(app, ["say", "-f", str(source), "--plain", "--paragraph-silence", "1.5", "-o", str(plain)])
    assert result.exit_code == 0, result.output
    assert len(silences(plain, 1.4)) == source.read_text().count("\n\n")


def test_standard_input_markdown_and_sentence_silence(tmp_path, tiny_say):
    out = tmp_path / "out.wav"
    text = "# Title\n\nOne. Two. Three."
    result = runner.invoke(app, ["say", "-f", "-", "--markdown", "--sentence-silence", "0.7",
                                 "--paragraph-silence", "2", "-o", str(out)], input=text)
    assert result.exit_code == 0, result.output
    assert [round(s) for s in silences(out, 0.6)] == [2, 1, 1]  # after the title, then after each sentence
    frontend = TextFrontend()
    assert "number" not in " ".join(c.text for c in frontend.chunks(markdown_to_text(text)))


def test_bad_file_arguments_are_one_line_errors(tmp_path, tiny_say):
    (tmp_path / "notes.txt").write_text("Hello.")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "empty.md").write_text("\n \n")
    (tmp_path / "code.md").write_text("```\nonly code\n```\n")
    cases = [
        (["say", "Hello.", "-f", str(tmp_path / "notes.txt")], "not both"),
        (["say"], "no text given"),
        (["say", str(tmp_path / "notes.txt")], f"use -f {tmp_path / 'notes.txt'}"),
        (["say", "-f", str(tmp_path / "missing.md")], "file not found"),
        (["say", "-f", str(tmp_path)], "is a folder"),
        (["say", "-f", str(tmp_path / "latin1.txt")], "not UTF-8"),
        (["say", "-f", str(tmp_path / "empty.md")], "has no text to speak"),
        (["say", "-f", str(tmp_path / "code.md")], "nothing to say"),
        (["say", "Hi.", "--sentence-silence", "-1"], "--sentence-silence -1 is out of range"),
        (["say", "Hi.", "--paragraph-silence", "11"], "--paragraph-silence 11 is out of range"),
    ]
    for args, message in cases:
        result = runner.invoke(app, [*args, "-o", str(tmp_path / "a.wav")])
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "a.wav").exists()


def test_help_shows_file_examples():
    result = runner.invoke(app, ["say", "--help"])
    assert result.exit_code == 0 and "tts say -f chapter.md" in result.output and "--paragraph-silence" in result.output
