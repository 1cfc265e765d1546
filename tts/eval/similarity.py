"""Speaker similarity: cosine between GE2E speaker embeddings (tts.encoder) of synthesised speech
and of real clips of the target speaker (1 = identical direction, higher = more alike)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tts.encoder.ge2e import SpeakerEncoder


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def mean_embedding(encoder: SpeakerEncoder, wavs: Sequence[np.ndarray]) -> np.ndarray:
    """The unit-length mean embedding of several clips of one speaker."""
    return encoder.embed_many(list(wavs))


def similarity(encoder: SpeakerEncoder, wav: np.ndarray, target: np.ndarray) -> float:
    """Cosine between the embedding of `wav` and a target embedding."""
    return cosine(encoder.embed(wav), target)
