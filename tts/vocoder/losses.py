"""Reconstruction losses for the vocoder: log-mel L1 and multi-resolution STFT."""

from __future__ import annotations

import torch
from torch import nn


class MultiResolutionSTFTLoss(nn.Module):
    """Spectral convergence + log-magnitude L1 at several STFT sizes."""

    def __init__(self, ffts: tuple[int, ...] = (256, 512, 1024, 2048)) -> None:
        super().__init__()
        self.ffts = ffts
        for n in ffts:
            self.register_buffer(f"window_{n}", torch.hann_window(n), persistent=False)

    def forward(self, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        total = torch.zeros((), device=fake.device)
        for n in self.ffts:
            window = getattr(self, f"window_{n}")
            f = torch.stft(fake, n, n // 4, window=window, return_complex=True).abs().clamp_min(1e-5)
            r = torch.stft(real, n, n // 4, window=window, return_complex=True).abs().clamp_min(1e-5)
            total = total + torch.norm(r - f) / torch.norm(r).clamp_min(1e-5) + (r.log() - f.log()).abs().mean()
        return total / len(self.ffts)
