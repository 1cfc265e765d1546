"""Building blocks: masked transformer blocks and the variance (duration / pitch) predictor."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def sinusoidal_positions(length: int, dim: int, device: torch.device) -> torch.Tensor:
    """[length, dim] sinusoidal position table."""
    position = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(position * freq)
    table[:, 1::2] = torch.cos(position * freq)
    return table


class SelfAttention(nn.Module):
    """Multi-head self-attention with the parameters of nn.MultiheadAttention (in_proj_weight, in_proj_bias,
    out_proj), so its weights load either way; written out so that an ONNX export keeps the length dynamic."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.in_proj_weight = nn.Parameter(torch.empty(3 * dim, dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * dim))
        self.out_proj = nn.Linear(dim, dim)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x: torch.Tensor, pad_mask: torch.Tensor) -> torch.Tensor:
        """x [B, T, D]; pad_mask [B, T] True at padding (those keys are not attended to)."""
        batch, _, dim = x.shape
        q, k, v = (part.reshape(batch, -1, self.heads, dim // self.heads).transpose(1, 2)
                   for part in F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=~pad_mask[:, None, None, :],
                                             dropout_p=self.dropout if self.training else 0.0)
        return self.out_proj(out.transpose(1, 2).reshape(batch, -1, dim))


class ConditionalLayerNorm(nn.LayerNorm):
    """LayerNorm whose scale and shift also depend on a condition vector (the speaker), as in AdaSpeech;
    with `cond_dim` 0 a plain LayerNorm (same parameters, so weights of either kind load into the other's base).

    The condition's projection starts at zero, so a fresh one behaves exactly like the plain LayerNorm."""

    def __init__(self, dim: int, cond_dim: int = 0) -> None:
        super().__init__(dim)
        self.cond = nn.Linear(cond_dim, 2 * dim) if cond_dim else None
        if self.cond is not None:
            nn.init.zeros_(self.cond.weight)
            nn.init.zeros_(self.cond.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """x [B, T, D], cond [B, C] (ignored without a condition projection)."""
        if self.cond is None:
            return super().forward(x)
        scale, shift = self.cond(cond).unsqueeze(1).chunk(2, dim=-1)
        return super().forward(x) * (1 + scale) + shift


class TransformerBlock(nn.Module):
    """Self-attention then a convolutional feed-forward, each with residual and post-LayerNorm.

    With `cond_dim` > 0 both norms are conditional on a vector passed to `forward`."""

    def __init__(self, dim: int, heads: int, ff_dim: int, kernel: int, dropout: float, cond_dim: int = 0) -> None:
        super().__init__()
        self.attn = SelfAttention(dim, heads, dropout)
        self.norm1 = ConditionalLayerNorm(dim, cond_dim)
        self.conv1 = nn.Conv1d(dim, ff_dim, kernel, padding=kernel // 2)
        self.conv2 = nn.Conv1d(ff_dim, dim, 1)
        self.norm2 = ConditionalLayerNorm(dim, cond_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, pad_mask: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """x [B, T, D]; pad_mask [B, T] True at padding; cond [B, C] for conditional norms."""
        x = self.norm1(x + self.dropout(self.attn(x, pad_mask)), cond)
        keep = (~pad_mask).unsqueeze(1).to(x.dtype)
        h = torch.relu(self.conv1(x.transpose(1, 2) * keep))
        h = self.conv2(h * keep).transpose(1, 2)
        return self.norm2(x + self.dropout(h), cond) * keep.transpose(1, 2)


class TransformerStack(nn.Module):
    """Positions added, then `layers` transformer blocks (conditional on a vector when `cond_dim` > 0)."""

    def __init__(self, dim: int, layers: int, heads: int, ff_dim: int, kernel: int, dropout: float,
                 cond_dim: int = 0) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(TransformerBlock(dim, heads, ff_dim, kernel, dropout, cond_dim)
                                    for _ in range(layers))
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x: torch.Tensor, pad_mask: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.scale * sinusoidal_positions(x.shape[1], x.shape[2], x.device)
        for block in self.blocks:
            x = block(x, pad_mask, cond)
        return x


class VariancePredictor(nn.Module):
    """Two conv layers with LayerNorm, then one value per position (durations, pitch)."""

    def __init__(self, dim: int, hidden: int, kernel: int, dropout: float) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(dim, hidden, kernel, padding=kernel // 2)
        self.norm1 = nn.LayerNorm(hidden)
        self.conv2 = nn.Conv1d(hidden, hidden, kernel, padding=kernel // 2)
        self.norm2 = nn.LayerNorm(hidden)
        self.out = nn.Linear(hidden, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, pad_mask: torch.Tensor) -> torch.Tensor:
        """x [B, T, D] -> [B, T]."""
        keep = (~pad_mask).unsqueeze(-1).to(x.dtype)
        h = self.dropout(self.norm1(torch.relu(self.conv1((x * keep).transpose(1, 2)).transpose(1, 2))))
        h = self.dropout(self.norm2(torch.relu(self.conv2((h * keep).transpose(1, 2)).transpose(1, 2))))
        return self.out(h).squeeze(-1) * keep.squeeze(-1)
