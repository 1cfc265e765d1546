"""Entry points behind `tts train ...`: prepare a feature cache, train a model, export weights."""

from __future__ import annotations

from pathlib import Path

import torch

from tts.data.cache import prepare_cache
from tts.data.readers import read_corpus
from tts.errors import InvalidInput
from tts.train.config import load_config
from tts.train.loop import Runtime, load_checkpoint, run, seed_everything
from tts.models import WeightsError, export_weights, model_kind


def prepare(kind: str, location: Path, out: Path, workers: int = 2, limit: int | None = None) -> tuple[int, list[str]]:
    """Read a corpus and write its feature cache to `out`."""
    utterances = read_corpus(kind, location)
    if not utterances:
        raise InvalidInput(f"no utterances found in {location} (read as {kind})")
    return prepare_cache(utterances[:limit] if limit else utterances, out, workers)


def train(model: str, cache: Path, out: Path, config_path: Path | None = None, max_steps: int | None = None,
          max_minutes: float | None = None, threads: int | None = None, workers: int = 0,
          init: Path | None = None, cpu_bf16: bool = False) -> int:
    """Train `model` ('acoustic' or 'vocoder') on a cache; resumes from `out/last.pt` when present,
    else starts from the weights file `init` (e.g. the shipped model) if given, else from scratch.
    `cpu_bf16`: bf16 mixed precision on a CPU too (faster where the CPU has AVX512-BF16 or AMX)."""
    config = load_config(config_path, model)
    seed_everything(config["train"]["seed"])
    runtime = Runtime(threads, cpu_bf16)
    task = model_kind(model).task_class()(config, cache, runtime, workers)
    if init is not None and not (out / "last.pt").exists():
        task.init_from(init)
    return run(task, runtime, out, config["train"], max_steps, max_minutes)


def export(model: str, checkpoint: Path, out: Path, int8: bool = False) -> dict:
    """Write the model of a training checkpoint as a model file (fp16 weights, large ones int8 with `int8`; no
    optimizer state) to `out`."""
    if not checkpoint.is_file():
        raise FileNotFoundError(f"checkpoint not found: {checkpoint} (training writes OUT/last.pt)")
    state = load_checkpoint(checkpoint)
    task_state = state["task"]
    kind = model_kind(model)
    key = kind.checkpoint_key
    if not isinstance(task_state, dict) or key not in task_state or "config" not in task_state:
        raise WeightsError(f"{checkpoint} holds no {model} model: pass the last.pt of a {model} training run")
    weights = dict(task_state[key])
    if "speaker_mean" in task_state:  # acoustic checkpoints of older versions kept the centre beside the model
        weights.setdefault("speaker_centre", torch.tensor(task_state["speaker_mean"], dtype=torch.float32))
    try:
        net = kind.model(kind.config(**task_state["config"]))
        net.load_state_dict(weights)
    except (TypeError, ValueError, RuntimeError):
        raise WeightsError(f"{checkpoint} does not match the {model} model of this version") from None
    meta = {"steps": state["step"], "checkpoint": checkpoint.name}
    export_weights(net, out, meta, int8)
    return meta
