"""Vocos-style vocoder: a ConvNeXt backbone at mel frame rate and an inverse-STFT head.

All layers run at 62.5 frames per second; the waveform only appears in the final inverse STFT,
which is why the model is cheap on a CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

import torch.nn.functional as F

from tts.audio.config import HOP_LENGTH, LOG_MEL_FLOOR, N_FFT, N_MELS

MIN_FRAMES = N_FFT // HOP_LENGTH + 1  # the inverse STFT needs this many frames


@dataclass
class VocoderConfig:
    dim: int = 256
    intermediate_dim: int = 768
    layers: int = 6
    n_mels: int = N_MELS


class ConvNeXtBlock(nn.Module):
    """Depthwise conv, LayerNorm, pointwise MLP, layer scale, residual."""

    def __init__(self, dim: int, intermediate_dim: int, layer_scale: float) -> None:
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, intermediate_dim)
        self.pwconv2 = nn.Linear(intermediate_dim, dim)
        self.gamma = nn.Parameter(layer_scale * torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.dwconv(x).transpose(1, 2)
        h = self.pwconv2(nn.functional.gelu(self.pwconv1(self.norm(h))))
        return x + (self.gamma * h).transpose(1, 2)


class ISTFTHead(nn.Module):
    """Predicts log-magnitude and phase per frame and inverts the STFT."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.out = nn.Linear(dim, N_FFT + 2)
        self.register_buffer("window", torch.hann_window(N_FFT), persistent=False)

    def spectrum(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x [B, frames, dim] -> the STFT's real and imaginary parts [B, N_FFT // 2 + 1, frames]."""
        mag, phase = self.out(x).transpose(1, 2).float().chunk(2, dim=1)
        mag = torch.exp(mag).clamp(max=100.0)
        return mag * torch.cos(phase), mag * torch.sin(phase)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [B, frames, dim] -> waveform [B, (frames - 1) * hop]."""
        return torch.istft(torch.complex(*self.spectrum(x)), N_FFT, HOP_LENGTH, N_FFT, self.window, center=True)


class Vocoder(nn.Module):
    def __init__(self, config: VocoderConfig) -> None:
        super().__init__()
        c = self.config = config
        self.embed = nn.Conv1d(c.n_mels, c.dim, 7, padding=3)
        self.norm = nn.LayerNorm(c.dim, eps=1e-6)
        self.blocks = nn.ModuleList(ConvNeXtBlock(c.dim, c.intermediate_dim, 1.0 / c.layers) for _ in range(c.layers))
        self.final_norm = nn.LayerNorm(c.dim, eps=1e-6)
        self.head = ISTFTHead(c.dim)

    def features(self, mel: torch.Tensor) -> torch.Tensor:
        """mel [B, n_mels, frames] -> the head's input [B, frames, dim]."""
        x = self.norm(self.embed(mel).transpose(1, 2)).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        return self.final_norm(x.transpose(1, 2))

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """mel [B, n_mels, frames] -> waveform [B, (frames - 1) * hop]."""
        frames = mel.shape[-1]
        if frames < MIN_FRAMES:
            mel = F.pad(mel, (0, MIN_FRAMES - frames), value=math.log(LOG_MEL_FLOOR))
        return self.head(self.features(mel))[:, : max(frames - 1, 0) * HOP_LENGTH]
