"""Model files: one registry of model kinds (MODEL_KINDS), and weights files that describe themselves.

A weights file (torch.save of plain data, read with weights_only) holds:
  kind     a MODEL_KINDS name: "acoustic" or "vocoder"
  format   2 (files without it are format 1: the settings below were the only ones then, and are assumed)
  config   the model's config (its dataclass as a dict): the shape of every layer
  audio    the signal settings it was trained with: sample_rate, n_fft, win_length, hop_length, n_mels, f_min,
           f_max, log_mel_floor (tts.audio.config); a file made for other settings is refused, and an acoustic
           model and a vocoder must agree
  text     acoustic models: {"language": a tts.text.FRONTENDS name, "symbols": the phoneme symbol list in id
           order}; refused if the frontend of that language has another list
  state    the weights in fp16, no optimizer state (the acoustic model's centre of its training voices included,
           as the buffer speaker_centre)
  meta     training steps, checkpoint name
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from tts.acoustic import AcousticConfig, AcousticModel
from tts.audio import config as audio_config
from tts.errors import TTSError
from tts.vocoder import Vocoder, VocoderConfig

WEIGHTS_DIR = Path(__file__).with_name("weights")
ACOUSTIC_FILE = WEIGHTS_DIR / "acoustic.pt"
VOCODER_FILE = WEIGHTS_DIR / "vocoder.pt"
FORMAT = 2
TRAINING_ONLY_PREFIXES = ("aligner.",)  # kept in the files (training resumes from them), optional for synthesis
LEGACY_OPTIONAL = ("speaker_centre",)  # format-1 files kept the centre in meta["speaker_mean"]


class WeightsError(TTSError):
    """A model file that is missing, corrupt, of the wrong kind or made for other settings."""


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


def audio_settings() -> dict:
    """The signal settings of this version (tts.audio.config), as recorded in weights files."""
    names = ("SAMPLE_RATE", "N_FFT", "WIN_LENGTH", "HOP_LENGTH", "N_MELS", "F_MIN", "F_MAX", "LOG_MEL_FLOOR")
    return {name.lower(): getattr(audio_config, name) for name in names}


def text_settings(model: AcousticModel) -> dict:
    return {"language": model.config.language, "symbols": list(model.symbols)}


def export_weights(model: nn.Module, path: Path, meta: dict) -> None:
    """Write the weights in fp16, without optimizer state, with the config, settings and metadata."""
    kind = next(k for k in MODEL_KINDS.values() if isinstance(model, k.model))
    state = {k: v.detach().half().cpu() for k, v in model.state_dict().items()}
    data = {"kind": kind.name, "format": FORMAT, "config": asdict(model.config), "audio": audio_settings(),
            "state": state, "meta": meta}
    if isinstance(model, AcousticModel):
        data["text"] = text_settings(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_atomic(data, path)


def save_atomic(data: dict, path: Path) -> None:
    """torch.save via a temporary file and a rename: a partly written file never replaces a good one."""
    tmp = path.with_suffix(".tmp")
    try:
        torch.save(data, tmp)
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
    audio = data.get("audio", audio_settings())  # format 1: made with the only settings there were
    if audio != audio_settings():
        changed = ", ".join(f"{k} {audio.get(k)} (this version: {v})" for k, v in audio_settings().items()
                            if audio.get(k) != v) or "unknown settings"
        raise WeightsError(f"{path} was made for other audio settings: {changed}; use weights made for these")
    return data


def load_model(kind: str, path: Path | None = None) -> nn.Module:
    """The model of registry kind `kind` from weights file `path` (default: the shipped one), in eval mode;
    WeightsError with a one-line reason if the file is missing, corrupt, of another kind or other settings."""
    entry = model_kind(kind)
    path = Path(path or entry.shipped)
    data = _read(path, kind)
    try:
        model = entry.model(entry.config(**data["config"]))
    except (TypeError, ValueError):
        raise WeightsError(f"{path} has a {kind} config this version does not know; retrain or reinstall") from None
    if isinstance(model, AcousticModel):
        _check_text(model, data.get("text"), path)
    state = {k: v.float() for k, v in data["state"].items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    optional = TRAINING_ONLY_PREFIXES + LEGACY_OPTIONAL if kind == "acoustic" else ()
    if unexpected or any(not k.startswith(optional) for k in missing):
        raise WeightsError(f"{path} does not match the {kind} model of this version; retrain or reinstall")
    if isinstance(model, AcousticModel):
        model.has_aligner = not any(k.startswith("aligner.") for k in missing)  # needed to adapt voices
        if "speaker_centre" in missing and data.get("meta", {}).get("speaker_mean") is not None:
            model.speaker_centre.copy_(torch.tensor(data["meta"]["speaker_mean"], dtype=torch.float32))
    return model.eval()


def _check_text(model: AcousticModel, text: dict | None, path: Path) -> None:
    """WeightsError unless the file's language has a frontend whose symbol list is the one it was trained on."""
    from tts.text import FRONTENDS

    text = text or {"language": model.config.language, "symbols": list(model.symbols)}  # format 1: English
    if text.get("language") not in FRONTENDS:
        raise WeightsError(f"{path} is for language {text.get('language')!r}, which this version cannot read "
                           f"(it reads {', '.join(FRONTENDS)})")
    if list(text.get("symbols", [])) != list(FRONTENDS[text["language"]].symbols):
        raise WeightsError(f"{path} was trained on another phoneme symbol list than this version's "
                           f"'{text['language']}' frontend uses; use weights made for it")


def load_acoustic(path: Path = ACOUSTIC_FILE) -> AcousticModel:
    return load_model("acoustic", path)


def load_vocoder(path: Path = VOCODER_FILE) -> Vocoder:
    return load_model("vocoder", path)


def model_meta(path: Path) -> dict:
    """The metadata stored with a model file (training steps, data, date)."""
    return torch.load(path, map_location="cpu", weights_only=True).get("meta", {})
