"""Text -> waveform: the frontend, acoustic model and vocoder loaded once, used for many requests.

Every waveform made here carries the tool's watermark (tts.watermark, built-in key): `stream` embeds it in each
chunk (with its pause) at the chunk's position in the whole output, so that a text carries one continuous
pattern, and `synthesize_ids` embeds it too. There is deliberately no switch to leave it out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from tts.adaptation import Calibration, calibrate, distinctive
from tts.audio.config import SAMPLE_RATE
from tts.text import TextFrontend
from tts.voices import VoiceProfile, load_voice
from tts.watermark import embed
from tts.weights import ACOUSTIC_FILE, VOCODER_FILE, load_acoustic, load_vocoder

MIN_SPEED, MAX_SPEED = 0.25, 4.0
MAX_PITCH_SHIFT = 12.0
FADE = 80  # samples of fade-in/out at chunk edges, to avoid clicks


class TextError(ValueError):
    """Text that cannot be spoken."""


@dataclass
class PreparedVoice:
    """A voice ready for the loaded models: its speaker embedding and its calibration (tts.adaptation)."""

    embedding: torch.Tensor
    calibration: Calibration


class Synthesizer:
    """Load once, synthesise many: `synthesize(text)` returns float32 audio at 16 kHz."""

    sample_rate = SAMPLE_RATE

    def __init__(self, acoustic: Path = ACOUSTIC_FILE, vocoder: Path = VOCODER_FILE,
                 lexicon: Path | None = None, threads: int | None = None) -> None:
        if threads:
            torch.set_num_threads(threads)
        self.frontend = TextFrontend(lexicon)
        self.acoustic = load_acoustic(acoustic)
        self.vocoder = load_vocoder(vocoder)
        self._prepared: dict[tuple, PreparedVoice] = {}

    def prepare(self, voice: str | VoiceProfile | np.ndarray | PreparedVoice | None) -> PreparedVoice:
        """A voice name, a profile or a bare embedding -> the voice the models take.

        A profile with reference statistics is adapted (tts.adaptation) once per process (about half a second)."""
        if isinstance(voice, PreparedVoice):
            return voice
        if isinstance(voice, np.ndarray):
            return PreparedVoice(torch.from_numpy(voice.astype(np.float32)), Calibration.identity())
        profile = voice if isinstance(voice, VoiceProfile) else load_voice(voice)
        key = (profile.vector.tobytes(), repr(profile.adaptation))
        if key not in self._prepared:
            prepared = PreparedVoice(torch.from_numpy(profile.vector), Calibration.identity())
            if profile.adaptation is not None:
                if self.acoustic.speaker_mean is not None:
                    prepared.embedding = distinctive(prepared.embedding, self.acoustic.speaker_mean)
                prepared.calibration = calibrate(lambda text, calibration: self._render_text(
                    text, PreparedVoice(prepared.embedding, calibration)), profile.adaptation)
            self._prepared[key] = prepared
        return self._prepared[key]

    def stream(self, text: str, voice: str | VoiceProfile | np.ndarray | PreparedVoice | None = None, speed: float = 1.0,
               pitch: float = 0.0) -> Iterator[np.ndarray]:
        """Audio chunk by chunk (each sentence or clause followed by its pause), for long text."""
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed {speed} is out of range: use {MIN_SPEED} to {MAX_SPEED}")
        if not -MAX_PITCH_SHIFT <= pitch <= MAX_PITCH_SHIFT:
            raise ValueError(f"pitch shift {pitch} is out of range: use -12 to 12 semitones")
        speaker = self.prepare(voice)
        spoken = False
        position = 0  # samples already yielded: keeps the watermark pattern continuous across chunks
        for chunk in self.frontend.iter_chunks(text):
            spoken = True
            piece = np.concatenate([self._render(chunk.ids, speaker, speed, pitch),
                                    np.zeros(int(chunk.pause_after * SAMPLE_RATE / speed), np.float32)])
            piece = embed(piece, position)  # as synthesize_ids does, with the pause as room for the edges
            position += len(piece)
            yield piece
        if not spoken:
            raise TextError("nothing to say: the text has no pronounceable words")

    def synthesize_ids(self, ids: list[int], speaker: PreparedVoice, speed: float = 1.0,
                       pitch: float = 0.0, offset: int = 0) -> np.ndarray:
        """Phoneme ids of one chunk -> watermarked waveform; `offset`: where the chunk starts in the whole output."""
        return embed(self._render(ids, speaker, speed, pitch), offset)

    @torch.inference_mode()
    def _render(self, ids: list[int], speaker: PreparedVoice, speed: float, pitch: float) -> np.ndarray:
        """The models' waveform before the watermark (used by bench/watermark.py to measure its cost)."""
        calibration = speaker.calibration
        mel = self.acoustic.synthesize(torch.tensor(ids), speaker.embedding, speed, pitch, calibration.pitch_level)
        wav = self.vocoder(calibration.apply(mel)[None])[0].numpy().astype(np.float32)
        if len(wav) > 2 * FADE:
            ramp = np.linspace(0.0, 1.0, FADE, dtype=np.float32)
            wav[:FADE] *= ramp
            wav[-FADE:] *= ramp[::-1]
        return wav

    def _render_text(self, text: str, speaker: PreparedVoice) -> np.ndarray:
        """`text` at normal speed without pauses or watermark (for calibration)."""
        return np.concatenate([self._render(chunk.ids, speaker, 1.0, 0.0) for chunk in self.frontend.iter_chunks(text)])

    def synthesize(self, text: str, voice: str | VoiceProfile | np.ndarray | PreparedVoice | None = None, speed: float = 1.0,
                   pitch: float = 0.0) -> np.ndarray:
        """The whole text as one float32 waveform."""
        return np.concatenate(list(self.stream(text, voice, speed, pitch)))
