"""Text -> waveform: the frontend, acoustic model and vocoder loaded once, used for many requests.

Every waveform made here carries the tool's watermark (tts.watermark, built-in key): `stream` embeds it in each
chunk (with its pause) at the chunk's position in the whole output, so that a text carries one continuous
pattern, and `synthesize_ids` embeds it too. There is deliberately no switch to leave it out."""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from tts.adaptation import Calibration, calibrate, distinctive
from tts.audio.config import HOP_LENGTH, SAMPLE_RATE
from tts.audio.loudness import gain_to_target, limit_peaks, loudness
from tts.errors import InvalidInput, TTSError
from tts import voice_cache
from tts.limits import (MAX_PITCH_SHIFT, MAX_SPEED, MAX_VOLUME_DB, MIN_SPEED, MIN_VOLUME_DB, PARAGRAPH_PAUSE,
                        SENTENCE_PAUSE)
from tts.text import FRONTENDS, Chunk
from tts.voices import VoiceError, VoiceProfile, load_voice, sha256_file
from tts.watermark import embed
from tts.runtime.acoustic import AcousticRuntime
from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE
from tts.runtime.vocoder import VocoderRuntime

FADE = 80  # samples of fade-in/out at chunk edges, to avoid clicks
CHUNK_LEVELLING = (0.5, 2.0)  # each chunk's own correction before halving: at most -6 to +6 dB
# rendered once per voice and model files to measure the voice's loudness (about 6 s of speech, ~0.05 s of work)
LOUDNESS_TEXT = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."
MAX_PEAK = 4.0  # the vocoder's speech peaks near 1 (3.7 for the most extreme valid voice); beyond this it is broken


class TextError(TTSError, ValueError):
    """Text that cannot be spoken."""


class PersonalVoiceWarning(UserWarning):
    """A personal voice made for other model files: it speaks with its embedding alone."""


@dataclass
class PreparedVoice:
    """A voice ready for the loaded models: its speaker embedding, its calibration (tts.adaptation) and the gain
    that brings its speech to the target loudness (tts.audio.loudness), so that every voice speaks at one level."""

    embedding: np.ndarray
    calibration: Calibration
    gain: float = 1.0
    acoustic: AcousticRuntime | None = None  # a personal voice's own models (tts.finetune); None: the shared ones
    vocoder: VocoderRuntime | None = None


@dataclass
class SpeechChunk:
    """One chunk of speech as `Synthesizer.chunks` yields it."""

    text: str  # the normalised text it says
    phonemes: list[str]  # its symbols, BOS ... EOS
    frames: list[int]  # mel frames of each symbol (HOP_LENGTH samples each): where each phoneme starts and ends
    audio: np.ndarray  # float32 at SAMPLE_RATE: the speech, then its pause (levelled, watermarked)
    start: int  # where `audio` starts in the whole output, in samples
    speech_samples: int  # samples of speech at the start of `audio`; the pause follows
    # (word, first symbol, index after its last symbol) of each spoken word, as the frontend's Chunk.words
    word_spans: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def phoneme_times(self) -> list[tuple[str, float, float]]:
        """(symbol, start s, end s) of each symbol in the whole output (0-length ones included)."""
        edges = self._edges()
        return [(symbol, edges[i], edges[i + 1]) for i, symbol in enumerate(self.phonemes)]

    @property
    def words(self) -> list[tuple[str, float, float]]:
        """(word, start s, end s) of each spoken word in the whole output: from its first phone's start to its
        last phone's end."""
        edges = self._edges()
        return [(word, edges[first], edges[end]) for word, first, end in self.word_spans]

    def _edges(self) -> list[float]:
        """Seconds in the whole output where each symbol starts, and where the last one ends; none past the end of
        the speech (the vocoder may give a little less than HOP_LENGTH samples a frame)."""
        at = self.start + np.concatenate([[0], np.cumsum(self.frames)]) * HOP_LENGTH
        return (np.minimum(at, self.start + self.speech_samples) / SAMPLE_RATE).tolist()


