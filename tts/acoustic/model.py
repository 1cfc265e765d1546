"""FastSpeech-style non-autoregressive acoustic model with a learned aligner and pitch predictor."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tts.acoustic.alignment import (Aligner, binarization_loss, forward_sum_loss, monotonic_alignment)
from tts.acoustic.layers import TransformerStack, VariancePredictor
from tts.audio.config import N_MELS
from tts.audio.pitch import LOG_F0_MEAN, LOG_F0_SCALE
from tts.limits import EMBEDDING_DIM
from tts.text import FRONTENDS



@dataclass
class AcousticConfig:
    """Model size; stored in every checkpoint so weights always load with the right shape."""

    dim: int = 192
    heads: int = 2
    ff_dim: int = 768
    ff_kernel: int = 3
    encoder_layers: int = 4
    decoder_layers: int = 4
    predictor_dim: int = 256
    predictor_kernel: int = 3
    speaker_dim: int = EMBEDDING_DIM
    speaker_norm: bool = False  # speaker-conditional LayerNorms in the decoder
    dropout: float = 0.1
    n_symbols: int = len(FRONTENDS["en-us"].symbols)
    n_mels: int = N_MELS
    language: str = "en-us"  # its text frontend (tts.text.FRONTENDS), whose symbols are the inputs


def lengths_to_pad_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """[B, T] True where a position lies past an item's length."""
    max_len = int(lengths.max()) if max_len is None else max_len
    return torch.arange(max_len, device=lengths.device)[None, :] >= lengths[:, None]


