"""The library's exception hierarchy, and how the command line shows it: TTSError as one line, a bug with its
traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tts.audio import AudioError
from tts.batch import FolderInUse, WorkerError
from tts.batch.script import ScriptError
from tts.cli.main import app
from tts.consent.verify import ConsentError
from tts.encoder.enroll import EnrollmentError
from tts.errors import InvalidInput, TTSError
from tts.eval import MissingExtraError
from tts.finetune.adapter import AdapterError
from tts.finetune.train import AdaptationError
from tts.finetune.transcripts import TranscriptError
from tts.synthesizer import TextError, check_controls
from tts.train.pack import FolderNotEmpty
from tts.voices import VoiceError, VoiceLibrary
from tts.models import WeightsError

runner = CliRunner()


@pytest.mark.parametrize("error, other_base", [
    (VoiceError, Exception), (WeightsError, Exception), (AudioError, Exception), (TextError, ValueError),
    (ConsentError, ValueError), (EnrollmentError, ValueError), (AdapterError, ValueError),
    (AdaptationError, ValueError), (TranscriptError, ValueError), (ScriptError, ValueError),
    (WorkerError, RuntimeError), (FolderInUse, RuntimeError), (MissingExtraError, RuntimeError),
    (FolderNotEmpty, FileExistsError), (InvalidInput, ValueError)])
def test_user_errors_are_tts_errors_and_keep_their_bases(error, other_base):
    assert issubclass(error, TTSError) and issubclass(error, other_base)


def test_bad_controls_raise_invalid_input_with_the_same_message():
    with pytest.raises(InvalidInput, match=r"^speed 9 is out of range: use 0.25 to 4.0$"):
        check_controls(9, 0, 0)


def test_the_errors_module_imports_neither_torch_nor_numpy():
    code = "import sys, tts.errors; print('torch' in sys.modules or 'numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_a_tts_error_in_a_command_is_one_line_and_exit_code_1(monkeypatch, tmp_path):
    def broken(self):
        raise InvalidInput("the voices folder is odd: fix it")

    monkeypatch.setattr(VoiceLibrary, "list", broken)
    result = runner.invoke(app, ["voices", "list", "--voices-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == ["error: the voices folder is odd: fix it"]


@pytest.mark.parametrize("bug", [RuntimeError, ValueError, KeyError])
def test_a_bug_in_a_command_keeps_its_traceback(monkeypatch, tmp_path, bug):
    """Anything but a TTSError (or a user's path problem) is a bug, a plain ValueError too: it is not turned into
    a one-line message."""
    def broken(self):
        raise bug("a bug")

    monkeypatch.setattr(VoiceLibrary, "list", broken)
    result = runner.invoke(app, ["voices", "list", "--voices-dir", str(tmp_path)])
    assert type(result.exception) is bug and result.exception.args == ("a bug",)
    assert "error: a bug" not in result.output
