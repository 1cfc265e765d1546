"""The `tts` command line, with the shipped models, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tts.text.en import TextFrontend

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_say_writes_speech_to_a_file(tmp_path):
    out = tmp_path / "out.wav"
    result = runner.invoke(app, ["say", "Dr. Smith paid $3.50 on May 5th, 2024.", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = sf.info(out)
    assert info.samplerate == 16000 and info.channels == 1
    assert 1.5 < info.duration < 12  # a sentence's worth of speech


def test_say_formats_follow_the_extension(tmp_path):
    for suffix, fmt in ((".flac", "FLAC"), (".ogg", "OGG")):
        out = tmp_path / f"out{suffix}"
        result = runner.invoke(app, ["say", "Hello.", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert sf.info(out).format == fmt


def test_say_reads_stdin_and_writes_wav_to_stdout():
    result = subprocess.run([sys.executable, "-m", "tts.cli", "say", "-", "-o", "-"], input=b"Good morning.",
                            capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout[:4] == b"RIFF" and result.stdout[8:12] == b"WAVE"
    assert len(result.stdout) > 16000  # more than half a second of 16-bit audio


def test_bad_input_gives_one_line_errors(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    cases = [
        (["say", ""], "no text given"),
        (["say", "?!..."], "nothing to say"),
        (["say", "Hi.", "--voice", "nobody", "-o", str(tmp_path / "a.wav")], "unknown voice"),
        (["say", "Hi.", "--voice", "../x", "-o", str(tmp_path / "a.wav")], "invalid voice name"),
        (["say", "Hi.", "-o", str(tmp_path / "a.xyz")], "unknown output format"),
        (["say", "Hi.", "-o", str(blocker / "a.wav")], "does not exist"),
        (["say", "Hi.", "--speed", "0", "-o", str(tmp_path / "a.wav")], "speed"),
        (["say", "x" * 1_000_001, "-o", str(tmp_path / "a.wav")], "limit"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # nothing half-written


def test_help_shows_examples():
    result = runner.invoke(app, ["say", "--help"])
    assert result.exit_code == 0 and "Examples" in result.output and "tts say" in result.output


def test_version_and_help_without_python_type_labels():
    import re
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "80"}
    version = subprocess.run([sys.executable, "-m", "tts.cli", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and re.fullmatch(r"tts \S+\n", version.stdout)
    for command in (["--help"], ["say", "--help"], ["batch", "--help"], ["voices", "import", "--help"]):
        shown = subprocess.run([sys.executable, "-m", "tts.cli", *command], capture_output=True, text=True, env=env)
        assert shown.returncode == 0 and "Usage" in shown.stdout
        assert not re.search(r"<(str|int|float|bool|path|list\[\w+\])>", shown.stdout), (command, shown.stdout)
        assert max(len(line) for line in shown.stdout.splitlines()) <= 80


def test_progress_bar_on_a_terminal_only_and_not_when_quiet(monkeypatch):
    import io
    from types import SimpleNamespace

    import numpy as np

    from tts.cli.say import with_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    synth = SimpleNamespace(frontend=SimpleNamespace(iter_chunks=lambda text: iter(range(12))))
    for stream, quiet, shown in ((Terminal(), False, True), (Terminal(), True, False), (io.StringIO(), False, False)):
        monkeypatch.setattr(sys, "stderr", stream)
        pieces = [np.zeros(8, np.float32) for _ in range(12)]
        assert len(list(with_progress(iter(pieces), synth, "long text", quiet))) == 12
        assert ("/12 [" in stream.getvalue()) == shown, stream.getvalue()  # a bar over the 12 chunks


def test_output_at_8_and_48_khz(tmp_path):
    import io

    phone = tmp_path / "phone.wav"
    assert runner.invoke(app, ["say", "Good morning.", "-o", str(phone), "--sample-rate", "8000"]).exit_code == 0
    studio = subprocess.run([sys.executable, "-m", "tts.cli", "say", "Good morning.", "-o", "-", "--sample-rate", "48000"],
                            capture_output=True, cwd=ROOT, timeout=120)
    assert studio.returncode == 0, studio.stderr.decode()
    low, low_rate = sf.read(phone)
    high, high_rate = sf.read(io.BytesIO(studio.stdout))
    assert (low_rate, high_rate) == (8000, 48000)
    assert abs(len(high) / 48000 - len(low) / 8000) < 0.01  # the same speech at both rates
    result = runner.invoke(app, ["say", "Hi.", "-o", str(tmp_path / "x.wav"), "--sample-rate", "96000"])
    assert result.exit_code == 1 and "sample rate" in result.output


def test_phonemes_lists_the_phone_set_and_pronounces_words(tmp_path):
    table = runner.invoke(app, ["phonemes"])
    assert table.exit_code == 0 and "AE  at       AE1 T" in table.output and "ZH " in table.output
    lexicon = tmp_path / "words.txt"
    lexicon.write_text("SQL  EH1 S K Y UW1 EH1 L\n")
    words = runner.invoke(app, ["phonemes", "tomato", "SQL", "--lexicon", str(lexicon)])
    assert words.exit_code == 0 and words.output.splitlines() == ["tomato  T AH0 M EY1 T OW2", "SQL  EH1 S K Y UW1 EH1 L"]
    bad = runner.invoke(app, ["say", "Call {K AA L} me.", "-o", str(tmp_path / "x.wav")])
    assert bad.exit_code == 1 and "tts phonemes" in bad.output


def test_phonemes_shows_what_a_text_becomes_word_by_word(tmp_path):
    lexicon = tmp_path / "words.txt"
    lexicon.write_text("SQL  S IY1 K W AH0 L\n")
    result = runner.invoke(app, ["phonemes", "--text", "I have read 2 SQL books.\n\nRecord {K AA1 L} Zorbly.",
                                 "--lexicon", str(lexicon)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:8] == [
        "I have read two SQL books.",
        "  I      AY1              dictionary",
        "  have   HH AE1 V         dictionary",
        "  read   R EH1 D          homograph: past",
        "  two    T UW1            dictionary",
        "  SQL    S IY1 K W AH0 L  lexicon",
        "  books  B UH1 K S        dictionary",
        "",
    ]
    assert lines[8] == "Record {K AA1 L} Zorbly."
    assert [line.split() for line in lines[9:]] == [
        ["Record", "R", "EH1", "K", "ER0", "D", "homograph:", "noun"],
        ["{K", "AA1", "L}", "K", "AA1", "L", "inline"],
        ["Zorbly", *TextFrontend().g2p.word("Zorbly"), "model"],
    ]
    piped = runner.invoke(app, ["phonemes", "-t", "-"], input="Please close the door.")
    assert piped.exit_code == 0 and "  close   K L OW1 Z  homograph: verb" in piped.output
    for args, message in ((["phonemes", "I read"], "use --text"), (["phonemes", "read", "-t", "I read"], "not both"),
                          (["phonemes", "--text", "?!"], "no words")):
        bad = runner.invoke(app, args)
        assert bad.exit_code == 1 and message in bad.output
