"""The watermark every waveform of this tool carries, and its detector (see core.py for the design).

    from tts.watermark import detect, embed
    marked = embed(wav)                # 16 kHz float32 mono, the built-in key
    detect(marked).found               # True; detect(wav, key=...) for another key
"""

from __future__ import annotations

import functools

import numpy as np

from tts.watermark.core import DEFAULT_KEY, THRESHOLD, Detection, Watermarker

__all__ = ["DEFAULT_KEY", "THRESHOLD", "Detection", "Watermarker", "embed", "detect", "watermarker"]


@functools.lru_cache(maxsize=8)
def watermarker(key: str = DEFAULT_KEY) -> Watermarker:
    return Watermarker(key)


def embed(wav: np.ndarray, offset: int = 0, key: str = DEFAULT_KEY) -> np.ndarray:
    return watermarker(key).embed(wav, offset)


def detect(wav: np.ndarray, key: str = DEFAULT_KEY) -> Detection:
    return watermarker(key).detect(wav)
