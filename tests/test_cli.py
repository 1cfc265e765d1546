"""The `tts` command line, with the shipped models, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import soundfile as sf
from typer.testing import CliRunner

from cli.main import app

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
    result = subprocess.run([sys.executable, "-m", "cli", "say", "-", "-o", "-"], input=b"Good morning.",
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
    version = subprocess.run([sys.executable, "-m", "cli", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and re.fullmatch(r"tts \S+\n", version.stdout)
    for command in (["--help"], ["say", "--help"], ["batch", "--help"], ["voices", "import", "--help"]):
        shown = subprocess.run([sys.executable, "-m", "cli", *command], capture_output=True, text=True, env=env)
        assert shown.returncode == 0 and "Usage" in shown.stdout
        assert not re.search(r"<(str|int|float|bool|path|list\[\w+\])>", shown.stdout), (command, shown.stdout)
        assert max(len(line) for line in shown.stdout.splitlines()) <= 80
