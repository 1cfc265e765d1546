"""GE2E speaker encoder (3-layer LSTM over 40-band mel frames, 256-d projection).

The weights are the pretrained GE2E model shipped in the `resemblyzer` wheel (Apache-2.0),
converted to `ge2e.pt` in this folder by `python -m tts.encoder.convert`.
"""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import torch
from torch import nn

from tts.audio.config import SAMPLE_RATE

EMBEDDING_DIM = 256
MEL_BANDS = 40
MEL_WINDOW = 400  # 25 ms
MEL_HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s windows
PARTIAL_STEP = 80  # 50% overlap
WEIGHTS = Path(__file__).with_name("ge2e.pt")


class GE2E(nn.Module):
    """The network: mel frames [B, T, 40] -> L2-normalised embeddings [B, 256]."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(MEL_BANDS, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, EMBEDDING_DIM)

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(mels)
        raw = torch.relu(self.linear(hidden[-1]))
        return raw / raw.norm(dim=1, keepdim=True).clamp_min(1e-8)


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """Power mel spectrogram [frames, 40] as the GE2E model was trained on (not log-compressed)."""
    mel = librosa.feature.melspectrogram(y=wav, sr=SAMPLE_RATE, n_fft=MEL_WINDOW, hop_length=MEL_HOP,
                                         n_mels=MEL_BANDS)
    return mel.astype(np.float32).T


def keep_voiced(wav: np.ndarray, window: int = 480, smooth: int = 8, max_gap: int = 6) -> np.ndarray:
    """Drop long pauses: 30 ms windows below an energy floor, smoothed and dilated, are removed."""
    n = len(wav) // window
    if n < smooth:
        return wav
    frames = wav[: n * window].reshape(n, window)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    active = (level > max(level.max() - 35.0, -55.0)).astype(float)
    kernel = np.ones(smooth) / smooth
    active = np.convolve(active, kernel, mode="same") >= 0.5
    grown = np.convolve(active.astype(float), np.ones(2 * max_gap + 1), mode="same") > 0
    if not grown.any():
        return wav
    return frames[grown].reshape(-1)


def normalize_volume(wav: np.ndarray, target_dbfs: float = -30.0) -> np.ndarray:
    """Raise quiet audio to `target_dbfs` RMS (never lowers it), as in GE2E preprocessing."""
    rms = np.sqrt(np.mean(wav.astype(np.float64) ** 2))
    if rms <= 0:
        return wav
    gain_db = target_dbfs - 20 * np.log10(rms)
    return wav * 10 ** (gain_db / 20) if gain_db > 0 else wav


class SpeakerEncoder:
    """Loads the GE2E weights once; `embed(wav)` gives a 256-d unit vector for 16 kHz audio."""

    def __init__(self, weights: Path = WEIGHTS) -> None:
        if not weights.is_file():
            raise FileNotFoundError(f"speaker encoder weights missing: {weights}; reinstall the package")
        self.model = GE2E()
        state = torch.load(weights, map_location="cpu", weights_only=True)
        self.model.load_state_dict({k: v.float() for k, v in state.items()})
        self.model.eval()

    def partial_mels(self, wav: np.ndarray) -> torch.Tensor:
        """Overlapping 1.6 s mel windows [N, 160, 40] covering the voiced part of `wav`."""
        wav = keep_voiced(normalize_volume(wav))
        mel = mel_frames(wav)
        if len(mel) < PARTIAL_FRAMES:
            mel = np.pad(mel, ((0, PARTIAL_FRAMES - len(mel)), (0, 0)))
        starts = list(range(0, len(mel) - PARTIAL_FRAMES + 1, PARTIAL_STEP))
        tail = len(mel) - (starts[-1] + PARTIAL_FRAMES)
        if tail > PARTIAL_FRAMES // 2:  # cover a long remainder with one more window
            starts.append(len(mel) - PARTIAL_FRAMES)
        return torch.from_numpy(np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts]))

    @torch.inference_mode()
    def embed(self, wav: np.ndarray) -> np.ndarray:
        """Average of the partial-window embeddings, L2-normalised, float32 [256]."""
        partials = self.model(self.partial_mels(wav)).mean(dim=0)
        return (partials / partials.norm()).numpy().astype(np.float32)

    def embed_many(self, wavs: list[np.ndarray]) -> np.ndarray:
        """One embedding for several clips of one speaker: the normalised mean of their embeddings."""
        mean = np.mean([self.embed(w) for w in wavs], axis=0)
        return (mean / np.linalg.norm(mean)).astype(np.float32)
