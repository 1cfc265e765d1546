"""Trained torch models -> the ONNX model files the runtime reads (tts.runtime.model_file documents the format).

Needs the `train` extra (torch, onnx). Each model is traced with its lengths left free, its weights stored in
float16 with a cast to float32 in the graph, and, for the acoustic model and the vocoder, a zero slot beside every
parameter a personal voice may change (tts.finetune.lowrank.ADAPTED). An acoustic model's aligner, which only
training and fine-tuning use, goes to a NumPy file beside it (`aligner_file`).
"""

from __future__ import annotations

import copy
import io
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn
from torch.nn.utils import parametrize

from tts.acoustic import AcousticModel
from tts.finetune.lowrank import ADAPTED, adaptable_parameters
from tts.runtime.model_file import FORMAT, METADATA_KEY, audio_settings
from tts.vocoder import Vocoder

OPSET = 17
TRAINING_ONLY_PREFIXES = ("aligner.",)  # acoustic parameters that synthesis does not use
INT8_MIN_SIZE = 4096  # weights larger than this are stored in int8 when a model is exported with int8


def aligner_file(path: Path) -> Path:
    """Where the aligner of the acoustic model file `path` is kept: NAME.aligner.npz beside NAME.onnx."""
    return path.with_name(f"{path.stem}.aligner.npz")


class _AcousticGraph(nn.Module):
    def __init__(self, model: AcousticModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids, speaker, speed, pitch_shift, pitch_level):
        return self.model.infer_tensors(ids, speaker, speed, pitch_shift, pitch_level)


class _VocoderGraph(nn.Module):
    def __init__(self, model: Vocoder) -> None:
        super().__init__()
        self.model = model

    def forward(self, mel):
        real, imag = self.model.head.spectrum(self.model.features(mel.unsqueeze(0)))
        return real[0], imag[0]


class _LowRankSlot(nn.Module):
    """W -> W + up @ down with zero factors: the place of a personal voice's low-rank change."""

    def __init__(self, weight: torch.Tensor, rank: int) -> None:
        super().__init__()
        self.up = nn.Parameter(torch.zeros(weight.shape[0], rank))
        self.down = nn.Parameter(torch.zeros(rank, weight[0].numel()))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + (self.up @ self.down).reshape(weight.shape)


