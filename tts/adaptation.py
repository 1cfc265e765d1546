"""Per-voice adaptation: bring a cloned voice's pitch and spectrum closer to its reference clips.

The speaker embedding alone gets the models only part of the way to an unseen voice. Enrollment therefore
also keeps a few statistics of the reference clips (`reference_stats`, stored in the profile's `adaptation`
field): their median F0 and the mean and spread of each mel band over the speech frames. Before a voice is first
used, `calibrate` renders a few fixed sentences in it, measures the same statistics on the result with the same
analysis, and derives a `Calibration`: a pitch level (each utterance's mean pitch is moved there, which also keeps
a voice from changing register between sentences) and a per-band affine map of the log-mel spectrogram, applied
between the acoustic model and the vocoder. A second round corrects what the first left.
The overall level is left alone (the offset has zero mean over the bands), so loudness does not follow the
recording level of the clips.

The speaker embedding of an adapted voice is also moved away from the centre of the training voices
(`distinctive`, when the acoustic model's file records that centre): the models pull unseen voices towards
the voices they know, and the push keeps more of what sets the voice apart.

The statistics describe the audio only, not the models, so a profile stays valid when the models change;
the calibration is redone for whichever models are loaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from tts.audio.config import LOG_MEL_FLOOR, N_MELS
from tts.audio.pitch import LOG_F0_MEAN, LOG_F0_SCALE, estimate_pitch
from tts.audio.spectrum import log_mel
from tts.voices import ADAPTATION_METHOD

SPEECH_RANGE = 4.0  # a frame counts as speech if its loudest band is within this (natural log) of the clip's peak
SILENCE_MARGIN = 3.0  # ... and this far above the log-mel floor
MIN_VOICED_FRAMES = 60  # ~1 s of voiced frames needed for the statistics
MIN_STD = 1e-3
F0_RANGE = (60.0, 400.0)  # Hz: limits of the calibrated pitch level
SCALE_RANGE = (0.7, 1.4)  # limits of the per-band spread ratio
ROUNDS = 2
DISTINCTIVENESS = 0.5  # how far an embedding is pushed away from the centre of the training voices
PROBE_SENTENCES = (  # rendered to measure the synthetic voice; Harvard sentences (public domain)
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
)


def _speech_frames(wav: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log-mel frames [N_MELS, n] whose loudest band is near the clip's loudest and clearly above silence,
    their F0 in Hz with 0 where unvoiced)."""
    mel = log_mel(wav)
    peak = mel.max(0)
    keep = (peak > peak.max() - SPEECH_RANGE) & (peak > math.log(LOG_MEL_FLOOR) + SILENCE_MARGIN)
    f0 = estimate_pitch(np.asarray(wav, np.float32))[: mel.shape[1]]
    return mel[:, keep], f0[keep[: len(f0)]]


def measure(wavs: Sequence[np.ndarray]) -> tuple[float, np.ndarray, np.ndarray] | None:
    """(median F0 in Hz, per-band mean, per-band std) over the speech frames of `wavs`; None if too little voice."""
    frames, f0 = zip(*map(_speech_frames, wavs))
    mel, f0 = np.concatenate(frames, 1), np.concatenate(f0)
    f0 = f0[f0 > 0]
    if len(f0) < MIN_VOICED_FRAMES:
        return None
    return float(np.median(f0)), mel.mean(1), np.maximum(mel.std(1, ddof=1), MIN_STD)


def reference_stats(wavs: Sequence[np.ndarray]) -> dict | None:
    """The `adaptation` record of a profile made from clips `wavs` (16 kHz), or None if they hold too little voice."""
    measured = measure(wavs)
    if measured is None:
        return None
    f0, mean, std = measured
    return {"method": ADAPTATION_METHOD, "f0_hz": round(f0, 2), "mel_mean": [round(float(x), 4) for x in mean],
            "mel_std": [round(float(x), 4) for x in std]}


def _pitch_scale(f0: float) -> float:
    """Hz -> the acoustic model's pitch scale."""
    return (math.log(f0) - LOG_F0_MEAN) / LOG_F0_SCALE


def distinctive(embedding: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The unit-length `embedding` moved DISTINCTIVENESS times its offset further away from `centre`."""
    moved = embedding + DISTINCTIVENESS * (embedding - centre)
    return (moved / np.linalg.norm(moved)).astype(np.float32)


@dataclass
class Calibration:
    """What `calibrate` found for one voice and the loaded models."""

    pitch_level: float | None  # mean pitch of each utterance on the model's pitch scale; None: the model's own
    centre: np.ndarray  # [N_MELS] band means of the uncorrected synthetic voice
    scale: np.ndarray  # [N_MELS] spread ratio reference / synthetic
    offset: np.ndarray  # [N_MELS] shift of the band means (zero mean over bands)

    @classmethod
    def identity(cls) -> "Calibration":
        return cls(None, np.zeros(N_MELS, np.float32), np.ones(N_MELS, np.float32), np.zeros(N_MELS, np.float32))

    def apply(self, mel: np.ndarray) -> np.ndarray:
        """Log-mel [N_MELS, frames] of the acoustic model -> the adapted log-mel."""
        centre = self.centre[:, None]
        return ((mel - centre) * self.scale[:, None] + centre + self.offset[:, None]).astype(np.float32)


Render = Callable[[str, Calibration], np.ndarray]


def calibrate(render: Render, record: dict) -> Calibration:
    """The calibration that makes `render` (text, calibration -> 16 kHz audio) match `record`'s statistics.

    The pitch level starts at the reference's F0, and each round moves it by the error measured on the output;
    the band means are corrected the same way."""
    target_f0 = record["f0_hz"]
    target_mean = np.asarray(record["mel_mean"], np.float32)
    target_std = np.asarray(record["mel_std"], np.float32)
    calibration = Calibration.identity()
    level = _pitch_scale(target_f0)
    for round_ in range(ROUNDS):
        trial = replace(calibration, pitch_level=level)
        measured = measure([render(text, trial) for text in PROBE_SENTENCES])
        if measured is None:  # too little voiced audio to measure (e.g. a pitch the models cannot reach)
            return calibration
        f0, mean, std = measured
        calibration = trial
        level = float(np.clip(level + math.log(target_f0 / f0) / LOG_F0_SCALE, *map(_pitch_scale, F0_RANGE)))
        if round_ == 0:
            calibration.centre = mean
            calibration.scale = np.clip(target_std / std, *SCALE_RANGE).astype(np.float32)
        offset = calibration.offset + (target_mean - mean)
        calibration.offset = offset - offset.mean()
    calibration.pitch_level = level
    return calibration
