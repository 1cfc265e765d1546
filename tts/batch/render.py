"""Rendering a parsed script: one audio file per utterance, a manifest, resume, workers and a combined file.

A run locks its output folder (`.tts-batch.lock`, released when the process ends, however it ends). Every file
is written in the run's own temporary folder (`.tts-batch.tmp`) and renamed into place when complete, so an
interrupted run leaves only whole files, and nothing else in the folder is touched; `manifest.jsonl` gets a
line as each utterance finishes and is rewritten (atomically, in script order) at the end. An utterance is
skipped on the next run when its file still has the recorded sha256 and the hash of everything that shaped it
(text, voice name and embedding, speed, pitch, model and lexicon files, format) is unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tts.audio import SAMPLE_RATE, AudioFileWriter, load_audio, save_audio
from tts.audio.io import check_output, output_format, publish
from tts.batch.script import Item, Script, ScriptError, parse_script
from tts.encoder.enroll import sha256_file
from tts.errors import InvalidInput, TTSError
from tts.limits import MAX_PITCH_SHIFT, MAX_VOLUME_DB, MIN_VOLUME_DB
from tts.voices import VoiceError, VoiceProfile, load_voice

MANIFEST = "manifest.jsonl"
LOCK_FILE = ".tts-batch.lock"
WORK_DIR = ".tts-batch.tmp"  # temporary files of the run holding the lock; nothing else there is ours to delete
HASH_VERSION = 2
PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for this process when its parent dies
# progress callback (event, payload): ("plan", (to_render, skipped)), ("done", Item) or ("error", ScriptError)
Report = Callable[[str, object], None]


class WorkerError(TTSError, RuntimeError):
    """A worker process could not load the models, or died (killed, or out of memory)."""


class FolderInUse(TTSError, RuntimeError):
    """Another run holds the output folder's lock."""


