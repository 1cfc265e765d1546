"""What preparing a voice for the loaded models found (its calibration and loudness), kept on disk so that
a new process speaks an enrolled voice as soon as the default voice.

One small JSON file per voice and model pair in the user cache folder ($TTS_CACHE_DIR, else platformdirs' user
cache dir + "/tts/voices"). The key covers the voice (embedding, adaptation record), the model files (path, size
and modification time) and VERSION, which changes whenever the calibration or levelling code does; so a changed
voice, model or code is prepared again. The cache is only a shortcut: an unreadable, malformed or unwritable entry
is ignored and the voice is prepared as without it."""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np

from tts.adaptation import Calibration
from tts.audio.config import N_MELS

VERSION = 3
ENV_CACHE_DIR = "TTS_CACHE_DIR"
MAX_ENTRY_BYTES = 64_000


def cache_dir() -> Path:
    """$TTS_CACHE_DIR, else the platform's user cache folder + tts/voices."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    import platformdirs

    return Path(platformdirs.user_cache_dir("tts")) / "voices"


def model_cache_dir() -> Path:
    """Where optimised copies of the model files are kept (tts.runtime.model_file): $TTS_CACHE_DIR/models, else
    the platform's user cache folder + tts/models."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR]) / "models"
    import platformdirs

    return Path(platformdirs.user_cache_dir("tts")) / "models"


def file_identity(path: Path) -> str:
    """Path, size and modification time of a model file: changes whenever the file is replaced."""
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def entry_key(vector_bytes: bytes, adaptation: str, models: str) -> str:
    return hashlib.sha256(b"|".join([str(VERSION).encode(), vector_bytes, adaptation.encode(),
                                     models.encode()])).hexdigest()


def load(key: str) -> tuple[Calibration, float] | None:
    """The cached calibration and loudness (LUFS) for `key`, or None when there is no valid entry."""
    path = cache_dir() / f"{key}.json"
    try:
        if not path.is_file() or path.stat().st_size > MAX_ENTRY_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        bands = [np.asarray(data[k], dtype=np.float32) for k in ("centre", "scale", "offset")]
        level, lufs = data["pitch_level"], float(data["lufs"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    numbers = [lufs] + ([] if level is None else [float(level)])
    if (data.get("version") != VERSION or any(b.shape != (N_MELS,) or not np.isfinite(b).all() for b in bands)
            or not all(math.isfinite(x) for x in numbers) or not -120 < lufs < 10):
        return None
    return Calibration(None if level is None else float(level), *bands), lufs


def store(key: str, calibration: Calibration, lufs: float) -> None:
    """Write the entry for `key` atomically; any failure (read-only or full disk) is ignored."""
    folder = cache_dir()
    data = {"version": VERSION, "pitch_level": calibration.pitch_level, "lufs": lufs,
            **{k: [float(x) for x in getattr(calibration, k)] for k in ("centre", "scale", "offset")}}
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, folder / f"{key}.json")
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
