"""Audio I/O, signal settings and features shared by every model.

The names below come from their modules when first used (PEP 562), so that `tts.audio.config` and the other light
modules load without torch, which `tts.audio.features` needs."""

from importlib import import_module

from tts.audio.config import HOP_LENGTH, N_FFT, N_MELS, SAMPLE_RATE, WIN_LENGTH

_MODULES = {"LogMelSpectrogram": "features", "estimate_pitch": "pitch", "AudioError": "io",
            "AudioFileWriter": "io", "load_audio": "io", "save_audio": "io", "normalize_loudness": "processing",
            "trim_silence": "processing"}

__all__ = ["SAMPLE_RATE", "N_FFT", "HOP_LENGTH", "WIN_LENGTH", "N_MELS", *_MODULES]


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