def expand_by_durations(x: torch.Tensor, durations: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Repeat each phoneme vector [B, Tt, D] durations[b, i] times -> frames [B, Tm, D] and frame lengths."""
    frame_lens = durations.sum(1).long()
    max_len = max(int(frame_lens.max()), 1)
    ends = durations.long().cumsum(1)  # [B, Tt]
    frames = torch.arange(max_len, device=x.device)
    index = torch.searchsorted(ends, frames.expand(len(x), max_len).contiguous(), right=True)
    index = index.clamp(max=x.shape[1] - 1)
    out = torch.gather(x, 1, index.unsqueeze(-1).expand(-1, -1, x.shape[2]))
    out = out * (~lengths_to_pad_mask(frame_lens, max_len)).unsqueeze(-1).to(x.dtype)
    return out, frame_lens


def normalize_pitch(f0: torch.Tensor) -> torch.Tensor:
    """Hz -> the model's pitch scale (0 stands for unvoiced)."""
    return torch.where(f0 > 0, (torch.log(f0.clamp_min(1.0)) - LOG_F0_MEAN) / LOG_F0_SCALE, torch.zeros_like(f0))


def average_by_durations(values: torch.Tensor, durations: torch.Tensor) -> torch.Tensor:
    """Mean of the non-zero frame values [B, Tm] inside each phoneme's span -> [B, Tt] (0 if none)."""
    ends = durations.long().cumsum(1)
    starts = ends - durations.long()
    voiced = (values > 0).to(values.dtype)
    csum = F.pad(torch.cumsum(values * voiced, 1), (1, 0))
    ccount = F.pad(torch.cumsum(voiced, 1), (1, 0))
    total = csum.gather(1, ends) - csum.gather(1, starts)
    count = ccount.gather(1, ends) - ccount.gather(1, starts)
    return torch.where(count > 0, total / count.clamp_min(1), torch.zeros_like(total))


class AcousticModel(nn.Module):
    """Text encoder -> durations and pitch -> frame expansion -> mel decoder, speaker-conditioned."""

    def __init__(self, config: AcousticConfig) -> None:
        super().__init__()
        c = self.config = config
        frontend = FRONTENDS[c.language]
        self.symbols = frontend.symbols
        if len(self.symbols) != c.n_symbols:
            raise ValueError(f"config has {c.n_symbols} symbols, the '{c.language}' frontend {len(self.symbols)}")
        self.register_buffer("phone_ids", torch.tensor(frontend.phone_ids), persistent=False)
        self.embedding = nn.Embedding(c.n_symbols, c.dim, padding_idx=frontend.pad_id)
        self.speaker_proj = nn.Linear(c.speaker_dim, c.dim)
        self.encoder = TransformerStack(c.dim, c.encoder_layers, c.heads, c.ff_dim, c.ff_kernel, c.dropout)
        self.duration_predictor = VariancePredictor(c.dim, c.predictor_dim, c.predictor_kernel, c.dropout)
        self.pitch_predictor = VariancePredictor(c.dim, c.predictor_dim, c.predictor_kernel, c.dropout)
        self.pitch_embedding = nn.Conv1d(1, c.dim, 3, padding=1)
        self.decoder_speaker = nn.Linear(c.speaker_dim, c.dim)
        self.decoder = TransformerStack(c.dim, c.decoder_layers, c.heads, c.ff_dim, c.ff_kernel, c.dropout,
                                        c.speaker_dim if c.speaker_norm else 0)
        self.mel_out = nn.Linear(c.dim, c.n_mels)
        self.aligner = Aligner(c.dim, c.n_mels)
        # the centre of the training voices' embeddings (tts.adaptation); zeros where unknown
        self.register_buffer("speaker_centre", torch.zeros(c.speaker_dim))

    @property
    def speaker_mean(self) -> torch.Tensor | None:
        """The centre of the training voices, or None if the weights do not record it."""
        return self.speaker_centre if bool(self.speaker_centre.any()) else None

    def encode(self, ids: torch.Tensor, text_lens: torch.Tensor, speaker: torch.Tensor):
        """Phoneme ids [B, Tt] -> (embeddings, encoder states [B, Tt, D], pad mask)."""
        pad = lengths_to_pad_mask(text_lens, ids.shape[1])
        emb = self.embedding(ids)
        hidden = self.encoder(emb + self.speaker_proj(speaker).unsqueeze(1), pad)
        return emb, hidden, pad

    def decode(self, hidden: torch.Tensor, norm_pitch: torch.Tensor, durations: torch.Tensor,
               speaker: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add pitch, expand to frames and decode: -> (mel [B, n_mels, Tm], frame lengths)."""
        hidden = hidden + self.pitch_embedding(norm_pitch.unsqueeze(1)).transpose(1, 2)
        frames, frame_lens = expand_by_durations(hidden, durations)
        frames = frames + self.decoder_speaker(speaker).unsqueeze(1)
        out = self.decoder(frames, lengths_to_pad_mask(frame_lens, frames.shape[1]), speaker)
        return self.mel_out(out).transpose(1, 2), frame_lens

    def forward(self, batch: dict[str, torch.Tensor], binarize: bool) -> dict[str, torch.Tensor]:
        """Training pass: returns the individual losses and the predicted mel."""
        ids, text_lens, mel, mel_lens = batch["ids"], batch["text_lens"], batch["mel"], batch["mel_lens"]
        speaker = batch["speaker"]
        emb, hidden, pad = self.encode(ids, text_lens, speaker)
        log_probs = self.aligner(emb, mel, pad, batch["prior"])
        hard = monotonic_alignment(log_probs, text_lens, mel_lens)
        durations = hard.sum(1)  # [B, Tt]
        pitch_target = normalize_pitch(average_by_durations(batch["pitch"], durations))

        log_dur_pred = self.duration_predictor(hidden.detach(), pad)
        pitch_pred = self.pitch_predictor(hidden.detach(), pad)
        mel_pred, _ = self.decode(hidden, pitch_target, durations, speaker)

        keep_t = (~pad).float()
        keep_m = (~lengths_to_pad_mask(mel_lens, mel.shape[2])).float().unsqueeze(1)
        pred_mel = mel_pred[:, :, : mel.shape[2]]
        losses = {
            "mel": ((pred_mel - mel).abs() * keep_m).sum() / (keep_m.sum() * mel.shape[1]),
            "duration": (((log_dur_pred - torch.log1p(durations)) ** 2) * keep_t).sum() / keep_t.sum(),
            "pitch": (((pitch_pred - pitch_target) ** 2) * keep_t).sum() / keep_t.sum(),
            "align": forward_sum_loss(log_probs, text_lens, mel_lens),
            "binarize": binarization_loss(hard, log_probs) if binarize else torch.zeros((), device=mel.device),
        }
        return {"losses": losses, "mel": pred_mel, "durations": durations}

    def synthesize(self, ids: torch.Tensor, speaker: torch.Tensor, speed: float = 1.0,
                   pitch_shift: float = 0.0, pitch_level: float | None = None) -> torch.Tensor:
        """One utterance: ids [Tt], speaker [256] -> log-mel [n_mels, frames] (see `infer`)."""
        return self.infer(ids, speaker, speed, pitch_shift, pitch_level)[0]

    def infer(self, ids: torch.Tensor, speaker: torch.Tensor, speed: float = 1.0, pitch_shift: float = 0.0,
              pitch_level: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """One utterance: ids [Tt], speaker [256] -> (log-mel [n_mels, frames], frames of each symbol [Tt]).

        speed > 1 speaks faster; pitch_shift is in semitones. pitch_level, on the model's pitch scale, moves the
        mean pitch of the voiced phonemes there (the intonation is kept), so every utterance of a voice sits at
        the same height.
        """
        with torch.inference_mode():
            level = float("nan") if pitch_level is None else float(pitch_level)
            return self.infer_tensors(ids, speaker, torch.tensor(float(speed)), torch.tensor(float(pitch_shift)),
                                      torch.tensor(level))

    def infer_tensors(self, ids: torch.Tensor, speaker: torch.Tensor, speed: torch.Tensor, pitch_shift: torch.Tensor,
                      pitch_level: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """`infer` with its controls as 0-d tensors (pitch_level NaN: the model's own level), written so that an
        ONNX export (tts.export) keeps every length free."""
        ids, speaker = ids.unsqueeze(0), speaker.unsqueeze(0)
        pad = torch.zeros_like(ids, dtype=torch.bool)
        hidden = self.encoder(self.embedding(ids) + self.speaker_proj(speaker).unsqueeze(1), pad)
        durations = torch.clamp(torch.round((torch.exp(self.duration_predictor(hidden, pad)) - 1) / speed), min=0)
        is_phone = (ids.unsqueeze(-1) == self.phone_ids).any(-1)
        durations = torch.where(is_phone, durations.clamp(min=1), durations)[0].long()
        pitch = self.pitch_predictor(hidden, pad)
        voiced = pitch.abs() > 0.05  # predictions near 0 stand for unvoiced phonemes
        count = voiced.sum()
        mean = (pitch * voiced).sum() / count.clamp(min=1)
        level = torch.where(torch.isnan(pitch_level) | (count == 0), torch.zeros_like(mean), pitch_level - mean)
        pitch = torch.where(voiced, pitch + pitch_shift * (math.log(2) / 12 / LOG_F0_SCALE) + level, pitch)
        hidden = hidden + self.pitch_embedding(pitch.unsqueeze(1)).transpose(1, 2)
        ends = durations.cumsum(0)
        frame = torch.arange(ends[-1].clamp(min=1))
        symbol = (ends.unsqueeze(0) <= frame.unsqueeze(1)).sum(1).clamp(max=ids.shape[1] - 1)  # of each frame
        frames = hidden[0][symbol].unsqueeze(0) + self.decoder_speaker(speaker).unsqueeze(1)
        out = self.decoder(frames, torch.zeros(frames.shape[:2], dtype=torch.bool), speaker)
        return self.mel_out(out)[0].transpose(0, 1), durations
