"""The command line starts fast: help, version and the voice commands load neither torch nor numpy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

# the `tts` entry point run with this process's arguments; then, on standard error, the heavy libraries it loaded
RUN_CLI = """
import sys
from tts.cli.main import main
sys.argv = ["tts", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("loaded:", *[name for name in ("torch", "numpy") if name in sys.modules], file=sys.stderr)
"""


def run_cli(args: list[str], voices_dir: Path) -> tuple[str, str]:
    """(standard output, the last line of standard error: "loaded:" and the heavy libraries) of `tts ARGS`."""
    result = subprocess.run([sys.executable, "-c", RUN_CLI, *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TTS_VOICES_DIR": str(voices_dir)})
    return result.stdout, result.stderr.splitlines()[-1]


@pytest.mark.parametrize("args, expected", [
    (["--help"], "Usage"),
    (["--version"], "tts"),
    (["voices", "list"], "joe"),
    (["voices", "show", "joe"], "256 values, norm 1.0000"),
    (["say", "--help"], "--pitch"),
])
def test_light_commands_load_neither_torch_nor_numpy(args: list[str], expected: str, tmp_path: Path) -> None:
    output, loaded = run_cli(args, tmp_path)
    assert expected in output
    assert loaded == "loaded:"


def test_limits_and_voices_modules_are_light() -> None:
    code = ("import sys, tts.limits, tts.voices, tts.audio, tts.audio.config, tts.cli.main; "
            "print(sorted({'torch', 'numpy'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_help_is_quick() -> None:
    """`tts --help` takes about 0.3 s on an idle machine; 2 s leaves room for a loaded one (best of 3)."""
    def wall() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tts.cli", "--help"], capture_output=True, timeout=120, check=True)
        return time.perf_counter() - start

    assert min(wall() for _ in range(3)) < 2.0
