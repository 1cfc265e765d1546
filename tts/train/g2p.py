"""Train, export and evaluate the grapheme-to-phoneme model (tts.text.en.g2p_model) on CMUdict.

Data: the words of the shipped CMUdict (``tts/text/en/data/cmudict.bin``, read with ``cmu_entries``) spelt with
letters a-z only (117,493; G2P splits off apostrophes and hyphens before it asks the model), first pronunciation,
stress kept. A fixed split by the CRC-32 of the word: 5% test (5,901 words, never trained on), 2% validation
(2,365, for choosing the best epoch and early stopping), 93% training (109,227).

Model (1.39 M parameters): letter embedding (64) -> 3-layer bidirectional LSTM (2 x 128) -> LSTM decoder (192,
started from the encoder's end states) over the previous phone -> dot-product attention over the encoder states
-> tanh layer -> 72 outputs (the 69 ARPAbet phones with stress, EOS, never-chosen padding and start). Trained
with teacher forcing (the decoder LSTM runs over the whole target at once), Adam (3e-3, 500 warm-up steps, then
a cosine to zero over 12 epochs), label smoothing 0.1, dropout 0.1 and bf16 autocast; the words of a batch have
one length, so the encoder sees no padding. Decoding is greedy. The export writes the whole greedy loop as one
ONNX graph (an ONNX Loop over a decoder step), ``tts/weights/g2p.onnx``, 1.45 MB: the 12 large matrices (the LSTMs',
attention, output and the like: 99.3% of the values) in int8 with a float32 scale per output channel and a
DequantizeLinear, the letter embedding, biases and other small tensors in float16 (``export --float16``: all in
float16, 2.8 MB). ONNX Runtime makes them float32 weights when the session opens, so a word costs the same time.

Reproduce on one CPU thread::

    python -m tts.train.g2p train --out runs/g2p     # 12 epochs, 15 min; resumes from runs/g2p/last.pt
    python -m tts.train.g2p export runs/g2p/best.pt  # -> tts/weights/g2p.onnx (int8)
    python -m tts.train.g2p evaluate                 # held-out words (--split valid: validation words)

``train`` checkpoints ``last.pt`` after every epoch (a resumed run ends with the same weights as an uninterrupted
one), keeps the best epoch by validation word accuracy in ``best.pt`` and stops early when that has not improved
for 3 epochs. Measured on a CPU with AMX (bf16 matrix products); each epoch took 1.0-1.5 minutes, and the best
epoch was the last (validation word accuracy 0.648).

Held-out (test) words, exact match with stress, and phoneme error rate (edits / reference phones); the model rows
are of the int8 file (the float16 export scores the same to three decimals: model 0.6589 / PER 0.0898 and G2P
0.6618 / 0.0891, against int8's 0.6590 / 0.0897 and 0.6619 / 0.0891):

    letter-to-sound rules alone (earlier versions)                 word accuracy 0.302   PER 0.240
    affix + compound analysis, then those rules (earlier G2P)      word accuracy 0.405   PER 0.198
    the model alone                                                word accuracy 0.659   PER 0.090
    suffix analysis, then the model (G2P now)                      word accuracy 0.662   PER 0.089
    suffix + prefix analysis, then the model                       word accuracy 0.657   PER 0.091
    suffix + prefix + compound analysis, then the model            word accuracy 0.538   PER 0.141

The last two rows and the rules rows were scored with ``score`` on the same split, with the analysis of the
earlier G2P (and its letter_to_sound.py, which the model replaced) and the held-out words hidden from the
lexicon as here. A known stem with its suffix beats the model on the 1,655 words where it applies (0.784 against
0.774); prefixes lose on the 146 words they add (0.28 against 0.47) and compound splitting on its 1,423 (0.12
against 0.62), so G2P tries suffixes only. The validation words agree (int8 file: model 0.646, G2P 0.656;
float16: 0.648, 0.657).
Time: 0.68 ms per held-out word (best of 7 runs each; mean 7.5 letters), 0.87-0.94 ms of CPU time a word as
``evaluate`` measures it while another training process ran on the core's other hyperthread; the first unknown
word of a process also pays about 0.15 s to import ONNX Runtime and open the model.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from tts.export import INT8_MIN_SIZE, OPSET, int8_weight, write_via_temporary
from tts.models import save_atomic
from tts.runtime.model_file import METADATA_KEY
from tts.text.en.g2p import G2P, cmu_entries
from tts.text.en.g2p_model import BOS_ID, EOS_ID, LETTERS, MODEL_FILE, OUTPUTS, G2PModel, max_phones

PHONE_ID = {phone: i for i, phone in enumerate(OUTPUTS)}


def split(word: str) -> str:
    """"test" (5%), "valid" (2%) or "train": fixed by the CRC-32 of the word."""
    bucket = zlib.crc32(word.encode()) % 100
    return "test" if bucket < 5 else "valid" if bucket < 7 else "train"


def lexicon(part: str) -> list[tuple[str, list[str]]]:
    """(word, phones) of the CMUdict words of a-z in split ``part``, in file order."""
    return [(word, phones.split()) for word, phones in cmu_entries()
            if re.fullmatch("[a-z]+", word) and split(word) == part]


@dataclass
class G2PConfig:
    embedding: int = 64
    encoder: int = 128  # per direction
    encoder_layers: int = 3
    decoder: int = 192
    dropout: float = 0.1


class G2PNet(nn.Module):
    """The torch model; ``g2p_graph`` writes the same computation, with greedy decoding, as an ONNX graph."""

    def __init__(self, config: G2PConfig) -> None:
        super().__init__()
        self.config = config
        self.letters = nn.Embedding(len(LETTERS) + 1, config.embedding, padding_idx=0)
        self.encoder = nn.LSTM(config.embedding, config.encoder, config.encoder_layers, batch_first=True,
                               bidirectional=True, dropout=config.dropout)
        self.bridge = nn.Linear(2 * config.encoder, config.decoder)
        self.phones = nn.Embedding(len(OUTPUTS), config.embedding)
        self.decoder = nn.LSTM(config.embedding, config.decoder, batch_first=True)
        self.attention = nn.Linear(config.decoder, 2 * config.encoder, bias=False)
        self.combine = nn.Linear(2 * config.encoder + config.decoder, config.decoder)
        self.out = nn.Linear(config.decoder, len(OUTPUTS))
        self.drop = nn.Dropout(config.dropout)

    def encode(self, letters: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Letter ids [B, L] (no padding) -> encoder states [B, L, 2E] and the decoder's start state."""
        memory, _ = self.encoder(self.drop(self.letters(letters)))
        half = self.config.encoder
        h = torch.tanh(self.bridge(torch.cat([memory[:, -1, :half], memory[:, 0, half:]], -1)))[None]
        return memory, (h, torch.zeros_like(h))

    def decode(self, memory: torch.Tensor, previous: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
               ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Previous phone ids [B, T] -> logits [B, T, outputs] and the decoder state after them."""
        hidden, state = self.decoder(self.drop(self.phones(previous)), state)
        weights = (self.attention(hidden) @ memory.transpose(1, 2)).float().softmax(-1)
        context = weights.to(memory.dtype) @ memory
        return self.out(self.drop(torch.tanh(self.combine(torch.cat([context, hidden], -1))))), state

    def forward(self, letters: torch.Tensor, previous: torch.Tensor) -> torch.Tensor:
        memory, state = self.encode(letters)
        return self.decode(memory, previous, state)[0]

    @torch.no_grad()
    def greedy(self, letters: torch.Tensor) -> list[list[str]]:
        """Greedy phones of a batch of same-length words."""
        memory, state = self.encode(letters)
        previous = torch.full((len(letters), 1), BOS_ID)
        steps = []
        for _ in range(max_phones(letters.shape[1])):
            logits, state = self.decode(memory, previous, state)
            logits[..., :EOS_ID] = -torch.inf
            previous = logits.argmax(-1)
            steps.append(previous)
            if (torch.cat(steps, 1) == EOS_ID).any(1).all():
                break
        words = []
        for row in torch.cat(steps, 1).tolist():
            row = row[:row.index(EOS_ID)] if EOS_ID in row else row
            words.append([OUTPUTS[i] for i in row])
        return words


def _by_length(entries: list[tuple[str, list[str]]]) -> dict[int, tuple[list[str], torch.Tensor, torch.Tensor]]:
    """Words grouped by length: (words, letter ids [N, L], phone ids with BOS and EOS [N, T + 2] padded)."""
    groups: dict[int, list[tuple[str, list[str]]]] = {}
    for word, phones in entries:
        groups.setdefault(len(word), []).append((word, phones))
    tensors = {}
    for length, items in sorted(groups.items()):
        letters = torch.tensor([[LETTERS.index(c) + 1 for c in word] for word, _ in items])
        width = max(len(phones) for _, phones in items) + 2
        phones = torch.zeros(len(items), width, dtype=torch.long)
        for row, (_, ph) in enumerate(items):
            phones[row, :len(ph) + 2] = torch.tensor([BOS_ID, *(PHONE_ID[p] for p in ph), EOS_ID])
        tensors[length] = ([word for word, _ in items], letters, phones)
    return tensors


def _batches(groups: dict, size: int, generator: torch.Generator) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch of (letters, phones) batches of same-length words, in a random order."""
    batches = []
    for _, letters, phones in groups.values():
        order = torch.randperm(len(letters), generator=generator)
        for start in range(0, len(order), size):
            rows = order[start:start + size]
            phones_rows = phones[rows]
            width = int((phones_rows > 0).sum(1).max())
            batches.append((letters[rows], phones_rows[:, :width]))
    return [batches[i] for i in torch.randperm(len(batches), generator=generator)]


def edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two phone sequences."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


def score(pairs: list[tuple[list[str], list[str]]]) -> dict[str, float]:
    """Word accuracy and phoneme error rate (edits / reference phones) of (predicted, reference) pairs."""
    right = sum(p == r for p, r in pairs)
    edits = sum(edit_distance(p, r) for p, r in pairs)
    return {"word_accuracy": right / len(pairs), "per": edits / sum(len(r) for _, r in pairs)}


def validate(model: G2PNet, groups: dict) -> dict[str, float]:
    """``score`` of greedy decoding on words grouped by ``_by_length``."""
    model.eval()
    pairs = []
    for words, letters, phones in groups.values():
        for start in range(0, len(words), 512):
            predicted = model.greedy(letters[start:start + 512])
            pairs += [(p, [OUTPUTS[i] for i in row if i > EOS_ID])
                      for p, row in zip(predicted, phones[start:start + 512].tolist())]
    model.train()
    return score(pairs)


def train(out: Path, config: G2PConfig, epochs: int = 12, patience: int = 3, batch: int = 256, lr: float = 3e-3,
          warmup: int = 500, seed: int = 0) -> dict:
    """Train for ``epochs`` (the learning rate warms up over ``warmup`` steps, then follows a cosine to zero) or
    until validation word accuracy has not improved for ``patience`` epochs. Checkpoints ``out/last.pt`` after
    every epoch and resumes from it; the best model by validation goes to ``out/best.pt``. Each epoch's shuffling
    and dropout are seeded by (seed, epoch): a resumed run ends where an uninterrupted one does."""
    torch.set_num_threads(1)
    out.mkdir(parents=True, exist_ok=True)
    train_groups, valid_groups = _by_length(lexicon("train")), _by_length(lexicon("valid"))
    steps_per_epoch = sum(-(-len(words) // batch) for words, _, _ in train_groups.values())
    torch.manual_seed(seed)
    model = G2PNet(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (
        1 + math.cos(math.pi * min(step, epochs * steps_per_epoch) / (epochs * steps_per_epoch))))
    loss_fn = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1)
    state = {"epoch": 0, "best": -1.0, "stale": 0, "history": [], "seconds": 0.0}
    if (out / "last.pt").exists():
        checkpoint = torch.load(out / "last.pt", weights_only=True)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        schedule.load_state_dict(checkpoint["schedule"])
        state = checkpoint["state"]
        print(f"resumed after epoch {state['epoch']}", flush=True)
    started = time.monotonic() - state["seconds"]
    while state["epoch"] < epochs and state["stale"] < patience:
        epoch = state["epoch"] + 1
        torch.manual_seed(seed * 1000 + epoch)
        model.train()
        total = 0.0
        for letters, phones in _batches(train_groups, batch, torch.Generator().manual_seed(seed * 1000 + epoch)):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(letters, phones[:, :-1])
            loss = loss_fn(logits.float().flatten(0, 1), phones[:, 1:].flatten())
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item()
        metrics = validate(model, valid_groups)
        state["epoch"], state["seconds"] = epoch, time.monotonic() - started
        if metrics["word_accuracy"] > state["best"]:
            state["best"], state["stale"] = metrics["word_accuracy"], 0
            save_atomic({"config": asdict(config), "model": model.state_dict(), "epoch": epoch, **metrics},
                        out / "best.pt")
        else:
            state["stale"] += 1
        loss = total / steps_per_epoch
        state["history"].append({"epoch": epoch, "loss": loss, **metrics, "minutes": state["seconds"] / 60})
        save_atomic({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "schedule": schedule.state_dict(), "state": state}, out / "last.pt")
        print(f"epoch {epoch}: loss {loss:.4f}, validation word accuracy {metrics['word_accuracy']:.4f}, "
              f"PER {metrics['per']:.4f}, {state['seconds'] / 60:.1f} min", flush=True)
    return state


def _onnx_gates(tensor: torch.Tensor) -> torch.Tensor:
    """LSTM gate blocks from torch's order (input, forget, cell, output) to ONNX's (input, output, forget, cell)."""
    i, f, g, o = tensor.chunk(4)
    return torch.cat([i, o, f, g])


def _lstm(state: dict[str, torch.Tensor], name: str, suffixes: tuple[str, ...]) -> list[torch.Tensor]:
    """W, R and B of an ONNX LSTM node from the torch parameters ``{name}.weight_ih_l0`` etc."""
    def stacked(kind: str) -> torch.Tensor:
        return torch.stack([_onnx_gates(state[f"{name}.{kind}{suffix}"]) for suffix in suffixes])
    bias = torch.cat([stacked("bias_ih"), stacked("bias_hh")], 1)
    return [stacked("weight_ih"), stacked("weight_hh"), bias]


def g2p_graph(state: dict[str, torch.Tensor], config: G2PConfig, meta: dict, int8: bool = False) -> onnx.ModelProto:
    """The whole greedy decoder as one ONNX graph: letter ids [L] -> phone ids [N, 1], the last EOS unless
    decoding stopped after ``max_phones(L)``. Float weights are stored in float16 and cast to float32 inside; with
    ``int8`` the matrices of more than INT8_MIN_SIZE values are stored in int8 instead, with a float32 scale per
    output channel (symmetric: zero point 0) and a DequantizeLinear to float32."""
    nodes, initializers = [], {}

    def weight(name: str, value: torch.Tensor, axis: int | None = 0) -> str:
        """The float32 value of an initializer ``name``; ``axis``: a matrix's axis of output channels (an LSTM's
        [directions, 4 hidden, inputs] has one per row of its last two axes), None for float16 whatever its size."""
        array = value.detach().float().numpy()
        if not int8 or axis is None or array.ndim < 2 or array.size <= INT8_MIN_SIZE:
            initializers[name] = numpy_helper.from_array(array.astype(np.float16), name)
            nodes.append(helper.make_node("Cast", [name], [f"{name}::float"], to=TensorProto.FLOAT))
            return f"{name}::float"
        tensors, decoder = int8_weight(name, array.reshape(-1, array.shape[-1]), axis,
                                       f"{name}::matrix" if array.ndim > 2 else f"{name}::float")
        initializers.update((tensor.name, tensor) for tensor in tensors)
        nodes.append(decoder)
        if array.ndim > 2:
            nodes.append(helper.make_node("Reshape", [f"{name}::matrix", constant(f"{name}::shape", array.shape)],
                                          [f"{name}::float"]))
        return f"{name}::float"

    def constant(name: str, value: list[int] | tuple[int, ...]) -> str:
        initializers[name] = numpy_helper.from_array(np.array(value, np.int64), name)
        return name

    def node(op: str, inputs: list[str], output: str | list[str], **attributes) -> str:
        """Append a node; its (first) output's name."""
        outputs = [output] if isinstance(output, str) else output
        nodes.append(helper.make_node(op, inputs, outputs, **attributes))
        return outputs[0]

    encoder, decoder = config.encoder, config.decoder
    x = node("Gather", [weight("letters", state["letters.weight"]), "ids"], "embedded")
    x = node("Unsqueeze", [x, constant("axis1", [1])], "x0")  # [L, 1, embedding]
    for layer in range(config.encoder_layers):
        lstm = _lstm(state, "encoder", (f"_l{layer}", f"_l{layer}_reverse"))
        w, r, b = (weight(f"encoder{layer}.{part}", value, None if part == "B" else 0)
                   for part, value in zip("WRB", lstm))
        node("LSTM", [x, w, r, b], [f"y{layer}", f"ends{layer}"], hidden_size=encoder, direction="bidirectional")
        x = node("Transpose", [f"y{layer}"], f"yt{layer}", perm=[0, 2, 1, 3])
        x = node("Reshape", [x, constant("merge_directions", [0, 0, -1])], f"x{layer + 1}")  # [L, 1, 2 encoder]
    memory = node("Reshape", [x, constant("rows", [-1, 2 * encoder])], "memory")
    ends = node("Reshape", [f"ends{config.encoder_layers - 1}", constant("row", [1, 2 * encoder])], "ends")
    start = node("Gemm", [ends, weight("bridge.weight", state["bridge.weight"]),
                          weight("bridge.bias", state["bridge.bias"])], "bridged", transB=1)
    start = node("Tanh", [start], "h0")
    keys = node("MatMul", [memory, weight("attention.weight", state["attention.weight"], 1)], "k")
    keys = node("Transpose", [keys], "keys")  # [decoder, L]
    combine = state["combine.weight"]
    values = node("MatMul", [memory, weight("combine.context", combine[:, :2 * encoder].T, 1)], "values")
    # h -> [the recurrent part of the gates | the decoder state's part of the tanh layer]: one product a step
    scale = _gate_scale(decoder)
    recurrent = weight("recurrent", torch.cat([state["decoder.weight_hh_l0"].T * scale, combine[:, 2 * encoder:].T], 1),
                       1)
    parts = constant("parts", [4 * decoder, decoder])
    node("Split", [node("MatMul", [start, recurrent], "r0"), parts], ["g0", "unused"], axis=1)
    trips = node("Mul", [node("Shape", ["ids"], "length"), constant("five", [5])], "five_l")
    trips = node("Squeeze", [node("Add", [trips, "five"], "trips1")], "trips")  # max_phones(L)
    node("Constant", [], "go", value=helper.make_tensor("go", TensorProto.BOOL, [], [1]))
    body = _step_graph(state, config, weight, keys, values, recurrent, parts, constant("eos", [EOS_ID]))
    node("Loop", [trips, "go", constant("bos", [BOS_ID]), "g0", weight("c0", torch.zeros(1, decoder))],
         ["last_phone", "g_end", "c_end", "phone_ids"], body=body)
    graph = helper.make_graph(nodes, "g2p", [helper.make_tensor_value_info("ids", TensorProto.INT64, ["letters"])],
                              [helper.make_tensor_value_info("phone_ids", TensorProto.INT64, ["phones", 1])],
                              list(initializers.values()))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=8)  # ORT >= 1.17
    description = {"kind": "g2p", "letters": LETTERS, "outputs": OUTPUTS, "config": asdict(config), "meta": meta}
    model.metadata_props.append(onnx.StringStringEntryProto(key=METADATA_KEY, value=json.dumps(description)))
    onnx.checker.check_model(model, full_check=True)
    return model


def _gate_scale(hidden: int) -> torch.Tensor:
    """Per-gate factors that let one tanh give all four LSTM gates: sigmoid(x) = 0.5 + 0.5 tanh(x / 2) for the
    input, forget and output gates (torch order i, f, g, o); the cell candidate g keeps tanh(x)."""
    scale = torch.full((4 * hidden,), 0.5)
    scale[2 * hidden:3 * hidden] = 1.0
    return scale


def _step_graph(state: dict[str, torch.Tensor], config: G2PConfig, weight: Callable[..., str],
                keys: str, values: str, recurrent: str, parts: str, eos: str) -> onnx.GraphProto:
    """The Loop body: one decoder step from the previous phone id, the recurrent part of the gates and the cell.
    The weights and the other named values are values of the main graph, read from the outer scope."""
    decoder = config.decoder
    scale = _gate_scale(decoder)
    inputs = ((state["phones.weight"] @ state["decoder.weight_ih_l0"].T + state["decoder.bias_ih_l0"]
               + state["decoder.bias_hh_l0"]) * scale)  # each phone's input part of the gates
    out_bias = state["out.bias"].clone()
    out_bias[:EOS_ID] = -torch.inf  # padding and start are never outputs
    half = weight("half", torch.tensor(0.5))
    steps = [
        helper.make_node("Gather", [weight("step_inputs", inputs, 1), "previous"], ["x"]),
        helper.make_node("Add", ["x", "g"], ["gates"]),
        helper.make_node("Tanh", ["gates"], ["t"]),
        helper.make_node("Mul", ["t", half], ["t_half"]),
        helper.make_node("Add", ["t_half", half], ["sig"]),
        helper.make_node("Split", ["sig"], ["i", "f", "sig_g", "o"], axis=1),
        helper.make_node("Split", ["t"], ["t_i", "t_f", "cell", "t_o"], axis=1),
        helper.make_node("Mul", ["f", "c"], ["kept"]),
        helper.make_node("Mul", ["i", "cell"], ["new"]),
        helper.make_node("Add", ["kept", "new"], ["c_next"]),
        helper.make_node("Tanh", ["c_next"], ["c_tanh"]),
        helper.make_node("Mul", ["o", "c_tanh"], ["h"]),
        helper.make_node("MatMul", ["h", recurrent], ["r"]),
        helper.make_node("Add", ["r", weight("r.bias", torch.cat([torch.zeros(4 * decoder), state["combine.bias"]]))],
                         ["r_biased"]),
        helper.make_node("Split", ["r_biased", parts], ["g_next", "own"], axis=1),
        helper.make_node("MatMul", ["h", keys], ["scores"]),
        helper.make_node("Softmax", ["scores"], ["attention"], axis=-1),
        helper.make_node("MatMul", ["attention", values], ["context"]),
        helper.make_node("Add", ["context", "own"], ["mixed"]),
        helper.make_node("Tanh", ["mixed"], ["combined"]),
        helper.make_node("MatMul", ["combined", weight("out.weight", state["out.weight"].T, 1)], ["projected"]),
        helper.make_node("Add", ["projected", weight("out.bias", out_bias)], ["logits"]),
        helper.make_node("ArgMax", ["logits"], ["next"], axis=1, keepdims=0),
        helper.make_node("Identity", ["next"], ["emitted"]),
        helper.make_node("Greater", ["next", eos], ["more"]),  # phones follow EOS in OUTPUTS
    ]
    inputs = [helper.make_tensor_value_info("step", TensorProto.INT64, []),
              helper.make_tensor_value_info("more_in", TensorProto.BOOL, []),
              helper.make_tensor_value_info("previous", TensorProto.INT64, [1]),
              helper.make_tensor_value_info("g", TensorProto.FLOAT, [1, 4 * decoder]),
              helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, decoder])]
    outputs = [helper.make_tensor_value_info("more", TensorProto.BOOL, [1]),
               helper.make_tensor_value_info("next", TensorProto.INT64, [1]),
               helper.make_tensor_value_info("g_next", TensorProto.FLOAT, [1, 4 * decoder]),
               helper.make_tensor_value_info("c_next", TensorProto.FLOAT, [1, decoder]),
               helper.make_tensor_value_info("emitted", TensorProto.INT64, [1])]
    return helper.make_graph(steps, "step", inputs, outputs)


