"""Per-voice weight changes: low-rank updates of large weights and whole changes of small ones.

While a voice is adapted, each large weight W of the chosen layers is re-parametrised as W + up @ down (LoRA),
and small tensors (norms, biases, depthwise kernels) train whole. What adaptation learned is then a dict of
`Delta`s by parameter name, which tts.finetune.adapter stores per voice; synthesis puts them into the slots the
model files keep for them (tts.export, tts.runtime.model_file), at no extra cost per frame. The base model is
never changed.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize


FULL_MAX_NUMEL = 4096  # tensors up to this size train whole; larger ones get a low-rank update
# what a personal voice changes in each model: parameters named with one of the prefixes, large ones at this rank.
# Acoustic: the text encoder and mel decoder blocks, the decoder's speaker projection, the output layer (the
# duration and pitch predictors keep the model's prosody: a few clips are too little to learn it). Vocoder: all.
ADAPTED = {"acoustic": (("encoder.", "decoder", "mel_out."), 16), "vocoder": (("",), 32)}


@dataclass
class Delta:
    """A change of one weight: `full` (same shape as the weight), or `up` [out, r] @ `down` [r, in] reshaped."""

    full: torch.Tensor | None = None
    up: torch.Tensor | None = None
    down: torch.Tensor | None = None


class LowRankUpdate(nn.Module):
    """Parametrisation W -> W + up @ down; `up` starts at zero, so training starts from the base model."""

    def __init__(self, weight: torch.Tensor, rank: int) -> None:
        super().__init__()
        fan_in = weight[0].numel()
        self.down = nn.Parameter(torch.randn(rank, fan_in) / math.sqrt(fan_in))
        self.up = nn.Parameter(torch.zeros(weight.shape[0], rank))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + (self.up @ self.down).reshape(weight.shape)


def adaptable_parameters(model: nn.Module, prefixes: tuple[str, ...]) -> list[tuple[str, nn.Module, str, bool]]:
    """(full name, owning module, attribute name, low-rank?) of each parameter of `model` named with one of
    `prefixes`: low-rank for large matrices and kernels, whole for the rest."""
    return [(full_name, module, name, param.dim() >= 2 and param.numel() > FULL_MAX_NUMEL)
            for owner, module in model.named_modules()
            for name, param in module.named_parameters(recurse=False)
            for full_name in [f"{owner}.{name}" if owner else name] if full_name.startswith(prefixes)]


class Adaptable:
    """A trainable copy of `model` in which only the parameters named with one of `prefixes` change: large ones
    through low-rank updates of `rank`, small ones whole. `deltas()` gives what changed."""

    def __init__(self, model: nn.Module, prefixes: tuple[str, ...], rank: int) -> None:
        self.model = copy.deepcopy(model)
        self.model.requires_grad_(False)
        self._base = {}
        self._lowrank: dict[str, LowRankUpdate] = {}
        for full_name, module, name, lowrank in adaptable_parameters(self.model, prefixes):
            param = getattr(module, name)
            if lowrank:
                update = LowRankUpdate(param.detach(), rank)
                parametrize.register_parametrization(module, name, update)
                self._lowrank[full_name] = update
            else:
                self._base[full_name] = param.detach().clone()
                param.requires_grad_(True)
        self._full = {n: p for n, p in self.model.named_parameters() if n in self._base}

    def parameters(self) -> list[nn.Parameter]:
        return [*self._full.values(), *(p for u in self._lowrank.values() for p in u.parameters())]

    def deltas(self) -> dict[str, Delta]:
        """What training changed, by parameter name of the base model (fp16)."""
        out = {name: Delta(full=(param.detach() - self._base[name]).half()) for name, param in self._full.items()}
        out.update({name: Delta(up=u.up.detach().half(), down=u.down.detach().half())
                    for name, u in self._lowrank.items()})
        return out


def to_arrays(kind: str, deltas: dict[str, Delta]) -> dict[str, np.ndarray]:
    """`deltas` of model `kind` as the arrays of a tts.finetune.adapter.VoiceAdapter."""
    arrays = {}
    for name, delta in deltas.items():
        parts = {"full": delta.full} if delta.full is not None else {"up": delta.up, "down": delta.down}
        arrays.update({f"{kind}/{name}#{part}": t.cpu().numpy().astype(np.float16) for part, t in parts.items()})
    return arrays
