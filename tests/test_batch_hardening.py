"""`tts batch` against shared, tampered or odd output folders, signals and crafted lines (issue 14)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tts.cli.main import app
from tts.batch import render_batch
from tts.batch.render import LOCK_FILE, WORK_DIR, folder_lock

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(tiny_models, *args: str):
    acoustic, vocoder = tiny_models
    return CliRunner().invoke(app, ["batch", *args, "--acoustic", str(acoustic), "--vocoder", str(vocoder)])


def manifest(outdir: Path) -> list[dict]:
    return [json.loads(line) for line in (outdir / "manifest.jsonl").read_text().splitlines()]


def leftovers(folder: Path) -> list[str]:
    """Temporary files, the lock file and the temporary folder: none may remain after a run."""
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".part") or p.name.startswith(".tts-batch"))


def test_a_second_run_into_a_busy_folder_fails_and_changes_nothing(tmp_path, tiny_models):
    script = write(tmp_path / "s.txt", "One.\n")
    out = tmp_path / "out"
    out.mkdir()
    with folder_lock(out):  # another run holds the folder
        result = run_cli(tiny_models, str(script), "-o", str(out))
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.output.strip() == (f"error: output folder {out} is in use by another tts batch run: wait for "
                                         "it to finish, or choose another folder with -o")
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]
    assert run_cli(tiny_models, str(script), "-o", str(out)).exit_code == 0
    assert leftovers(tmp_path) == []


def test_a_skipped_line_must_still_have_the_audio_it_was_rendered_with(tmp_path, tiny_models):
    acoustic, vocoder = tiny_models
    script = write(tmp_path / "s.tsv", "a\tAlpha.\nb\tBravo, a longer line.\nc\tCharlie.\n")
    out = tmp_path / "out"
    first = render_batch(script, out, acoustic=acoustic, vocoder=vocoder)
    assert first.rendered == ["a", "b", "c"] and all(len(e["file_sha256"]) == 64 for e in manifest(out))

    shutil.copy(out / "b.wav", out / "a.wav")  # another script's audio under a's name
    (out / "c.wav").unlink()
    (out / "c.wav").symlink_to(out / "b.wav")  # a link is not a file batch wrote
    again = render_batch(script, out, acoustic=acoustic, vocoder=vocoder)
    assert again.rendered == ["a", "c"] and again.skipped == ["b"]
    assert not (out / "c.wav").is_symlink() and (out / "b.wav").read_bytes() != (out / "a.wav").read_bytes()
    assert render_batch(script, out, acoustic=acoustic, vocoder=vocoder).skipped == ["a", "b", "c"]


def test_combine_inside_the_output_folder_or_into_a_missing_folder_is_refused_up_front(tmp_path, tiny_models):
    script = write(tmp_path / "s.txt", "One.\n")
    out = tmp_path / "out"
    assert run_cli(tiny_models, str(script), "-o", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (tmp_path / "link").symlink_to(out)
    for combine, message in [(out / "0001.wav", "is inside the output folder"),
                             (tmp_path / "link" / "all.wav", "is inside the output folder"),
                             (tmp_path / "missing" / "all.wav", "does not exist")]:
        result = run_cli(tiny_models, str(script), "-o", str(out), "--combine", str(combine), "--force")
        assert result.exit_code == 1 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing rendered, nothing replaced
    result = run_cli(tiny_models, str(script), "-o", str(tmp_path / "new"), "--combine", str(tmp_path / "no" / "a.wav"))
    assert result.exit_code == 1 and not (tmp_path / "new").exists()


def test_files_batch_did_not_make_are_left_alone(tmp_path, tiny_models, monkeypatch):
    script = write(tmp_path / "s.txt", "One.\nTwo.\n")
    out = tmp_path / "out"
    out.mkdir()
    theirs = {".movie.mkv.part": b"a download", ".0001.wav.x.part": b"not ours either", "notes.txt": b"mine"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    assert run_cli(tiny_models, str(script), "-o", str(out)).exit_code == 0

    def interrupt(job):
        raise KeyboardInterrupt

    monkeypatch.setattr("tts.batch.render.render_job", interrupt)
    assert run_cli(tiny_models, str(script), "-o", str(out), "--force").exit_code == 130
    assert {name: (out / name).read_bytes() for name in theirs} == theirs
    assert sorted(p.name for p in out.glob("*.wav")) == ["0001.wav", "0002.wav"]
    assert [p for p in leftovers(tmp_path) if p not in theirs] == []


def test_a_huge_jsonl_speed_fails_that_line_only(tmp_path, tiny_models):
    script = write(tmp_path / "s.jsonl", '{"id": "a", "text": "Hello."}\n{"id": "b", "text": "Hi.", "speed": 1'
                                         + "0" * 400 + '}\n')
    out = tmp_path / "out"
    result = run_cli(tiny_models, str(script), "-o", str(out))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{script}:2: speed inf is out of range" in result.output
    assert [e["id"] for e in manifest(out)] == ["a"]


def test_a_manifest_link_is_refused_not_written_through(tmp_path, tiny_models):
    script = write(tmp_path / "s.txt", "One.\n")
    out = tmp_path / "out"
    out.mkdir()
    target = write(tmp_path / "elsewhere.txt", "precious\n")
    (out / "manifest.jsonl").symlink_to(target)
    result = run_cli(tiny_models, str(script), "-o", str(out))
    assert result.exit_code == 1 and "is a link or not a regular file" in result.output
    assert target.read_text() == "precious\n" and (out / "manifest.jsonl").is_symlink()
    assert leftovers(tmp_path) == []


# --- signals, in real processes ----------------------------------------------------------------------------

def start_batch(tmp_path: Path, tiny_models, workers: int) -> tuple[subprocess.Popen, Path]:
    """A real `tts batch` of 40 lines in its own session, once it has finished a line."""
    acoustic, vocoder = tiny_models
    script = write(tmp_path / "s.txt", "".join(f"Short line {n}.\n" for n in range(1, 41)))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "tts.cli", "batch", str(script), "-o", str(out), "--workers", str(workers),
               "--acoustic", str(acoustic), "--vocoder", str(vocoder)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if (out / "manifest.jsonl").is_file() and (out / "manifest.jsonl").read_text().count("\n") >= 1:
            break
        time.sleep(0.05)
    assert process.poll() is None, process.communicate()
    return process, out


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def survivors(pids: list[int], wait: float = 15) -> list[int]:
    """Those of `pids` still running after up to `wait` seconds (then killed, so that a failure leaves none)."""
    deadline = time.monotonic() + wait
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum, workers, group", [(signal.SIGTERM, 2, True), (signal.SIGHUP, 1, False)],
                         ids=["SIGTERM-group-2-workers", "SIGHUP-1-worker"])
def test_sigterm_and_sighup_stop_cleanly_like_ctrl_c(tmp_path, tiny_models, signum, workers, group):
    process, out = start_batch(tmp_path, tiny_models, workers)
    workers_pids = children(process.pid)
    (os.killpg if group else os.kill)(process.pid, signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted:" in stderr and "Traceback" not in stderr
    assert leftovers(tmp_path) == []
    assert {p.stem for p in out.glob("*.wav")} >= {e["id"] for e in manifest(out)}
    assert survivors(workers_pids) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent_and_the_folder_is_usable_again(tmp_path, tiny_models):
    process, out = start_batch(tmp_path, tiny_models, workers=2)
    workers_pids = children(process.pid)
    assert workers_pids
    process.kill()
    process.wait(timeout=60)
    assert survivors(workers_pids) == []
    acoustic, vocoder = tiny_models
    resumed = render_batch(write(tmp_path / "one.txt", "One.\n"), out, acoustic=acoustic, vocoder=vocoder)
    assert resumed.rendered == ["0001"] and not (out / WORK_DIR).exists() and not (out / LOCK_FILE).exists()