def export(checkpoint: Path, target: Path = MODEL_FILE, int8: bool = True) -> None:
    """The model of a best.pt as the ONNX model file tts.text.en.g2p_model runs (large matrices in int8 unless
    ``int8`` is false: then all in float16)."""
    saved = torch.load(checkpoint, weights_only=True)
    meta = {"epoch": saved["epoch"], "validation_word_accuracy": round(saved["word_accuracy"], 4),
            "weights": "int8" if int8 else "float16"}
    model = g2p_graph(saved["model"], G2PConfig(**saved["config"]), meta, int8)
    write_via_temporary(target, lambda tmp: onnx.save(model, tmp))


class _HeldOut(G2P):
    """G2P whose lexicon lacks the held-out words: each is an unknown word for it, as for the model."""

    def __init__(self, hidden: set[str]) -> None:
        super().__init__()
        self.hidden = hidden

    def _lookup(self, key: str) -> list[str] | None:
        return None if key in self.hidden else super()._lookup(key)


def evaluate(part: str = "test") -> dict[str, dict[str, float]]:
    """Word accuracy and PER on the words of split ``part`` of the shipped model alone and of G2P's pipeline for
    unknown words (suffix analysis into known words, then the model), and the model's mean CPU time per word (the
    time this process ran: a busy machine's other processes are left out)."""
    entries = lexicon(part)
    references = [phones for _, phones in entries]
    model = G2PModel()
    started = time.process_time()
    predicted = [model(word) for word, _ in entries]
    seconds = (time.process_time() - started) / len(entries)
    g2p = _HeldOut({word for word, _ in entries})
    return {"model": {**score(list(zip(predicted, references))), "cpu_ms_per_word": 1000 * seconds},
            "pipeline": score([(g2p.word(word), phones) for word, phones in entries])}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tts.train.g2p", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("train", help="train (or resume) into --out")
    command.add_argument("--out", type=Path, default=Path("runs/g2p"))
    command.add_argument("--epochs", type=int, default=12)
    command = commands.add_parser("export", help="a best.pt -> the shipped model file")
    command.add_argument("checkpoint", type=Path)
    command.add_argument("--to", type=Path, default=MODEL_FILE)
    command.add_argument("--float16", action="store_true", help="all weights in float16 (default: large ones int8)")
    command = commands.add_parser("evaluate", help="the shipped model and G2P on held-out words")
    command.add_argument("--split", choices=["test", "valid"], default="test")
    args = parser.parse_args()
    if args.command == "train":
        train(args.out, G2PConfig(), args.epochs)
    elif args.command == "export":
        export(args.checkpoint, args.to, not args.float16)
    else:
        for name, metrics in evaluate(args.split).items():
            print(f"{name:<9}", ", ".join(f"{key} {value:.4f}" for key, value in metrics.items()))


if __name__ == "__main__":
    main()
