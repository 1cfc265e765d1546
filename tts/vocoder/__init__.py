"""Neural vocoder: log-mel spectrogram -> 16 kHz waveform."""

from tts.vocoder.model import Vocoder, VocoderConfig

__all__ = ["Vocoder", "VocoderConfig"]
