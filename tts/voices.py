"""Voice profiles: a named speaker embedding plus where it came from.

A profile is one JSON file `<name>.json`:
  schema_version  int, currently 1
  name            safe name (letters, digits, '-', '_', '.', max 64 characters)
  description     free text
  created_at      ISO 8601 UTC time
  encoder         id of the speaker encoder that made the embedding
  embedding       256 floats, L2-normalised
  clips           [{"sha256", "seconds"}] fingerprints of the reference audio
  consent         null or {"statement", "confirmed_at"}
  adaptation      null (room for per-voice model adaptation weights)
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from voices import PACKAGED_VOICES_DIR

SCHEMA_VERSION = 1
ENCODER_ID = "ge2e-resemblyzer-v1"
DEFAULT_VOICE = "joe"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class VoiceError(Exception):
    """An unknown, invalid or unreadable voice."""


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name or "") or ".." in name:
        raise VoiceError(f"invalid voice name '{name}': use 1-64 letters, digits, '-', '_' or '.', "
                         "starting with a letter or digit")
    return name


@dataclass
class VoiceProfile:
    name: str
    embedding: list[float]
    description: str = ""
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    encoder: str = ENCODER_ID
    clips: list[dict] = field(default_factory=list)
    consent: dict | None = None
    adaptation: dict | None = None
    schema_version: int = SCHEMA_VERSION

    @property
    def vector(self) -> np.ndarray:
        return np.asarray(self.embedding, dtype=np.float32)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_file(cls, path: Path) -> "VoiceProfile":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            profile = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise VoiceError(f"voice profile {path} is unreadable or invalid: {exc}") from None
        if profile.schema_version != SCHEMA_VERSION:
            raise VoiceError(f"voice profile {path} has schema version {profile.schema_version}; "
                             f"this version reads {SCHEMA_VERSION}")
        vector = profile.vector
        if vector.shape != (256,) or not np.all(np.isfinite(vector)) or abs(np.linalg.norm(vector) - 1) > 1e-3:
            raise VoiceError(f"voice profile {path} holds an invalid embedding")
        return profile


def packaged_voices() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PACKAGED_VOICES_DIR.glob("*.json"))}


def load_voice(name: str | None) -> VoiceProfile:
    """The profile called `name` (the default voice when None)."""
    name = check_name(name or DEFAULT_VOICE)
    available = packaged_voices()
    if name not in available:
        raise VoiceError(f"unknown voice '{name}': available voices are {', '.join(available) or 'none'}")
    return VoiceProfile.from_file(available[name])