class Synthesizer:
    """Load once, synthesise many: `synthesize(text)` returns float32 audio at 16 kHz.

    The models run on ONNX Runtime on `threads` cores (None: all). With two or more, the acoustic model works on
    the next chunk while the vocoder renders this one, each on half the cores: a model this size gains little
    from a second thread inside each operation (bench/RESULTS.md) and much from the two running side by side."""

    sample_rate = SAMPLE_RATE

    def __init__(self, acoustic: Path = ACOUSTIC_FILE, vocoder: Path = VOCODER_FILE,
                 lexicon: Path | None = None, threads: int | None = None, sentence_pause: float = SENTENCE_PAUSE,
                 paragraph_pause: float = PARAGRAPH_PAUSE) -> None:
        cores = threads or os.cpu_count() or 1
        self.pipelined = cores >= 2
        self.acoustic = AcousticRuntime(acoustic, max(1, cores // 2))
        self.vocoder = VocoderRuntime(vocoder, max(1, cores // 2))
        # the frontend of the language the acoustic model's weights declare
        self.frontend = FRONTENDS[self.acoustic.language](lexicon, sentence_pause=sentence_pause,
                                                          paragraph_pause=paragraph_pause)
        self.acoustic_file, self.vocoder_file = Path(acoustic), Path(vocoder)
        self._models = f"{voice_cache.file_identity(Path(acoustic))}|{voice_cache.file_identity(Path(vocoder))}"
        self._prepared: dict[tuple, PreparedVoice] = {}

    def prepare(self, voice: str | VoiceProfile | np.ndarray | PreparedVoice | None) -> PreparedVoice:
        """A voice name, a profile or a bare embedding -> the voice the models take.

        Done once per voice and model files (then read from tts.voice_cache): a personal voice gets its own copy of
        the models with its weight changes (tts.finetune), a profile with reference statistics is adapted
        (tts.adaptation, about half a second), and every voice's loudness is measured on a short text."""
        if isinstance(voice, PreparedVoice):
            return voice
        personal = None
        if isinstance(voice, np.ndarray):
            vector, adaptation = voice.astype(np.float32), None
        else:
            profile = voice if isinstance(voice, VoiceProfile) else load_voice(voice)
            vector, adaptation = profile.vector, profile.adaptation
            personal = self._personal(profile)
        key = (vector.tobytes(), repr(adaptation), personal and personal[0]["sha256"])
        if key not in self._prepared:
            prepared = PreparedVoice(vector, Calibration.identity())
            if personal is not None:
                record, adapter = personal
                prepared = self._personal_voice(prepared, record, adapter)
            elif adaptation is not None and self.acoustic.speaker_mean is not None:
                prepared.embedding = distinctive(prepared.embedding, self.acoustic.speaker_mean)
            disk_key = voice_cache.entry_key(key[0], key[1] + str(key[2]), self._models)
            cached = voice_cache.load(disk_key)
            if cached is not None:
                prepared.calibration, lufs = cached
            else:
                if adaptation is not None and personal is None:
                    prepared.calibration = calibrate(lambda text, calibration: self._render_text(
                        text, PreparedVoice(prepared.embedding, calibration)), adaptation)
                lufs = loudness(self._render_text(LOUDNESS_TEXT, prepared))
                voice_cache.store(disk_key, prepared.calibration, lufs)
            prepared.gain = gain_to_target(lufs)
            self._prepared[key] = prepared
        return self._prepared[key]

    @functools.cached_property
    def model_sha256(self) -> dict[str, str]:
        """sha256 of the loaded model files, which a personal voice must have been made for (hashed on first
        need, not at start-up)."""
        return {"acoustic": sha256_file(self.acoustic_file), "vocoder": sha256_file(self.vocoder_file)}

    def _personal(self, profile: VoiceProfile) -> tuple[dict, object] | None:
        """(record, weight changes) of a personal voice made for the loaded model files; None for other voices,
        and with a PersonalVoiceWarning for one made for other model files (it speaks with its embedding)."""
        if profile.personal is None or profile.adapter is None:
            return None
        if profile.personal["models"] != self.model_sha256:
            warnings.warn(f"voice '{profile.name}' was adapted for other model files: it speaks with its embedding "
                          f"alone; adapt it again for these (tts voices adapt {profile.name} CLIP...)",
                          PersonalVoiceWarning, stacklevel=3)
            return None
        return profile.personal, profile.adapter

    def _personal_voice(self, prepared: PreparedVoice, record: dict, adapter) -> PreparedVoice:
        """`prepared` with the personal voice's own models (its changes in the model files' slots) and pitch
        level."""
        source = f"the personal voice file {record['file']}"
        return replace(prepared, calibration=replace(prepared.calibration, pitch_level=record["pitch_level"]),
                       acoustic=self.acoustic.with_changes(adapter.parameters("acoustic"), source),
                       vocoder=self.vocoder.with_changes(adapter.parameters("vocoder"), source))

    def chunks(self, text: str, voice: str | VoiceProfile | np.ndarray | PreparedVoice | None = None,
               speed: float = 1.0, pitch: float = 0.0, volume: float = 0.0) -> Iterator[SpeechChunk]:
        """The speech of `text` chunk by chunk (each sentence or clause followed by its pause), with what each
        chunk says and when: for long text, subtitles, markup and servers.

        Every voice speaks at the target loudness (-23 LUFS) plus `volume` dB, and no sample reaches full scale."""
        check_controls(speed, pitch, volume)
        speaker = self.prepare(voice)
        spoken = False
        position = 0  # samples already yielded: keeps the watermark pattern continuous across chunks
        for chunk, mel, frames in self._mels(self.frontend.iter_chunks(text), speaker, speed, pitch):
            spoken = True
            wav = self._wave(mel, speaker)
            pause = np.zeros(int(chunk.pause_after * SAMPLE_RATE / speed), np.float32)
            audio = self._finish(np.concatenate([wav, pause]), speaker, volume, position)  # the pause: room for edges
            yield SpeechChunk(chunk.text, chunk.phonemes, frames.tolist(), audio, position, len(wav), chunk.words)
            position += len(audio)
        if not spoken:
            raise TextError("nothing to say: the text has no pronounceable words")

    def stream(self, text: str, voice: str | VoiceProfile | np.ndarray | PreparedVoice | None = None, speed: float = 1.0,
               pitch: float = 0.0, volume: float = 0.0) -> Iterator[np.ndarray]:
        """The audio of `chunks`, chunk by chunk."""
        return (chunk.audio for chunk in self.chunks(text, voice, speed, pitch, volume))

    def synthesize_ids(self, ids: list[int], speaker: PreparedVoice, speed: float = 1.0,
                       pitch: float = 0.0, offset: int = 0, volume: float = 0.0) -> np.ndarray:
        """Phoneme ids of one chunk -> waveform at its level, watermarked; `offset`: where the chunk starts in the
        whole output."""
        check_controls(speed, pitch, volume)
        return self._finish(self._render(ids, speaker, speed, pitch), speaker, volume, offset)

    @staticmethod
    def _level(wav: np.ndarray, speaker: PreparedVoice, volume: float) -> np.ndarray:
        """`wav` at its level: the voice's gain, half of this chunk's own distance to the target, and `volume`.
        Levelling only half of each chunk's distance keeps some of the natural rise and fall between sentences
        while holding every text near the target."""
        gain = speaker.gain
        chunk_lufs = loudness(wav * gain)
        if np.isfinite(chunk_lufs):
            gain *= float(np.clip(gain_to_target(chunk_lufs), *CHUNK_LEVELLING)) ** 0.5
        return wav * np.float32(gain * 10 ** (volume / 20))

    def _finish(self, wav: np.ndarray, speaker: PreparedVoice, volume: float, offset: int) -> np.ndarray:
        """The chunk's level, the watermark at `offset` (its place in the whole output), then the peak limiter."""
        return limit_peaks(embed(self._level(wav, speaker, volume), offset))

    def _render(self, ids: list[int], speaker: PreparedVoice, speed: float, pitch: float) -> np.ndarray:
        """The models' waveform before the watermark (used by bench/watermark.py to measure its cost)."""
        return self._render_timed(ids, speaker, speed, pitch)[0]

    def _render_timed(self, ids: list[int], speaker: PreparedVoice, speed: float,
                      pitch: float) -> tuple[np.ndarray, list[int]]:
        """(`_render`'s waveform, the mel frames of each symbol)."""
        mel, frames = self._mel(ids, speaker, speed, pitch)
        return self._wave(mel, speaker), frames.tolist()

    def _mel(self, ids: list[int], speaker: PreparedVoice, speed: float,
             pitch: float) -> tuple[np.ndarray, np.ndarray]:
        """(log-mel of one chunk, the frames of each symbol)."""
        acoustic = self.acoustic if speaker.acoustic is None else speaker.acoustic
        return acoustic.infer(ids, speaker.embedding, speed, pitch, speaker.calibration.pitch_level)

    def _mels(self, chunks: Iterable[Chunk], speaker: PreparedVoice, speed: float,
              pitch: float) -> Iterator[tuple[Chunk, np.ndarray, np.ndarray]]:
        """(chunk, log-mel, frames of each symbol) of each chunk; when pipelined, the next chunk's log-mel is made
        in a second thread while the caller turns this one into sound."""
        if not self.pipelined:
            for chunk in chunks:
                yield chunk, *self._mel(chunk.ids, speaker, speed, pitch)
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead = None
            for chunk in chunks:
                future = pool.submit(self._mel, chunk.ids, speaker, speed, pitch)
                if ahead is not None:
                    yield ahead[0], *ahead[1].result()
                ahead = (chunk, future)
            if ahead is not None:
                yield ahead[0], *ahead[1].result()

    def _wave(self, mel: np.ndarray, speaker: PreparedVoice) -> np.ndarray:
        """The waveform of one chunk's log-mel (the voice's calibration applied), faded in and out at its edges."""
        vocoder = self.vocoder if speaker.vocoder is None else speaker.vocoder
        wav = check_audio(vocoder(speaker.calibration.apply(mel)))
        if len(wav) > 2 * FADE:
            ramp = np.linspace(0.0, 1.0, FADE, dtype=np.float32)
            wav[:FADE] *= ramp
            wav[-FADE:] *= ramp[::-1]
        return wav

    def _render_text(self, text: str, speaker: PreparedVoice) -> np.ndarray:
        """`text` at normal speed without pauses or watermark (for calibration)."""
        return np.concatenate([self._render(chunk.ids, speaker, 1.0, 0.0) for chunk in self.frontend.iter_chunks(text)])

    def synthesize(self, text: str, voice: str | VoiceProfile | np.ndarray | PreparedVoice | None = None, speed: float = 1.0,
                   pitch: float = 0.0, volume: float = 0.0) -> np.ndarray:
        """The whole text as one float32 waveform."""
        return np.concatenate(list(self.stream(text, voice, speed, pitch, volume)))


def check_controls(speed: float, pitch: float, volume: float) -> None:
    """ValueError unless speed, pitch shift (semitones) and volume (dB) are within their ranges."""
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidInput(f"speed {speed} is out of range: use {MIN_SPEED} to {MAX_SPEED}")
    if not -MAX_PITCH_SHIFT <= pitch <= MAX_PITCH_SHIFT:
        raise InvalidInput(f"pitch shift {pitch} is out of range: use -{MAX_PITCH_SHIFT:g} to {MAX_PITCH_SHIFT:g} "
                           "semitones")
    if not MIN_VOLUME_DB <= volume <= MAX_VOLUME_DB:
        raise InvalidInput(f"volume {volume} dB is out of range: use {MIN_VOLUME_DB:g} to {MAX_VOLUME_DB:g}")


def check_audio(wav: np.ndarray) -> np.ndarray:
    """`wav` if it is finite and within MAX_PEAK; VoiceError otherwise, before any of it can be written."""
    if not np.all(np.isfinite(wav)):
        problem = "NaN or infinite samples"
    elif wav.size and np.abs(wav).max() > MAX_PEAK:
        problem = f"a peak of {np.abs(wav).max():.3g}, far beyond full scale"
    else:
        return wav
    raise VoiceError(f"synthesis gave invalid audio ({problem}): the voice or the model files are damaged; "
                     "enroll or import the voice again, or reinstall tts")