@dataclass
class BatchResult:
    outdir: Path
    total: int  # utterances in the script, good or bad
    rendered: list[str] = field(default_factory=list)  # ids rendered by this run
    skipped: list[str] = field(default_factory=list)  # ids whose file was up to date
    errors: list[ScriptError] = field(default_factory=list)
    audio_seconds: float = 0.0  # of all the files now in the manifest
    combined: Path | None = None
    combine_skipped: str = ""  # why --combine wrote nothing, if it did not

    @property
    def manifest(self) -> Path:
        return self.outdir / MANIFEST

    @property
    def done(self) -> int:
        return len(self.rendered) + len(self.skipped)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: the finished files and the manifest are kept, nothing partial."""

    def __init__(self, result: BatchResult) -> None:
        super().__init__()
        self.result = result


# --- hashing and the manifest --------------------------------------------------------------------------------

def models_identity(acoustic: Path, vocoder: Path, lexicon: Path | None) -> str:
    """One digest of the model (and lexicon) files' contents."""
    parts = [sha256_file(acoustic), sha256_file(vocoder), sha256_file(lexicon) if lexicon else ""]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def item_hash(item: Item, voice: VoiceProfile, pitch: float, models: str, fmt: str, volume: float = 0.0) -> str:
    """sha256 of every input that shapes the audio of `item`."""
    payload = {"v": HASH_VERSION, "text": item.text, "voice": item.voice,
               "embedding": hashlib.sha256(voice.vector.tobytes()).hexdigest(),
               "adaptation": hashlib.sha256(json.dumps(voice.adaptation, sort_keys=True).encode()).hexdigest(),
               "personal": voice.personal and voice.personal["sha256"],
               "speed": item.speed, "pitch": pitch, "volume": volume, "models": models, "format": fmt}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Manifest:
    """`manifest.jsonl`: one JSON object per finished utterance; the last line for an id wins."""

    def __init__(self, outdir: Path, work: Path) -> None:
        self.path, self.work = outdir / MANIFEST, work
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
            raise InvalidInput(f"{self.path} is a link or not a regular file: remove it (batch writes only "
                             "regular files of its own)")

    def read(self) -> dict[str, dict]:
        entries: dict[str, dict] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (FileNotFoundError, UnicodeDecodeError):
            return entries
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:  # a line cut short by a hard kill
                continue
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                entries[entry["id"]] = entry
        return entries

    def append(self, entry: dict) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        with open(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def write(self, entries: list[dict]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.work, prefix=f"{self.path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
            publish(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


# --- the output folder: lock, temporary files, checks -----------------------------------------------------

@contextlib.contextmanager
def folder_lock(outdir: Path) -> Iterator[None]:
    """Hold `outdir`'s lock (flock on LOCK_FILE, released by the kernel when the process ends); FolderInUse
    if another run holds it. The lock file is removed on release."""
    path = outdir / LOCK_FILE
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        except OSError as exc:
            raise InvalidInput(f"cannot lock output folder {outdir}: {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderInUse(f"output folder {outdir} is in use by another tts batch run: wait for it to finish, "
                              "or choose another folder with -o") from None
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False)):
                break
        os.close(fd)  # a run that just finished removed this lock file: lock the new one
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def remove_work_dir(work: Path) -> None:
    """Remove the temporary folder of this (or a killed) run, whatever it holds."""
    if work.is_symlink() or work.is_file():
        work.unlink()
    elif work.is_dir():
        shutil.rmtree(work)


def is_regular_file(path: Path) -> bool:
    """A regular file itself (not a link, folder or FIFO)."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def check_combine(combine: Path, outdir: Path) -> None:
    """Refuse a --combine path that cannot be written, or that is inside the output folder."""
    check_output(combine)
    if combine.resolve().is_relative_to(outdir.resolve()):
        raise InvalidInput(f"--combine {combine} is inside the output folder {outdir}, where it could replace a "
                         "line's file: write it outside that folder")


# --- the work done in each process -------------------------------------------------------------------------

@dataclass
class Job:
    id: str
    text: str
    voice: VoiceProfile
    speed: float
    pitch: float
    volume: float
    path: str  # the finished file
    work: str  # the temporary folder to write it in first


_SYNTH: tuple[tuple, object] | None = None  # (load arguments, Synthesizer) of this process
_LOAD_ERROR: str | None = None  # why a worker could not load the models


def load_synthesizer(acoustic: Path, vocoder: Path, lexicon: Path | None, threads: int) -> None:
    global _SYNTH
    key = (str(acoustic), str(vocoder), str(lexicon), threads)
    if _SYNTH is None or _SYNTH[0] != key:
        from tts.synthesizer import Synthesizer

        _SYNTH = (key, Synthesizer(acoustic=acoustic, vocoder=vocoder, lexicon=lexicon, threads=threads))


def _exit_with_parent(parent: int) -> None:
    """End this worker when process `parent` dies, even by SIGKILL (Linux: prctl; elsewhere a watchdog)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before that
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _worker_init(parent: int, *args) -> None:
    """In each worker: SIGINT is the parent's to handle (it stops the workers, whose default SIGTERM and SIGHUP
    end them at once; the parent removes their temporary files); die with the parent; load the models."""
    global _LOAD_ERROR
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent)
    try:
        load_synthesizer(*args)
    except Exception as exc:  # reported once by the parent, instead of a traceback per worker
        known = isinstance(exc, (TTSError, OSError))
        _LOAD_ERROR = str(exc) if known else f"{type(exc).__name__}: {exc}"


def render_job(job: Job) -> tuple[float, str]:
    """Synthesise one utterance and write it atomically; its duration in seconds and the file's sha256."""
    if _LOAD_ERROR is not None:
        raise WorkerError(_LOAD_ERROR)
    wav = _SYNTH[1].synthesize(job.text, job.voice, job.speed, job.pitch, job.volume)
    tmp = Path(job.work) / Path(job.path).name
    save_audio(tmp, wav)
    digest = sha256_file(tmp)
    os.replace(tmp, job.path)
    return len(wav) / SAMPLE_RATE, digest


# --- running the jobs ----------------------------------------------------------------------------------------

OnResult = Callable[[Job, "tuple[float, str] | BaseException"], None]


