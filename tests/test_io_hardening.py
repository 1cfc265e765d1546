"""Hostile or mistaken input (issue 14): pickled checkpoints, signals, odd paths and headers, bad options.
Each ends in a one-line error or correct output, with no traceback and nothing left behind."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from typer.testing import CliRunner

from tts.cli.main import app
from tts.audio import AudioError, load_audio
from tts.data import cache as cache_module
from tts.train.loop import CsvLog, Runtime, load_checkpoint, rng_state, run, save_checkpoint, set_rng_state
from tts.models import WeightsError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def one_line_error(result, code: int, message: str) -> None:
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


class Payload:
    """Unpickling this creates `marker`: code run by merely loading a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.fixture
def evil_checkpoint(tmp_path) -> tuple[Path, Path]:
    marker = tmp_path / "payload-ran"
    path = tmp_path / "run" / "last.pt"
    path.parent.mkdir()
    torch.save({"task": {"model": Payload(marker)}, "step": 1, "rng": {}}, path)
    return path, marker


def test_export_refuses_a_checkpoint_with_a_code_payload(evil_checkpoint, tmp_path):
    path, marker = evil_checkpoint
    result = runner.invoke(app, ["train", "export", "acoustic", str(path), "--out", str(tmp_path / "a.onnx")])
    one_line_error(result, 1, "refused")
    assert not marker.exists() and not (tmp_path / "a.onnx").exists()


def test_resume_refuses_a_checkpoint_with_a_code_payload(evil_checkpoint):
    path, marker = evil_checkpoint
    with pytest.raises(WeightsError, match="refused"):
        run(None, Runtime(), path.parent, {"max_steps": 1})  # fails at the checkpoint, before the task is used
    assert not marker.exists()


def test_checkpoints_restore_the_random_states_exactly(tmp_path):
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    np.random.standard_normal()  # a cached Gaussian is part of NumPy's state
    save_checkpoint(tmp_path / "last.pt", {"task": {}, "step": 3, "rng": rng_state()})
    expected = random.random(), np.random.standard_normal(3).tolist(), torch.rand(3).tolist()
    set_rng_state(load_checkpoint(tmp_path / "last.pt")["rng"])
    assert (random.random(), np.random.standard_normal(3).tolist(), torch.rand(3).tolist()) == expected


def test_not_a_checkpoint(tmp_path):
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    one_line_error(runner.invoke(app, ["train", "export", "vocoder", str(junk)]), 1, "is refused: it is damaged")
    torch.save({"task": {}, "step": 1, "rng": {}}, junk)
    one_line_error(runner.invoke(app, ["train", "export", "vocoder", str(junk)]), 1, "holds no vocoder model")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_terminated_say_leaves_no_temporary_file(tmp_path, signum):
    text = "This sentence keeps going so that speaking all of it takes a good while. " * 200
    process = subprocess.Popen([sys.executable, "-m", "tts.cli", "say", "-", "-o", str(tmp_path / "long.wav"),
                                "--threads", "1"], stdin=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    process.stdin.write(text.encode())
    process.stdin.close()
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".long.wav.*.part")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert list(tmp_path.glob(".long.wav.*.part")), "the output never started"
    process.send_signal(signum)
    assert process.wait(timeout=60) == 130
    assert process.stderr.read().decode().strip() == "interrupted"
    assert list(tmp_path.iterdir()) == []


