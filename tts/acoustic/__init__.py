"""Acoustic model: phoneme ids + speaker embedding -> log-mel spectrogram."""

from tts.acoustic.model import AcousticConfig, AcousticModel

__all__ = ["AcousticConfig", "AcousticModel"]