def _run_here(jobs: list[Job], init: tuple, on_result: OnResult) -> None:
    load_synthesizer(*init)
    for job in jobs:
        try:
            rendered = render_job(job)
        except Exception as exc:
            on_result(job, exc)
        else:
            on_result(job, rendered)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Child processes started inside inherit an ignored SIGINT (from their very start, imports included)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_pool(jobs: list[Job], workers: int, init: tuple, on_result: OnResult) -> None:
    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                   initargs=(os.getpid(), *init))
    finished = False
    try:
        with _sigint_ignored():
            futures: dict[Future, Job] = {executor.submit(render_job, job): job for job in jobs}
        for future in as_completed(futures):
            exc = future.exception()
            if isinstance(exc, WorkerError):
                raise exc
            if isinstance(exc, BrokenProcessPool):
                raise WorkerError("a worker process died (killed, or out of memory?): "
                                  "run again, with fewer --workers if memory is short") from None
            on_result(futures[future], exc if exc is not None else future.result())
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:  # Ctrl-C, --strict or a dead worker: stop at once; partial files are removed by the caller
            processes = list((getattr(executor, "_processes", None) or {}).values())
            for process in processes:
                process.terminate()
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.join(10)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TTSError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def render_batch(script: Script | str | Path, outdir: str | Path, *, fmt: str = "wav",
                 combine: str | Path | None = None, workers: int = 1, force: bool = False, strict: bool = False,
                 pitch: float = 0.0, volume: float = 0.0, acoustic: str | Path | None = None,
                 vocoder: str | Path | None = None, lexicon: str | Path | None = None, threads: int | None = None,
                 report: Report | None = None) -> BatchResult:
    """Render every good line of `script` into `outdir`; bad lines are collected in the result's errors.

    With `strict` the first error raises ScriptError. Ctrl-C raises BatchInterrupted after cleaning up.
    `workers` > 1 renders in that many processes, each loading the models once. FolderInUse if another run
    is writing into `outdir`.
    """
    from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE

    report = report or (lambda event, payload: None)
    script = script if isinstance(script, Script) else parse_script(script)
    suffix = "." + fmt.lower().lstrip(".")
    output_format(Path("x" + suffix))
    outdir = Path(outdir)
    if combine is not None:
        combine = Path(combine)
        check_combine(combine, outdir)
    if workers < 1:
        raise InvalidInput(f"--workers must be at least 1, got {workers}")
    if not -MAX_PITCH_SHIFT <= pitch <= MAX_PITCH_SHIFT:
        raise InvalidInput(f"pitch shift {pitch} is out of range: use -{MAX_PITCH_SHIFT:g} to {MAX_PITCH_SHIFT:g} "
                           "semitones")
    if not MIN_VOLUME_DB <= volume <= MAX_VOLUME_DB:
        raise InvalidInput(f"volume {volume} dB is out of range: use {MIN_VOLUME_DB:g} to {MAX_VOLUME_DB:g}")
    acoustic, vocoder = Path(acoustic or ACOUSTIC_FILE), Path(vocoder or VOCODER_FILE)
    lexicon = Path(lexicon) if lexicon else None
    for path in (acoustic, vocoder, lexicon):
        if path is not None and not path.is_file():
            raise FileNotFoundError(f"file not found: {path}")
    if strict and script.errors:
        raise script.errors[0]
    if outdir.exists() and not outdir.is_dir():
        raise InvalidInput(f"output folder {outdir} is a file: give a folder name")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create output folder {outdir}: {exc.strerror}") from None

    result = BatchResult(outdir, total=len(script.items) + len(script.errors))
    errors = list(script.errors)
    voices: dict[str, VoiceProfile | VoiceError] = {}
    good: list[Item] = []
    for item in script.items:
        if item.voice not in voices:
            try:
                voices[item.voice] = load_voice(item.voice)
            except VoiceError as exc:
                voices[item.voice] = exc
        if isinstance(voices[item.voice], VoiceError):
            error = ScriptError(script.path, item.line_no, str(voices[item.voice]))
            if strict:
                raise error
            errors.append(error)
        else:
            good.append(item)
    errors.sort(key=lambda e: e.line or 0)
    for error in errors:
        report("error", error)
    result.errors = errors
    models = models_identity(acoustic, vocoder, lexicon)

    with folder_lock(outdir):
        work = outdir / WORK_DIR
        remove_work_dir(work)  # left by a killed run
        work.mkdir()
        try:
            manifest = Manifest(outdir, work)
            entries = _render(script, good, voices, manifest, result, fmt=suffix, force=force, strict=strict,
                              pitch=pitch, volume=volume, models=models, files=(acoustic, vocoder, lexicon),
                              workers=workers,
                              threads=threads, report=report)
            if combine is not None:
                if result.errors:
                    result.combine_skipped = f"{len(result.errors)} line(s) failed; fix them and run again"
                else:
                    write_combined(combine, good, entries, outdir)
                    result.combined = combine
        finally:
            remove_work_dir(work)
    return result


