"""The adapted weights of a personal voice: one NumPy .npz file per voice (no pickles), checked before use.

File format: arrays named `<model>/<parameter>#<part>`, float16, where model is `acoustic` or `vocoder`, parameter
a parameter name of that model, and part `full` (the whole change of a small tensor, the parameter's shape) or
`up` [out, r] and `down` [r, in] (a low-rank change up @ down, r <= 64, reshaped to the parameter's shape).
At most 6 MB, every value finite and within +-64. Names and shapes are checked against the loaded models when the
voice is prepared (tts.runtime.model_file.slot_values).

The voice's profile records the file in its `personal` field (tts.voices documents it): the file's sha256, the
sha256 of the model files it was trained for, and how it was made. This module needs NumPy only.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import numpy as np

from tts.errors import TTSError

METHOD = "lowrank-v1"
MAX_BYTES = 6_000_000
MAX_RANK = 64
MAX_VALUE = 64.0
MODELS = ("acoustic", "vocoder")
KEY_PATTERN = re.compile(r"(acoustic|vocoder)/([A-Za-z0-9_.]{1,200})#(full|up|down)")


class AdapterError(TTSError, ValueError):
    """A personal-voice file that is damaged, too large or not of this format."""


class VoiceAdapter:
    """What adaptation learned for one voice: arrays by `<model>/<parameter>#<part>` (see the module docs)."""

    def __init__(self, arrays: dict[str, np.ndarray], data: bytes | None = None) -> None:
        self.arrays = arrays
        self._data = data  # the file's bytes, once read or written: what the profile's sha256 names

    def parameters(self, model: str) -> dict[str, dict[str, np.ndarray]]:
        """{parameter name: {part: array}} for `model` (acoustic or vocoder)."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for key, array in self.arrays.items():
            kind, name, part = KEY_PATTERN.fullmatch(key).groups()
            if kind == model:
                out.setdefault(name, {})[part] = array
        return out

    def to_bytes(self) -> bytes:
        """The .npz file: the bytes it was read from, else written once."""
        if self._data is None:
            buffer = io.BytesIO()
            np.savez(buffer, **{k: np.ascontiguousarray(v, dtype=np.float16) for k, v in sorted(self.arrays.items())})
            self._data = buffer.getvalue()
        return self._data

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> "VoiceAdapter":
        """The adapter in `data` after checking size, names, parts, ranks and values; AdapterError otherwise."""
        if len(data) > MAX_BYTES:
            raise AdapterError(f"{source} is {len(data) / 1e6:.1f} MB; a personal voice file holds at most "
                               f"{MAX_BYTES / 1e6:.0f} MB")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile):
            raise AdapterError(f"{source} is damaged or not a personal voice file (.npz)") from None
        problem = _problem(arrays)
        if problem:
            raise AdapterError(f"{source} is not a valid personal voice file: {problem}")
        return cls(arrays, data)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _problem(arrays: dict[str, np.ndarray]) -> str | None:
    if not arrays:
        return "it holds no weights"
    parts: dict[str, set[str]] = {}
    for key, array in arrays.items():
        match = KEY_PATTERN.fullmatch(key)
        if match is None:
            return f"unknown entry '{key[:60]}'"
        if array.dtype != np.float16 or array.ndim == 0 or array.size == 0:
            return f"'{key}' must be a non-empty float16 array"
        if not np.all(np.isfinite(array)) or np.abs(array.astype(np.float32)).max() > MAX_VALUE:
            return f"'{key}' holds NaN, infinite or out-of-range values (limit +-{MAX_VALUE:g})"
        parts.setdefault(key.rsplit("#", 1)[0], set()).add(match.group(3))
    for name, found in parts.items():
        if found not in ({"full"}, {"up", "down"}):
            return f"'{name}' must have either a full change or both low-rank factors"
        if found == {"up", "down"}:
            up, down = arrays[f"{name}#up"], arrays[f"{name}#down"]
            if up.ndim != 2 or down.ndim != 2 or up.shape[1] != down.shape[0] or not 1 <= up.shape[1] <= MAX_RANK:
                return f"'{name}' has low-rank factors of shapes {up.shape} and {down.shape} (rank 1-{MAX_RANK})"
    return None
