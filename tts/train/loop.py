"""The training loop shared by both models: device, distributed setup, resume, logs, checkpoints."""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
import torch.distributed as dist
from tqdm import tqdm

from tts.models import WeightsError, save_atomic
from tts.voices import write_atomic


class Task(Protocol):
    """What a model's training code provides to the loop."""

    def batches(self, epoch: int):  # yields training batches for one epoch
        ...

    def train_step(self, batch, step: int) -> dict[str, float]: ...

    def validate(self) -> dict[str, float]: ...

    def write_sample(self, step: int, folder: Path) -> None: ...

    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> None: ...

    def init_from(self, weights: Path) -> None:  # start from a shipped weights file
        ...


class Runtime:
    """Where training runs: device, rank and world size (torchrun sets the environment)."""

    def __init__(self, threads: int | None = None, cpu_bf16: bool = False) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if torch.cuda.is_available():
            torch.cuda.set_device(local_rank)
            self.device = torch.device("cuda", local_rank)
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        else:
            self.device = torch.device("cpu")
            if threads:
                torch.set_num_threads(threads)
        self.bf16 = self.device.type == "cuda" or cpu_bf16
        if self.world > 1 and not dist.is_initialized():
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")

    @property
    def main(self) -> bool:
        return self.rank == 0

    def autocast(self):
        """bf16 mixed precision on a GPU (and on a CPU when asked for), else plain float32."""
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16)

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        model = model.to(self.device)
        if self.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
        return model


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class CsvLog:
    """One row per logged step in a CSV file; a new column (e.g. GAN losses joining) widens the file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, row: dict[str, float]) -> None:
        rows: list[dict] = []
        fields: list[str] = []
        if self.path.exists():
            with open(self.path, newline="") as handle:
                reader = csv.DictReader(handle)
                fields = list(reader.fieldnames or [])
                if set(row) - set(fields):
                    rows = list(reader)
        if fields and not set(row) - set(fields):
            with open(self.path, "a", newline="") as handle:
                csv.DictWriter(handle, fieldnames=fields).writerow(row)
            return
        fields += [k for k in row if k not in fields]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows + [row])
        write_atomic(self.path, text.getvalue())  # a crash mid-rewrite keeps the old log


def save_checkpoint(path: Path, state: dict) -> None:
    """Atomic write: a partly written checkpoint never replaces a good one. `state` holds only what
    `load_checkpoint` accepts: tensors, numbers, strings, lists, tuples and dicts."""
    save_atomic(state, path)


def load_checkpoint(path: Path, device: torch.device | str = "cpu") -> dict:
    """A training checkpoint, loaded with `weights_only`: a file holding anything but plain data (such as a
    pickled object whose loading would run code) is refused with a WeightsError, and nothing in it runs."""
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception:  # damaged, or pickled objects (UnpicklingError), which weights_only refuses to build
        raise WeightsError(f"{path} is refused: it is damaged or holds more than tensors and numbers (loading such "
                           "a file could run code); use a last.pt written by this version of tts train") from None
    if not isinstance(state, dict) or not {"task", "step", "rng"} <= state.keys():
        raise WeightsError(f"{path} is not a training checkpoint: use the last.pt that tts train writes")
    return state


def rng_state() -> dict:
    """The Python, NumPy and torch random states as plain data (NumPy's array as a list), for a checkpoint."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {"python": random.getstate(), "numpy": [name, keys.tolist(), pos, has_gauss, cached],
            "torch": torch.get_rng_state()}


def set_rng_state(state: dict) -> None:
    """Restore the random states `rng_state` returned."""
    random.setstate(state["python"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"].cpu())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(task: Task, runtime: Runtime, out: Path, train_cfg: dict, max_steps: int | None = None,
        max_minutes: float | None = None) -> int:
    """Train until `max_steps` (or the config's) or `max_minutes`; resume from `out/last.pt`. Returns the step.

    SIGTERM (`kill`) is handled like Ctrl-C: a checkpoint is saved before the process exits."""
    if threading.current_thread() is not threading.main_thread():
        return _run(task, runtime, out, train_cfg, max_steps, max_minutes)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(task, runtime, out, train_cfg, max_steps, max_minutes)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(task: Task, runtime: Runtime, out: Path, train_cfg: dict, max_steps: int | None,
         max_minutes: float | None) -> int:
    out.mkdir(parents=True, exist_ok=True)
    last = out / "last.pt"
    step = 0
    if last.exists():
        state = load_checkpoint(last, runtime.device)
        task.load_state_dict(state["task"])
        step = state["step"]
        set_rng_state(state["rng"])
        if runtime.main:
            print(f"resumed from {last} at step {step}")
    target = max_steps or train_cfg["max_steps"]
    log = CsvLog(out / "log.csv")
    deadline = time.monotonic() + 60 * max_minutes if max_minutes else None
    bar = tqdm(total=target, initial=step, disable=not runtime.main, desc="train", unit="step", dynamic_ncols=True)
    running: dict[str, float] = {}
    started = time.monotonic()
    epoch = step  # a different shuffle after each resume
    def checkpoint() -> None:
        save_checkpoint(last, {"task": task.state_dict(), "step": step, "rng": rng_state()})

    try:
        while step < target and (deadline is None or time.monotonic() < deadline):
            for batch in task.batches(epoch):
                losses = task.train_step(batch, step)
                step += 1
                bar.update(1)
                for k, v in losses.items():
                    running[k] = running.get(k, 0.0) + v
                if runtime.main and step % train_cfg["log_every"] == 0:
                    row = {"step": step, "seconds": round(time.monotonic() - started, 1)}
                    row.update({k: round(v / train_cfg["log_every"], 5) for k, v in running.items()})
                    log.write(row)
                    bar.set_postfix({k: f"{v:.3f}" for k, v in list(row.items())[2:5]})
                    running = {}
                done = step >= target or (deadline is not None and time.monotonic() >= deadline)
                if runtime.main and (step % train_cfg["checkpoint_every"] == 0 or done):
                    checkpoint()
                if runtime.main and step % train_cfg["sample_every"] == 0:
                    metrics = task.validate()
                    with open(out / "validation.csv", "a") as handle:
                        handle.write(f"{step}," + ",".join(f"{k}={v:.5f}" for k, v in metrics.items()) + "\n")
                    task.write_sample(step, out / "samples")
                if done:
                    break
            epoch += 1
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM anywhere in the loop: keep what was learned since the last save
        if runtime.main:
            checkpoint()
            print(f"\ninterrupted: checkpoint saved at step {step}; run the same command to resume")
        raise
    bar.close()
    return step