def test_say_reads_no_more_stdin_than_the_limit():
    with open("/dev/zero", "rb") as zeros:
        result = subprocess.run([sys.executable, "-m", "tts.cli", "say", "-", "-o", "x.wav"], stdin=zeros,
                                capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert result.stderr.decode().strip().startswith("error: text is over the limit of 1,000,000 characters")


def wav_with_rate(path: Path, rate: int) -> Path:
    """A valid 16 kHz WAV file whose header then claims `rate` Hz."""
    sf.write(path, np.full(16000, 0.1, np.float32), 16000)
    data = bytearray(path.read_bytes())
    data[24:28], data[28:32] = rate.to_bytes(4, "little"), (2 * rate).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def test_absurd_sample_rates_are_refused_before_resampling(tmp_path):
    with pytest.raises(AudioError, match="sample rate is 1 Hz"):
        load_audio(wav_with_rate(tmp_path / "one.wav", 1))
    with pytest.raises(AudioError, match="8-192 kHz"):
        load_audio(wav_with_rate(tmp_path / "fast.wav", 1_000_000))
    assert len(load_audio(wav_with_rate(tmp_path / "eight.wav", 8000))) == 32000
    one_line_error(runner.invoke(app, ["detect", str(tmp_path / "one.wav")]), 2, "sample rate is 1 Hz")


def test_folders_pipes_and_symlink_loops_are_named_as_such(tmp_path):
    (tmp_path / "folder.wav").mkdir()
    os.mkfifo(tmp_path / "pipe.wav")
    (tmp_path / "loop.wav").symlink_to(tmp_path / "loop.wav")
    (tmp_path / "dangling.wav").symlink_to(tmp_path / "missing.wav")
    cases = {"folder.wav": "is a folder", "pipe.wav": "is not a regular file", "loop.wav": "symlink loop",
             "dangling.wav": "not found"}
    for name, message in cases.items():
        with pytest.raises(AudioError, match=message):
            load_audio(tmp_path / name)


@pytest.mark.parametrize("args", [["say", "Hi.", "-o", "x.wav"], ["eval"], ["train", "gta"],
                                  ["train", "acoustic"], ["train", "vocoder"]])
@pytest.mark.parametrize("threads", ["-1", "0", str(10**30)])
def test_thread_counts_are_checked(args, threads):
    one_line_error(runner.invoke(app, [*args, "--threads", threads]), 1, f"--threads {threads} is out of range")


def test_lexicon_and_output_paths_give_one_line_errors(tmp_path):
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "d.wav").mkdir()
    (tmp_path / "latin1.txt").write_bytes("CAF\xc9  K AE1 F EY1\n".encode("latin-1"))
    cases = [(["--lexicon", str(tmp_path / "lexicon")], "is a folder"),
             (["--lexicon", str(tmp_path / "missing.txt")], f"lexicon file not found: {tmp_path / 'missing.txt'}"),
             (["--lexicon", str(tmp_path / "latin1.txt")], "is not UTF-8"),
             (["-o", str(tmp_path / "d.wav")], "it is a folder")]
    for extra, message in cases:
        args = ["say", "Hi.", *extra] + ([] if "-o" in extra else ["-o", str(tmp_path / "out.wav")])
        one_line_error(runner.invoke(app, args), 1, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.wav", "latin1.txt", "lexicon"]
    assert not list((tmp_path / "d.wav").iterdir())


def test_an_overlong_phoneme_group_is_explained_without_internal_names():
    result = runner.invoke(app, ["say", "{" + "AH0 " * 100 + "}", "-o", "x.wav"])
    one_line_error(result, 1, "longer than 300 characters")
    assert "max_chunk_chars" not in result.output


def test_training_log_widens_by_an_atomic_rewrite(tmp_path):
    log = CsvLog(tmp_path / "log.csv")
    log.write({"step": 5, "mel": 1.0})
    log.write({"step": 10, "mel": 0.5, "disc": 2.0})
    assert (tmp_path / "log.csv").read_text().splitlines() == ["step,mel,disc", "5,1.0,", "10,0.5,2.0"]
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]


def test_an_interrupted_prepare_keeps_the_old_cache_or_none_but_no_mix(tmp_path, monkeypatch):
    old = {final: b"old" for final in cache_module.CACHE_FILES.values()}
    for final, content in old.items():
        (tmp_path / final).write_bytes(content)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module, "_write_features", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache_module.prepare_cache([], tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old  # untouched, no temporary files

    monkeypatch.setattr(cache_module, "_write_features", lambda *args: (0, []))
    published = []

    def publish_then_fail(tmp, path):
        if published:
            raise KeyboardInterrupt
        published.append(path)
        os.replace(tmp, path)

    monkeypatch.setattr(cache_module, "publish", publish_then_fail)
    with pytest.raises(KeyboardInterrupt):
        cache_module.prepare_cache([], tmp_path)
    assert "utterances.jsonl" not in {p.name for p in tmp_path.iterdir()}  # no index: no half-new cache
    assert not list(tmp_path.glob(".*.part"))
