"""Shipped model files: weights only (fp16), with the model config, loaded with clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch

from tts.acoustic import AcousticConfig, AcousticModel
from tts.vocoder import Vocoder, VocoderConfig

WEIGHTS_DIR = Path(__file__).with_name("weights")
ACOUSTIC_FILE = WEIGHTS_DIR / "acoustic.pt"
VOCODER_FILE = WEIGHTS_DIR / "vocoder.pt"
TRAINING_ONLY_PREFIXES = ("aligner.",)  # kept in the files (training resumes from them), optional for synthesis


class WeightsError(Exception):
    """A model file that is missing, corrupt or of the wrong kind."""


def export_weights(model: AcousticModel | Vocoder, path: Path, meta: dict) -> None:
    """Write the weights in fp16, without optimizer state, with the config and metadata."""
    state = {k: v.detach().half().cpu() for k, v in model.state_dict().items()}
    kind = "acoustic" if isinstance(model, AcousticModel) else "vocoder"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        torch.save({"kind": kind, "config": model.export_config(), "state": state, "meta": meta}, tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read(path: Path, kind: str) -> dict:
    if not path.is_file():
        raise WeightsError(f"{kind} model file missing: {path}. Reinstall the package or pass a weights file.")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"{kind} model file {path} is corrupt ({type(exc).__name__}); reinstall or retrain it") from None
    if not isinstance(data, dict) or data.get("kind") != kind:
        raise WeightsError(f"{path} holds no {kind} model: pass the right file")
    return data


def load_acoustic(path: Path = ACOUSTIC_FILE) -> AcousticModel:
    data = _read(path, "acoustic")
    model = AcousticModel(AcousticConfig(**data["config"]))
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in data["state"].items()}, strict=False)
    if unexpected or any(not k.startswith(TRAINING_ONLY_PREFIXES) for k in missing):
        raise WeightsError(f"{path} does not match the acoustic model of this version; retrain or reinstall")
    model.has_aligner = not any(k.startswith("aligner.") for k in missing)  # needed to adapt voices (tts.finetune)
    speaker_mean = data.get("meta", {}).get("speaker_mean")
    model.speaker_mean = None if speaker_mean is None else torch.tensor(speaker_mean, dtype=torch.float32)
    return model.eval()


def load_vocoder(path: Path = VOCODER_FILE) -> Vocoder:
    data = _read(path, "vocoder")
    model = Vocoder(VocoderConfig(**data["config"]))
    try:
        model.load_state_dict({k: v.float() for k, v in data["state"].items()})
    except RuntimeError:
        raise WeightsError(f"{path} does not match the vocoder of this version; retrain or reinstall") from None
    return model.eval()


def file_sha256(path: Path) -> str:
    """sha256 of a model file's bytes: which weights a personal voice was adapted for."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_meta(path: Path) -> dict:
    """The metadata stored with a model file (training steps, data, date)."""
    return torch.load(path, map_location="cpu", weights_only=True).get("meta", {})
