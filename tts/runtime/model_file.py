"""Model files: ONNX graphs that describe themselves, opened with ONNX Runtime (no torch).

A model file is an ONNX model (made by tts.export from the trained torch model) whose metadata entry "tts" is a
JSON object:
  kind     "acoustic", "vocoder" or "speaker_encoder"
  format   3 (formats 1-2 were torch files of earlier versions)
  config   the torch model's config (its dataclass as a dict): the shape of every layer, for training
  audio    the signal settings it was trained with (tts.audio.config); a file made for other settings is refused
  text     acoustic models: {"language": a tts.text.FRONTENDS name, "symbols": the phoneme symbol list in id order}
  slots    {parameter: [its shape, rank]}: the parameters a personal voice may change (tts.finetune), each beside
           zero-valued initializers "<parameter>#up" [out, rank] and "#down" [rank, in] (a low-rank change, rank > 0)
           or "#full" (the whole change, rank 0), added to the weight inside the graph
  speaker_centre  acoustic models: the centre of the training voices' embeddings (tts.adaptation), or null
  meta     training steps, checkpoint name
Weights are stored in float16 (or, from `tts train export --int8`, the large ones in int8 with a scale per output
channel) and made float32 inside the graph; ONNX Runtime folds that and the slot additions into plain float32
weights when a session opens, so they cost nothing per call. A personal voice opens
its own session on a copy of the file whose zero slots hold its changes (`OnnxModel.with_changes`,
tts.runtime.initializers).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from tts.audio import config as audio_config
from tts.errors import TTSError
from tts.finetune.adapter import AdapterError
from tts.runtime.initializers import with_values

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
ACOUSTIC_FILE = WEIGHTS_DIR / "acoustic.onnx"
VOCODER_FILE = WEIGHTS_DIR / "vocoder.onnx"
SPEAKER_ENCODER_FILE = WEIGHTS_DIR / "speaker_encoder.onnx"
FORMAT = 3
METADATA_KEY = "tts"


class WeightsError(TTSError):
    """A model file that is missing, corrupt, of the wrong kind or made for other settings."""


def audio_settings() -> dict:
    """The signal settings of this version (tts.audio.config), as recorded in model files."""
    names = ("SAMPLE_RATE", "N_FFT", "WIN_LENGTH", "HOP_LENGTH", "N_MELS", "F_MIN", "F_MAX", "LOG_MEL_FLOOR")
    return {name.lower(): getattr(audio_config, name) for name in names}


def check_description(description: object, kind: str, path: Path) -> dict:
    """`description` (a file's "tts" metadata) if it is a format-3 `kind` model for this version's audio settings;
    WeightsError with the reason otherwise."""
    if not isinstance(description, dict) or description.get("kind") != kind:
        raise WeightsError(f"{path} holds no {kind} model: pass the right file")
    if description.get("format") != FORMAT:
        raise WeightsError(f"{path} is a model file of format {description.get('format')} (this version reads "
                           f"{FORMAT}): export it again with `tts train export`")
    audio = description.get("audio")
    if audio != audio_settings():
        audio = audio if isinstance(audio, dict) else {}
        changed = ", ".join(f"{k} {audio.get(k)} (this version: {v})" for k, v in audio_settings().items()
                            if audio.get(k) != v)
        raise WeightsError(f"{path} was made for other audio settings: {changed}; use weights made for these")
    return description


def check_text(description: dict, path: Path) -> str:
    """The language of an acoustic model file's description, if this version has its frontend and that frontend
    has the symbol list the model was trained on; WeightsError otherwise."""
    from tts.text import FRONTENDS

    text = description.get("text") or {}
    language = text.get("language")
    if language not in FRONTENDS:
        raise WeightsError(f"{path} is for language {language!r}, which this version cannot read "
                           f"(it reads {', '.join(FRONTENDS)})")
    if list(text.get("symbols", [])) != list(FRONTENDS[language].symbols):
        raise WeightsError(f"{path} was trained on another phoneme symbol list than this version's "
                           f"'{language}' frontend uses; use weights made for it")
    return language


def session_options(threads: int | None):
    """ONNX Runtime session options for this tool's model files, on `threads` threads (None: its choice)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or 0  # 0: ONNX Runtime's choice (the physical cores)
    options.inter_op_num_threads = 1
    # idle threads sleep rather than spin: spinning threads fight other busy processes for the cores
    options.add_session_config_entry("session.intra_op.allow_spinning",
                                     "0" if os.environ.get("OMP_WAIT_POLICY", "").upper() == "PASSIVE" else "1")
    options.log_severity_level = 3
    # int8 weights: dequantised once into float32 when the session opens (by default ONNX Runtime 1.26 keeps
    # the dequantisation and runs it on every call: 15% slower end to end, 2x for the G2P model)
    options.add_session_config_entry("session.disable_quant_qdq", "1")
    return options


class OnnxModel:
    """One model file open in ONNX Runtime: `description` is its metadata, `run` its graph."""

    kind = ""
    default_file: Path

    def __init__(self, path: Path | None = None, threads: int | None = None,
                 changes: dict[str, np.ndarray] | None = None) -> None:
        import onnxruntime as ort

        self.path, self.threads = Path(path or self.default_file), threads
        if not self.path.is_file():
            raise WeightsError(f"{self.kind} model file missing: {self.path}. Reinstall the package or pass a "
                               "model file.")
        if self.path.suffix == ".pt":
            raise WeightsError(f"{self.path} is a torch weights file of an earlier version: model files are .onnx "
                               "now; make one from its training checkpoint with `tts train export`")
        options = session_options(threads)
        try:
            if changes:
                self.session = ort.InferenceSession(with_values(self.path.read_bytes(), changes), options,
                                                    providers=["CPUExecutionProvider"])
            else:
                self.session = _cached_session(self.path, options)
            text = self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
            description = json.loads(text) if text else None
        except Exception as exc:  # ONNX Runtime raises its own types for unreadable files
            raise WeightsError(f"{self.kind} model file {self.path} is corrupt ({type(exc).__name__}); reinstall "
                               "or export it again") from None
        self.description = check_description(description, self.kind, self.path)
        self.slots: dict[str, tuple[list[int], int]] = {
            name: (list(shape), int(rank)) for name, (shape, rank) in self.description.get("slots", {}).items()}

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return self.session.run(None, feeds)

    def with_changes(self, parameters: dict[str, dict[str, np.ndarray]], source: str) -> "OnnxModel":
        """This model with a personal voice's changes ({parameter: {part: array}}) in its slots, as a new
        session; AdapterError naming `source` if a change does not fit a slot."""
        return type(self)(self.path, self.threads, slot_values(self.slots, parameters, source))


def _cached_session(path: Path, options):
    """A session of model file `path` opened from its optimised copy in the user cache, which the first session
    writes: the copy holds the folded float32 weights and opens in about half the time (0.11 s against 0.22 s for
    the acoustic model). The cache is only a shortcut: without a usable one the file is opened as it is."""
    import onnxruntime as ort

    from tts.voice_cache import file_identity, model_cache_dir

    key = hashlib.sha256(f"{file_identity(path)}|{ort.__version__}|float32".encode()).hexdigest()[:20]
    cached = model_cache_dir() / f"{path.stem}-{key}.onnx"
    if cached.is_file():
        try:
            return ort.InferenceSession(str(cached), options, providers=["CPUExecutionProvider"])
        except Exception:  # a damaged copy: replaced below
            cached.unlink(missing_ok=True)
    tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        options.optimized_model_filepath = str(tmp)
        # extended, not all: the copy keeps no layout tied to this CPU; the later sessions apply that on top
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        os.replace(tmp, cached)
        return session
    except Exception:  # no cache folder to write to, or the copy could not be written: open the file as it is
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        options.optimized_model_filepath = ""
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def slot_values(slots: dict[str, tuple[list[int], int]], parameters: dict[str, dict[str, np.ndarray]],
                source: str) -> dict[str, np.ndarray]:
    """The float16 initializer values that put `parameters` into `slots` (low-rank factors padded with zeros to
    the slot's rank)."""
    values = {}
    for name, parts in parameters.items():
        shape, rank = slots.get(name, (None, -1))
        fan_in = int(np.prod(shape[1:])) if shape else 0
        if rank == 0 and set(parts) == {"full"} and list(parts["full"].shape) == shape:
            values[f"{name}#full"] = np.ascontiguousarray(parts["full"], np.float16)
        elif (rank > 0 and set(parts) == {"up", "down"} and parts["up"].shape[0] == shape[0]
              and parts["down"].shape[1] == fan_in and parts["up"].shape[1] <= rank):
            used = parts["up"].shape[1]
            up, down = np.zeros((shape[0], rank), np.float16), np.zeros((rank, fan_in), np.float16)
            up[:, :used], down[:used] = parts["up"], parts["down"]
            values[f"{name}#up"], values[f"{name}#down"] = up, down
        else:
            raise AdapterError(f"{source} does not fit the loaded models ('{name}'): adapt the voice again")
    return values


def model_meta(path: Path) -> dict:
    """The training record of a model file (steps, checkpoint), {} for a file without one."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    text = session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    return (json.loads(text) if text else {}).get("meta", {})
