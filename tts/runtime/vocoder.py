"""The vocoder on ONNX Runtime: log-mel spectrogram -> 16 kHz waveform (the inverse STFT in NumPy)."""

from __future__ import annotations

import math

import numpy as np

from tts.audio.config import HOP_LENGTH, LOG_MEL_FLOOR, N_FFT
from tts.audio.spectrum import istft
from tts.runtime.model_file import VOCODER_FILE, OnnxModel

MIN_FRAMES = N_FFT // HOP_LENGTH + 1  # the inverse STFT needs this many frames


class VocoderRuntime(OnnxModel):
    """The graph of tts.vocoder.Vocoder up to its spectrum (tts.export), then the inverse STFT."""

    kind = "vocoder"
    default_file = VOCODER_FILE

    def __call__(self, mel: np.ndarray) -> np.ndarray:
        """Log-mel [n_mels, frames] -> float32 waveform of (frames - 1) * HOP_LENGTH samples."""
        frames = mel.shape[1]
        if frames < MIN_FRAMES:
            mel = np.pad(mel, ((0, 0), (0, MIN_FRAMES - frames)), constant_values=math.log(LOG_MEL_FLOOR))
        real, imag = self.run({"mel": np.ascontiguousarray(mel, np.float32)})
        return istft(real, imag)[: max(frames - 1, 0) * HOP_LENGTH]