def _render(script: Script, good: list[Item], voices: dict[str, VoiceProfile], manifest: Manifest,
            result: BatchResult, *, fmt: str, force: bool, strict: bool, pitch: float, volume: float, models: str,
            files: tuple,
            workers: int, threads: int | None, report: Report) -> dict[str, dict]:
    """Render the lines of `good` whose file is missing or out of date, rewrite the manifest; its entries."""
    outdir = result.outdir
    previous = {} if force else manifest.read()
    entries: dict[str, dict] = {}
    items = {item.id: item for item in good}
    jobs: list[Job] = []
    hashes: dict[str, str] = {}
    for item in good:
        digest = hashes[item.id] = item_hash(item, voices[item.voice], pitch, models, fmt, volume)
        name = item.id + fmt
        old = previous.get(item.id)
        if (old and old.get("hash") == digest and old.get("file") == name and is_regular_file(outdir / name)
                and old.get("file_sha256") == sha256_file(outdir / name)):
            entries[item.id] = {**old, "line": item.line_no}
            result.skipped.append(item.id)
        else:
            jobs.append(Job(item.id, item.text, voices[item.voice], item.speed, pitch, volume, str(outdir / name),
                            str(manifest.work)))
    report("plan", (len(jobs), len(result.skipped)))

    def on_result(job: Job, outcome: tuple[float, str] | BaseException) -> None:
        item = items[job.id]
        if isinstance(outcome, BaseException):
            error = ScriptError(script.path, item.line_no, _reason(outcome))
            result.errors.append(error)
            report("error", error)
            if strict:
                raise error
            return
        duration, file_sha256 = outcome
        entry = {"id": item.id, "line": item.line_no, "voice": item.voice, "text": item.text, "speed": item.speed,
                 "pitch": pitch, "volume": volume, "file": Path(job.path).name, "duration": round(duration, 3),
                 "file_sha256": file_sha256, "hash": hashes[item.id]}
        entries[item.id] = entry
        manifest.append(entry)
        result.rendered.append(item.id)
        report("done", item)

    workers = min(workers, len(jobs))
    threads = threads or max(1, (os.cpu_count() or 1) // max(workers, 1))
    init = (*files, threads)
    try:
        if workers == 1:
            _run_here(jobs, init, on_result)
        elif workers > 1:
            _run_pool(jobs, workers, init, on_result)
    except KeyboardInterrupt:
        _finish(manifest, good, entries, result)
        raise BatchInterrupted(result) from None
    except BaseException:
        _finish(manifest, good, entries, result)
        raise
    _finish(manifest, good, entries, result)
    result.errors.sort(key=lambda e: e.line or 0)
    return entries


def _finish(manifest: Manifest, items: list[Item], entries: dict[str, dict], result: BatchResult) -> None:
    ordered = [entries[item.id] for item in items if item.id in entries]
    manifest.write(ordered)
    result.audio_seconds = sum(e.get("duration", 0.0) for e in ordered)


def write_combined(path: Path, items: list[Item], entries: dict[str, dict], outdir: Path) -> None:
    """All utterances in script order, with the script's pauses, into one file (written atomically)."""
    with AudioFileWriter(path) as writer:
        for item in items:
            if item.pause_before:
                writer.write(np.zeros(round(item.pause_before * SAMPLE_RATE), np.float32))
            writer.write(load_audio(outdir / entries[item.id]["file"]))
            if item.pause_after:
                writer.write(np.zeros(round(item.pause_after * SAMPLE_RATE), np.float32))
