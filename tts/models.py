"""The torch models behind the model files: one registry of model kinds (MODEL_KINDS), a model file
(tts.runtime.model_file) loaded back into its torch model for training and fine-tuning, checkpoint saving.

Synthesis does not use this module: it runs the model files on ONNX Runtime (tts.runtime). Needs the `train` extra.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from tts.acoustic import AcousticConfig, AcousticModel
from tts.export import TRAINING_ONLY_PREFIXES, export_weights, read_weights, write_via_temporary
from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE, WeightsError, check_description, check_text
from tts.vocoder import Vocoder, VocoderConfig

__all__ = ["ACOUSTIC_FILE", "MODEL_KINDS", "ModelKind", "VOCODER_FILE", "WeightsError", "export_weights",
           "load_acoustic", "load_model", "load_vocoder", "model_kind", "save_atomic"]


@dataclass(frozen=True)
class ModelKind:
    """One kind of model: its class and config, where its shipped weights are, its key in training checkpoints
    and its training task (module:class, imported only to train)."""

    name: str
    model: type[nn.Module]
    config: type
    shipped: Path
    checkpoint_key: str
    task: str

    def task_class(self) -> type:
        module, name = self.task.split(":")
        return getattr(importlib.import_module(module), name)


MODEL_KINDS = {
    "acoustic": ModelKind("acoustic", AcousticModel, AcousticConfig, ACOUSTIC_FILE, "model",
                          "tts.train.acoustic:AcousticTask"),
    "vocoder": ModelKind("vocoder", Vocoder, VocoderConfig, VOCODER_FILE, "generator", "tts.train.vocoder:VocoderTask"),
}


def model_kind(name: str) -> ModelKind:
    """The registry entry `name`; WeightsError listing the kinds otherwise."""
    if name not in MODEL_KINDS:
        raise WeightsError(f"unknown model '{name}': use {' or '.join(MODEL_KINDS)}")
    return MODEL_KINDS[name]


def save_atomic(data: dict, path: Path) -> None:
    """torch.save via a temporary file and a rename: a partly written file never replaces a good one."""
    write_via_temporary(path, lambda tmp: torch.save(data, tmp))


def load_model(kind: str, path: Path | None = None) -> nn.Module:
    """The torch model of registry kind `kind` from model file `path` (default: the shipped one), in eval mode;
    WeightsError with a one-line reason if the file is missing, corrupt, of another kind or other settings."""
    entry = model_kind(kind)
    path = Path(path or entry.shipped)
    if not path.is_file():
        raise WeightsError(f"{kind} model file missing: {path}. Reinstall the package or pass a model file.")
    try:
        description, state = read_weights(path)
    except Exception as exc:  # onnx raises its own types for unreadable files
        raise WeightsError(f"{kind} model file {path} is corrupt ({type(exc).__name__}); reinstall or export it "
                           "again") from None
    check_description(description, kind, path)
    if kind == "acoustic":
        check_text(description, path)
    try:
        model = entry.model(entry.config(**description["config"]))
    except (TypeError, ValueError):
        raise WeightsError(f"{path} has a {kind} config this version does not know; retrain or reinstall") from None
    known = model.state_dict()
    missing = [k for k in known if k not in state]
    optional = TRAINING_ONLY_PREFIXES + ("speaker_centre",) if kind == "acoustic" else ()
    if any(not k.startswith(optional) for k in missing) or any(
            state[k].shape != v.shape for k, v in known.items() if k in state):
        raise WeightsError(f"{path} does not match the {kind} model of this version; retrain or reinstall")
    model.load_state_dict({k: v for k, v in state.items() if k in known}, strict=False)
    if isinstance(model, AcousticModel):
        model.has_aligner = not any(k.startswith(TRAINING_ONLY_PREFIXES) for k in missing)  # needed to adapt voices
        if description.get("speaker_centre") is not None:
            model.speaker_centre.copy_(torch.tensor(description["speaker_centre"], dtype=torch.float32))
    return model.eval()


def load_acoustic(path: Path = ACOUSTIC_FILE) -> AcousticModel:
    return load_model("acoustic", path)


def load_vocoder(path: Path = VOCODER_FILE) -> Vocoder:
    return load_model("vocoder", path)
