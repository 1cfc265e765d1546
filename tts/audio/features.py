"""Log-mel spectrogram in torch (the interface between acoustic model and vocoder), batched for training;
tts.audio.spectrum.log_mel is the same in NumPy."""

from __future__ import annotations

import torch
from torch import nn

from tts.audio.config import F_MAX, F_MIN, HOP_LENGTH, LOG_MEL_FLOOR, N_FFT, N_MELS, WIN_LENGTH
from tts.audio.mel import mel_filterbank


class LogMelSpectrogram(nn.Module):
    """Waveform [B, T] -> natural-log mel magnitude spectrogram [B, N_MELS, frames] (centred STFT)."""

    def __init__(self) -> None:
        super().__init__()
        fb = mel_filterbank(N_FFT, N_MELS, F_MIN, F_MAX)
        self.register_buffer("mel_basis", torch.from_numpy(fb).float(), persistent=False)
        self.register_buffer("window", torch.hann_window(WIN_LENGTH), persistent=False)

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        spec = torch.stft(wav.float(), N_FFT, HOP_LENGTH, WIN_LENGTH, self.window, center=True,
                          pad_mode="reflect", return_complex=True).abs()
        return torch.log(torch.clamp(self.mel_basis @ spec, min=LOG_MEL_FLOOR))
