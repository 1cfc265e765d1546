"""Unsupervised phoneme-to-frame alignment: attention aligner, forward-sum loss, monotonic search.

The aligner scores every (mel frame, phoneme) pair by the distance between learned projections of
both; a CTC-style forward-sum loss over all monotonic paths trains it, monotonic alignment search
(MAS) picks the best single path, and the path's frame counts are the phoneme durations.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Aligner(nn.Module):
    """Soft alignment log-probabilities [B, T_mel, T_text] from text embeddings and mel frames."""

    def __init__(self, text_dim: int, n_mels: int, att_dim: int = 80, temperature: float = 0.0005) -> None:
        super().__init__()
        self.temperature = temperature
        self.key = nn.Sequential(
            nn.Conv1d(text_dim, 2 * text_dim, 3, padding=1), nn.ReLU(), nn.Conv1d(2 * text_dim, att_dim, 1))
        self.query = nn.Sequential(
            nn.Conv1d(n_mels, 2 * n_mels, 3, padding=1), nn.ReLU(),
            nn.Conv1d(2 * n_mels, n_mels, 1), nn.ReLU(), nn.Conv1d(n_mels, att_dim, 1))

    def forward(self, text: torch.Tensor, mel: torch.Tensor, text_mask: torch.Tensor,
                prior: torch.Tensor) -> torch.Tensor:
        """text [B, Tt, D], mel [B, n_mels, Tm], text_mask [B, Tt] True at padding, prior [B, Tm, Tt]."""
        keys = self.key(text.transpose(1, 2))  # [B, A, Tt]
        queries = self.query(mel)  # [B, A, Tm]
        # squared distances [B, Tm, Tt] via |q|^2 + |k|^2 - 2 q.k, without a [B, A, Tm, Tt] intermediate
        dist = (queries.pow(2).sum(1).unsqueeze(-1) + keys.pow(2).sum(1).unsqueeze(1)
                - 2 * torch.bmm(queries.transpose(1, 2), keys)).clamp_min(0)
        scores = -self.temperature * dist
        scores = F.log_softmax(scores.masked_fill(text_mask.unsqueeze(1), -1e4), dim=-1) + prior
        return scores.masked_fill(text_mask.unsqueeze(1), -1e4)


def beta_binomial_prior(text_lens: torch.Tensor, mel_lens: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """Log of a diagonal-favouring beta-binomial prior [B, Tm, Tt] that speeds up alignment learning."""
    batch, tt, tm = len(text_lens), int(text_lens.max()), int(mel_lens.max())
    prior = torch.full((batch, tm, tt), -1e4)
    for b, (n, m) in enumerate(zip(text_lens.tolist(), mel_lens.tolist())):
        k = torch.arange(n, dtype=torch.float64)
        t = torch.arange(1, m + 1, dtype=torch.float64)[:, None]
        alpha, beta = scale * t, scale * (m + 1 - t)
        log_pmf = (torch.lgamma(torch.tensor(n, dtype=torch.float64)) - torch.lgamma(k + 1) - torch.lgamma(n - k)
                   + torch.lgamma(k + alpha) + torch.lgamma(n - 1 - k + beta) - torch.lgamma(n - 1 + alpha + beta)
                   - torch.lgamma(alpha) - torch.lgamma(beta) + torch.lgamma(alpha + beta))
        prior[b, :m, :n] = log_pmf.float()
    return prior


def forward_sum_loss(log_probs: torch.Tensor, text_lens: torch.Tensor, mel_lens: torch.Tensor,
                     blank_logprob: float = -1.0) -> torch.Tensor:
    """CTC loss of the soft alignment: every frame must walk through all phonemes in order."""
    padded = F.pad(log_probs, (1, 0), value=blank_logprob)  # class 0 is the blank
    batch, tt = len(text_lens), log_probs.shape[-1]
    targets = torch.arange(1, tt + 1, device=log_probs.device).expand(batch, tt)
    mask = torch.arange(tt + 1, device=log_probs.device)[None, None, :] > text_lens[:, None, None]
    padded = F.log_softmax(padded.masked_fill(mask, -1e4), dim=-1)
    return F.ctc_loss(padded.transpose(0, 1), targets, mel_lens, text_lens, zero_infinity=True,
                      reduction="mean")


@torch.no_grad()
def monotonic_alignment(log_probs: torch.Tensor, text_lens: torch.Tensor, mel_lens: torch.Tensor) -> torch.Tensor:
    """Best monotonic path (each frame one phoneme, each phoneme >= 1 frame) as a 0/1 tensor [B, Tm, Tt]."""
    batch, tm, tt = log_probs.shape
    lp = log_probs.detach().float()
    neg = -1e9
    score = torch.full((batch, tt), neg, device=lp.device)
    score[:, 0] = lp[:, 0, 0]
    came_diag = torch.zeros(batch, tm, tt, dtype=torch.bool, device=lp.device)
    for t in range(1, tm):
        shifted = F.pad(score[:, :-1], (1, 0), value=neg)
        came_diag[:, t] = shifted > score
        score = torch.maximum(score, shifted) + lp[:, t]
    path = torch.zeros(batch, tm, tt, device=lp.device)
    idx = (text_lens - 1).clone()
    rows = torch.arange(batch, device=lp.device)
    for t in range(tm - 1, -1, -1):
        active = t < mel_lens
        path[rows[active], t, idx[active]] = 1.0
        step = active & came_diag[rows, t, idx] & (idx > 0)
        idx = idx - step.long()
    return path


def binarization_loss(hard: torch.Tensor, log_probs: torch.Tensor) -> torch.Tensor:
    """Pulls the soft alignment towards the hard path."""
    return -(hard * log_probs).sum() / hard.sum().clamp_min(1)
