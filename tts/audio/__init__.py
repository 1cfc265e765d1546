"""Audio I/O, signal settings and features shared by every model."""

from tts.audio.config import HOP_LENGTH, N_FFT, N_MELS, SAMPLE_RATE, WIN_LENGTH
from tts.audio.features import LogMelSpectrogram, estimate_pitch
from tts.audio.io import AudioError, AudioFileWriter, load_audio, save_audio
from tts.audio.processing import normalize_loudness, trim_silence

__all__ = [
    "SAMPLE_RATE", "N_FFT", "HOP_LENGTH", "WIN_LENGTH", "N_MELS",
    "LogMelSpectrogram", "estimate_pitch",
    "AudioError", "AudioFileWriter", "load_audio", "save_audio",
    "normalize_loudness", "trim_silence",
]