class _FullSlot(nn.Module):
    """W -> W + full with a zero change: the place of a personal voice's change of a small tensor."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.full = nn.Parameter(torch.zeros_like(weight))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + self.full


def _with_slots(model: nn.Module, kind: str) -> tuple[nn.Module, dict[str, list]]:
    """A copy of `model` with a zero slot on each parameter a personal voice may change, and the slot table."""
    prefixes, rank = ADAPTED[kind]
    model = copy.deepcopy(model)
    slots = {}
    for full_name, module, name, lowrank in adaptable_parameters(model, prefixes):
        weight = getattr(module, name).detach()
        parametrize.register_parametrization(module, name, _LowRankSlot(weight, rank) if lowrank else _FullSlot(weight))
        slots[full_name] = [list(weight.shape), rank if lowrank else 0]
    return model, slots


_PARAMETRIZED = re.compile(r"(.*)\.parametrizations\.(\w+)\.(original|0\.up|0\.down|0\.full)")


def _clean_name(name: str) -> str:
    """The exporter's initializer name -> the parameter's name (`model.` dropped), slots as `<parameter>#part`."""
    name = name.removeprefix("model.")
    match = _PARAMETRIZED.fullmatch(name)
    if match is None:
        return name
    owner, param, part = match.groups()
    return f"{owner}.{param}" + ("" if part == "original" else "#" + part.removeprefix("0."))


def int8_weight(name: str, array: np.ndarray, axis: int, output: str) -> tuple[list[onnx.TensorProto],
                                                                                 onnx.NodeProto]:
    """`array` stored as int8 with a float32 scale per slice along `axis` (symmetric: zero point 0), and the
    DequantizeLinear node that makes it float32 again as `output`: (initializers, node)."""
    others = tuple(i for i in range(array.ndim) if i != axis)
    scale = np.maximum(np.abs(array).max(others), 1e-12).astype(np.float32) / 127
    quantized = np.round(array / np.expand_dims(scale, others)).astype(np.int8)
    tensors = [numpy_helper.from_array(quantized, name), numpy_helper.from_array(scale, f"{name}::scale"),
               numpy_helper.from_array(np.zeros(len(scale), np.int8), f"{name}::zero")]
    return tensors, helper.make_node("DequantizeLinear", [name, f"{name}::scale", f"{name}::zero"], [output],
                                     axis=axis)


def _finish(proto: onnx.ModelProto, description: dict, int8: bool = False) -> onnx.ModelProto:
    """Initializers renamed to their parameters and stored small: float16 with a cast to float32, or with `int8`
    the large matrices and kernels (not the slots) as int8 with a float32 scale per output channel and a
    dequantisation to float32. Both fold into float32 weights when a session opens. The description is added as
    metadata."""
    graph = proto.graph
    reads, decoders, extra = {}, [], []  # initializer name -> the name the nodes read it by
    for tensor in graph.initializer:
        old, clean = tensor.name, _clean_name(tensor.name)
        if tensor.data_type != onnx.TensorProto.FLOAT:
            tensor.name = reads[old] = clean
            continue
        array = numpy_helper.to_array(tensor)
        reads[old] = f"{clean}::float"
        if int8 and "#" not in clean and array.ndim >= 2 and array.size > INT8_MIN_SIZE:
            (values, *scales), decoder = int8_weight(clean, array, 0, f"{clean}::float")
            tensor.CopyFrom(values)
            extra += scales
            decoders.append(decoder)
        else:
            tensor.CopyFrom(numpy_helper.from_array(array.astype(np.float16), clean))
            decoders.append(helper.make_node("Cast", [clean], [f"{clean}::float"], to=onnx.TensorProto.FLOAT))
    graph.initializer.extend(extra)
    for node in graph.node:
        node.input[:] = [reads.get(name, name) for name in node.input]
    nodes = [*decoders, *graph.node]
    del graph.node[:]
    graph.node.extend(nodes)
    del proto.metadata_props[:]
    proto.metadata_props.append(onnx.StringStringEntryProto(key=METADATA_KEY, value=json.dumps(description)))
    return proto


def _trace(module: nn.Module, args: tuple, inputs: list[str], outputs: list[str], dynamic: dict) -> onnx.ModelProto:
    """`module` traced in eval mode. Only its top-level training flag is set: the exporter then merges only
    initializers that are one tensor, not distinct parameters that happen to hold equal values (such as fresh
    norms), which would leave parameters without their own initializer."""
    module.eval()
    module.training = True
    buffer = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(module, args, buffer, dynamo=False, opset_version=OPSET, input_names=inputs,
                          output_names=outputs, dynamic_axes=dynamic, do_constant_folding=False,
                          training=torch.onnx.TrainingMode.PRESERVE)
    return onnx.load_from_string(buffer.getvalue())


def write_via_temporary(path: Path, write: Callable[[Path], None]) -> None:
    """`write(temporary path)` then a rename to `path`: a partly written file never replaces a good one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _save(proto: onnx.ModelProto, path: Path) -> None:
    write_via_temporary(path, lambda tmp: onnx.save(proto, tmp))


