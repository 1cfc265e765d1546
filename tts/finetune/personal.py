"""Make a voice personal: fine-tune the models on its clips and attach the result to its profile (in memory;
tts.voices.VoiceLibrary.save stores it)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from tts.finetune.adapter import METHOD
from tts.finetune.train import Progress, Result, adapt, prepare_clips, speech_seconds
from tts.limits import DEFAULT_ADAPT_MINUTES
from tts.voices import VoiceProfile, adapter_file_name, sha256_file
from tts.models import ACOUSTIC_FILE, VOCODER_FILE, load_acoustic, load_vocoder


def adapt_profile(profile: VoiceProfile, wavs: Sequence[np.ndarray], texts: Sequence[str], clip_sha256: Sequence[str],
                  minutes: float = DEFAULT_ADAPT_MINUTES, progress: Progress | None = None,
                  acoustic: Path = ACOUSTIC_FILE, vocoder: Path = VOCODER_FILE) -> tuple[VoiceProfile, Result]:
    """A copy of `profile` made personal on `wavs` (16 kHz clips) saying `texts`, within `minutes` of training
    (the models' files are read from `acoustic` and `vocoder`); the profile passed in is not changed."""
    clips = prepare_clips(wavs, texts)
    result = adapt(load_acoustic(acoustic), load_vocoder(vocoder), profile.vector, clips, minutes * 60, progress)
    data = result.adapter.to_bytes()
    digest = hashlib.sha256(data).hexdigest()
    record = {
        "method": METHOD, "file": adapter_file_name(profile.name, digest), "sha256": digest,
        "models": {"acoustic": sha256_file(Path(acoustic)), "vocoder": sha256_file(Path(vocoder))},
        "clips": list(dict.fromkeys(clip_sha256)), "transcripts": list(texts),
        "speech_seconds": round(speech_seconds(clips), 2), "train_seconds": round(result.seconds, 1),
        "steps": result.steps, "pitch_level": result.pitch_level,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    adapted = dataclasses.replace(profile, personal=record, adapter=result.adapter)
    return adapted.validated(f"the personal voice '{profile.name}'"), result
