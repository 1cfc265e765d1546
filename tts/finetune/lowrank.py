"""Per-voice weight changes: low-rank updates of large weights and whole changes of small ones.

While a voice is adapted, each large weight W of the chosen layers is re-parametrised as W + up @ down (LoRA),
and small tensors (norms, biases, depthwise kernels) train whole. What adaptation learned is then a dict of
`Delta`s by parameter name, which `merged` adds to a copy of the base model for synthesis (no extra cost per
frame) and which tts.finetune.adapter stores per voice. The base model is never changed.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize

from tts.finetune.adapter import AdapterError

FULL_MAX_NUMEL = 4096  # tensors up to this size train whole; larger ones get a low-rank update


@dataclass
class Delta:
    """A change of one weight: `full` (same shape as the weight), or `up` [out, r] @ `down` [r, in] reshaped."""

    full: torch.Tensor | None = None
    up: torch.Tensor | None = None
    down: torch.Tensor | None = None

    def dense(self, shape: torch.Size) -> torch.Tensor:
        """The change as a tensor of `shape` (the weight's)."""
        if self.full is not None:
            return self.full.float().reshape(shape)
        return (self.up.float() @ self.down.float()).reshape(shape)


class LowRankUpdate(nn.Module):
    """Parametrisation W -> W + up @ down; `up` starts at zero, so training starts from the base model."""

    def __init__(self, weight: torch.Tensor, rank: int) -> None:
        super().__init__()
        fan_in = weight[0].numel()
        self.down = nn.Parameter(torch.randn(rank, fan_in) / math.sqrt(fan_in))
        self.up = nn.Parameter(torch.zeros(weight.shape[0], rank))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + (self.up @ self.down).reshape(weight.shape)


class Adaptable:
    """A trainable copy of `model` in which only the parameters named with one of `prefixes` change: large ones
    through low-rank updates of `rank`, small ones whole. `deltas()` gives what changed."""

    def __init__(self, model: nn.Module, prefixes: tuple[str, ...], rank: int) -> None:
        self.model = copy.deepcopy(model)
        self.model.requires_grad_(False)
        self._base = {}
        self._lowrank: dict[str, LowRankUpdate] = {}
        targets = [(f"{owner}.{name}" if owner else name, module, name, param)
                   for owner, module in self.model.named_modules()
                   for name, param in module.named_parameters(recurse=False)]
        for full_name, module, name, param in targets:
            if not full_name.startswith(prefixes):
                continue
            if param.dim() >= 2 and param.numel() > FULL_MAX_NUMEL:
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


def merged(model: nn.Module, parameters: dict[str, dict[str, np.ndarray]], source: str) -> nn.Module:
    """A copy of `model` with the changes `parameters` ({name: {part: array}}, VoiceAdapter.parameters) added;
    AdapterError naming `source` if a name or shape does not fit the model."""
    out = copy.deepcopy(model)
    params = dict(out.named_parameters())
    with torch.no_grad():
        for name, parts in parameters.items():
            param = params.get(name)
            delta = Delta(**{part: torch.from_numpy(array) for part, array in parts.items()})
            if param is None or not _fits(delta, param):
                raise AdapterError(f"{source} does not fit the loaded models ('{name}'): adapt the voice again")
            param.add_(delta.dense(param.shape))
    return out.eval()


def _fits(delta: Delta, param: torch.Tensor) -> bool:
    if delta.full is not None:
        return delta.full.shape == param.shape
    return delta.up.shape[0] == param.shape[0] and delta.down.shape[1] == param[0].numel()