def export_acoustic(model: AcousticModel, path: Path, meta: dict, int8: bool = False) -> None:
    """The acoustic model's synthesis graph to `path` (large weights in int8 with `int8`), its aligner to
    `aligner_file(path)`."""
    model = copy.deepcopy(model).float().eval()
    slotted, slots = _with_slots(model, "acoustic")
    ids = torch.arange(min(12, model.config.n_symbols))
    speaker = torch.nn.functional.normalize(torch.ones(model.config.speaker_dim), dim=0)
    args = (ids, speaker, torch.tensor(1.0), torch.tensor(0.0), torch.tensor(float("nan")))
    proto = _trace(_AcousticGraph(slotted), args, ["ids", "speaker", "speed", "pitch_shift", "pitch_level"],
                   ["mel", "durations"], {"ids": {0: "symbols"}, "mel": {1: "frames"}, "durations": {0: "symbols"}})
    centre = model.speaker_mean
    description = _description("acoustic", model, meta, slots)
    description["text"] = {"language": model.config.language, "symbols": list(model.symbols)}
    description["speaker_centre"] = None if centre is None else [round(float(x), 6) for x in centre]
    aligner = {k: v.detach().half().numpy() for k, v in model.state_dict().items()
               if k.startswith(TRAINING_ONLY_PREFIXES)}
    if aligner:
        write_via_temporary(aligner_file(path), lambda tmp: tmp.write_bytes(_npz(aligner)))
    _save(_finish(proto, description, int8), path)


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def export_vocoder(model: Vocoder, path: Path, meta: dict, int8: bool = False) -> None:
    """The vocoder up to its spectrum (the runtime does the inverse STFT) to `path` (large weights in int8 with
    `int8`)."""
    model = copy.deepcopy(model).float().eval()
    slotted, slots = _with_slots(model, "vocoder")
    mel = torch.randn(model.config.n_mels, 12)
    proto = _trace(_VocoderGraph(slotted), (mel,), ["mel"], ["real", "imag"],
                   {"mel": {1: "frames"}, "real": {1: "frames"}, "imag": {1: "frames"}})
    _save(_finish(proto, _description("vocoder", model, meta, slots), int8), path)


def export_speaker_encoder(model: nn.Module, path: Path, meta: dict) -> None:
    """The GE2E network (mel windows [N, 160, 40] -> unit embeddings [N, 256]) to `path`."""
    proto = _trace(model.float(), (torch.rand(2, 160, 40),), ["mels"], ["embeddings"],
                   {"mels": {0: "windows"}, "embeddings": {0: "windows"}})
    description = {"kind": "speaker_encoder", "format": FORMAT, "config": {}, "audio": audio_settings(), "meta": meta}
    _save(_finish(proto, description), path)


def _description(kind: str, model: nn.Module, meta: dict, slots: dict) -> dict:
    return {"kind": kind, "format": FORMAT, "config": asdict(model.config), "audio": audio_settings(),
            "slots": slots, "meta": meta}


def export_weights(model: nn.Module, path: Path, meta: dict, int8: bool = False) -> None:
    """`model` (an acoustic model or a vocoder) as a model file at `path`."""
    (export_acoustic if isinstance(model, AcousticModel) else export_vocoder)(model, Path(path), meta, int8)


def read_weights(path: Path) -> tuple[dict, dict[str, torch.Tensor]]:
    """(description, float32 weights by parameter name) of a model file, for training and fine-tuning: the
    slots left out, an acoustic model's aligner added from its file when there is one."""
    proto = onnx.load(str(path))
    entries = {entry.key: entry.value for entry in proto.metadata_props}
    description = json.loads(entries[METADATA_KEY]) if METADATA_KEY in entries else None
    arrays = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer if "#" not in t.name}
    state = {}
    for name, array in arrays.items():
        if array.dtype == np.float16:
            state[name] = torch.from_numpy(array.astype(np.float32))
        elif array.dtype == np.int8 and f"{name}::scale" in arrays:
            scale = arrays[f"{name}::scale"].reshape(-1, *[1] * (array.ndim - 1))
            state[name] = torch.from_numpy(array.astype(np.float32) * scale)
    aligner = aligner_file(Path(path))
    if aligner.is_file():
        with np.load(aligner, allow_pickle=False) as archive:
            state.update({k: torch.from_numpy(archive[k].astype(np.float32)) for k in archive.files})
    return description, state
