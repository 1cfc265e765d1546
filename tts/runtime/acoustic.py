"""The acoustic model on ONNX Runtime: phoneme ids + speaker embedding -> log-mel spectrogram and durations."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tts.runtime.model_file import ACOUSTIC_FILE, OnnxModel, check_text


class AcousticRuntime(OnnxModel):
    """The graph of tts.acoustic.AcousticModel.infer (tts.export): one utterance per call."""

    kind = "acoustic"
    default_file = ACOUSTIC_FILE

    def __init__(self, path: Path | None = None, threads: int | None = None,
                 changes: dict[str, np.ndarray] | None = None) -> None:
        super().__init__(path, threads, changes)
        self.language = check_text(self.description, self.path)
        centre = self.description.get("speaker_centre")
        self.speaker_mean = None if centre is None else np.asarray(centre, np.float32)

    def infer(self, ids: list[int], speaker: np.ndarray, speed: float = 1.0, pitch_shift: float = 0.0,
              pitch_level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(log-mel [n_mels, frames], frames of each symbol [len(ids)]); see AcousticModel.infer."""
        mel, durations = self.run({
            "ids": np.asarray(ids, np.int64), "speaker": np.asarray(speaker, np.float32),
            "speed": np.asarray(speed, np.float32), "pitch_shift": np.asarray(pitch_shift, np.float32),
            "pitch_level": np.asarray(np.nan if pitch_level is None else pitch_level, np.float32)})
        return mel, durations
