"""Fine-tune the models on one speaker's clips: the personal voice's weight changes, in minutes on a CPU.

Two phases on the clips (loudness-normalised and trimmed, as the training corpus was):
1. acoustic model: the text encoder, mel decoder and output layer (low-rank updates of rank ACOUSTIC_RANK, norms
   whole)
   learn the clips' log-mels from their phonemes with the durations the model's own aligner finds and the
   clips' pitch (teacher forcing), for the speaker's embedding;
2. vocoder: all layers (low-rank updates of rank VOCODER_RANK) learn to turn the clips' own log-mels into the clips'
   waveforms (copy synthesis: log-mel L1 + multi-resolution STFT loss), which is where most of a voice was lost.
Each phase stops at its number of steps or its share of the time budget. The voice also gets a pitch level: the
clips' mean pitch on the model's scale. Nothing is written here: the caller stores the result atomically.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from tts.acoustic import AcousticModel
from tts.acoustic.alignment import beta_binomial_prior, monotonic_alignment
from tts.acoustic.model import average_by_durations, lengths_to_pad_mask, normalize_pitch
from tts.audio import LogMelSpectrogram, estimate_pitch, normalize_loudness, trim_silence
from tts.audio.config import HOP_LENGTH, LOG_MEL_FLOOR, N_MELS, SAMPLE_RATE
from tts.errors import TTSError
from tts.finetune.adapter import VoiceAdapter
from tts.finetune.lowrank import ADAPTED, Adaptable, to_arrays
from tts.text import TextFrontend
from tts.text.en.symbols import to_ids
from tts.vocoder import Vocoder
from tts.vocoder.losses import MultiResolutionSTFTLoss

(ACOUSTIC_PREFIXES, ACOUSTIC_RANK), (VOCODER_PREFIXES, VOCODER_RANK) = ADAPTED["acoustic"], ADAPTED["vocoder"]
ACOUSTIC_STEPS, VOCODER_STEPS = 150, 200
ACOUSTIC_LR, VOCODER_LR = 1e-3, 3e-4
ACOUSTIC_SHARE = 0.7  # of the time budget, at most
MAX_STEP_FRAMES = 1200  # frames of clips per acoustic step (about 19 s)
SEGMENT_FRAMES, SEGMENTS = 64, 4  # vocoder crops per step: about 1 s each
MIN_CLIP_FRAMES = SEGMENT_FRAMES + 1
# below about this much speech the fine-tuned models over-fit the few sentences: on the dev speakers with 7-28 s
# in their 3 clips the word error rate of the personal voice rose 1.6-6x; with 60-70 s it held
# (tts eval --refs-dir ../shared/eval/dev/refs --adapt)
CLEAR_SPEECH_SECONDS = 60.0

Progress = Callable[[str, int, int], None]  # (phase, steps done, steps planned)


class AdaptationError(TTSError, ValueError):
    """Clips or models that cannot be adapted to (the message says why)."""


@dataclass
class Clip:
    """One clip ready for training: its phoneme ids, log-mel [N_MELS, frames], frame pitch (Hz) and waveform."""

    ids: torch.Tensor
    mel: torch.Tensor
    pitch: torch.Tensor
    wav: torch.Tensor


@dataclass
class Result:
    """What adaptation made and how it went."""

    adapter: VoiceAdapter
    pitch_level: float
    steps: dict[str, int]
    seconds: float
    loss_before: float  # acoustic log-mel L1 on the clips, with the embedding alone
    loss_after: float


def prepare_clips(wavs: Sequence[np.ndarray], texts: Sequence[str], frontend: TextFrontend | None = None) -> list[Clip]:
    """Trimmed, loudness-normalised clips with their features; AdaptationError for text without words."""
    frontend = frontend or TextFrontend()
    mel_fn = LogMelSpectrogram()
    clips = []
    for wav, text in zip(wavs, texts):
        ids = to_ids(frontend.phonemize(text))
        if len(ids) <= 2:
            raise AdaptationError(f"the transcript '{text[:60]}' has no pronounceable words")
        wav = normalize_loudness(trim_silence(np.asarray(wav, np.float32)))
        with torch.no_grad():
            mel = mel_fn(torch.from_numpy(wav)[None])[0]
        if mel.shape[1] < MIN_CLIP_FRAMES:
            continue  # too short to teach anything (under about a second of speech)
        clips.append(Clip(torch.tensor(ids), mel, torch.from_numpy(estimate_pitch(wav).astype(np.float32)),
                          torch.from_numpy(wav)))
    if not clips:
        raise AdaptationError("no clip has a second or more of speech: adaptation needs longer clips")
    return clips


def _batch(clips: Sequence[Clip]) -> dict[str, torch.Tensor]:
    text_lens = torch.tensor([len(c.ids) for c in clips])
    mel_lens = torch.tensor([c.mel.shape[1] for c in clips])
    ids = torch.zeros(len(clips), int(text_lens.max()), dtype=torch.long)
    mel = torch.full((len(clips), N_MELS, int(mel_lens.max())), math.log(LOG_MEL_FLOOR))
    pitch = torch.zeros(len(clips), int(mel_lens.max()))
    for b, c in enumerate(clips):
        ids[b, : len(c.ids)] = c.ids
        mel[b, :, : c.mel.shape[1]] = c.mel
        pitch[b, : len(c.pitch)] = c.pitch
    return {"ids": ids, "text_lens": text_lens, "mel": mel, "mel_lens": mel_lens, "pitch": pitch}


class _AcousticTarget:
    """The clips' teacher-forced targets for the acoustic model: durations from its aligner, pitch per phoneme."""

    def __init__(self, model: AcousticModel, clips: Sequence[Clip], speaker: torch.Tensor) -> None:
        if not getattr(model, "has_aligner", True):
            raise AdaptationError("the acoustic model file has no aligner weights: voices cannot be adapted with it")
        self.batch = _batch(clips)
        b = self.batch
        self.speaker = speaker[None].expand(len(clips), -1)
        with torch.no_grad():
            emb, _, self.pad = model.encode(b["ids"], b["text_lens"], self.speaker)
            log_probs = model.aligner(emb, b["mel"], self.pad, beta_binomial_prior(b["text_lens"], b["mel_lens"]))
            self.durations = monotonic_alignment(log_probs, b["text_lens"], b["mel_lens"]).sum(1)
            self.pitch = normalize_pitch(average_by_durations(b["pitch"], self.durations))
        self.keep = (~lengths_to_pad_mask(b["mel_lens"], b["mel"].shape[2])).float().unsqueeze(1)

    def loss(self, model: AcousticModel, rows: torch.Tensor) -> torch.Tensor:
        """Log-mel L1 of `model` on the clips at `rows`."""
        b = self.batch
        _, hidden, _ = model.encode(b["ids"][rows], b["text_lens"][rows], self.speaker[rows])
        mel, _ = model.decode(hidden, self.pitch[rows], self.durations[rows], self.speaker[rows])
        frames = int(b["mel_lens"][rows].max())  # = the longest of these clips' durations (the alignment covers all)
        target, keep = b["mel"][rows, :, :frames], self.keep[rows, :, :frames]
        return ((mel[:, :, :frames] - target).abs() * keep).sum() / (keep.sum() * N_MELS)

    def pitch_level(self) -> float:
        voiced = self.pitch[self.pitch != 0]
        return float(voiced.mean()) if voiced.numel() else 0.0


def _step_rows(clips: Sequence[Clip], rng: np.random.Generator) -> list[list[int]]:
    """Clips grouped for one pass: shuffled, at most MAX_STEP_FRAMES frames per group (a longer clip alone)."""
    groups, current, frames = [], [], 0
    for k in rng.permutation(len(clips)).tolist():
        n = clips[k].mel.shape[1]
        if current and frames + n > MAX_STEP_FRAMES:
            groups.append(current)
            current, frames = [], 0
        current.append(k)
        frames += n
    return groups + [current]


def adapt(acoustic: AcousticModel, vocoder: Vocoder, embedding: np.ndarray, clips: Sequence[Clip],
          budget_seconds: float = 300.0, progress: Progress | None = None, seed: int = 0,
          steps: tuple[int, int] | None = None) -> Result:
    """Fine-tune copies of the models to the speaker of `clips` (the models themselves are not changed);
    `steps`: (acoustic, vocoder) steps at most, by default (ACOUSTIC_STEPS, VOCODER_STEPS)."""
    steps = steps or (ACOUSTIC_STEPS, VOCODER_STEPS)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    start = time.monotonic()
    report = progress or (lambda phase, done, total: None)
    speaker = torch.as_tensor(np.asarray(embedding, np.float32))

    target = _AcousticTarget(acoustic, clips, speaker)
    trainable = Adaptable(acoustic, ACOUSTIC_PREFIXES, ACOUSTIC_RANK)
    optimizer = torch.optim.Adam(trainable.parameters(), lr=ACOUSTIC_LR)
    all_rows = torch.arange(len(clips))
    with torch.no_grad():
        loss_before = float(target.loss(trainable.model, all_rows))
    done = 0
    groups: list[list[int]] = []
    while done < steps[0] and time.monotonic() - start < ACOUSTIC_SHARE * budget_seconds:
        groups = groups or _step_rows(clips, rng)
        loss = target.loss(trainable.model, torch.tensor(groups.pop()))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        done += 1
        report("acoustic", done, steps[0])
    acoustic_steps = done
    with torch.no_grad():
        loss_after = float(target.loss(trainable.model, all_rows))
    arrays = to_arrays("acoustic", trainable.deltas())

    vocoder_steps = _adapt_vocoder(vocoder, clips, steps[1], start + budget_seconds, rng, report, arrays)
    return Result(VoiceAdapter(arrays), round(target.pitch_level(), 4),
                  {"acoustic": acoustic_steps, "vocoder": vocoder_steps}, time.monotonic() - start,
                  loss_before, loss_after)


def _adapt_vocoder(vocoder: Vocoder, clips: Sequence[Clip], steps: int, deadline: float, rng: np.random.Generator,
                   report: Progress, arrays: dict[str, np.ndarray]) -> int:
    """Copy-synthesis fine-tuning of the vocoder on crops of the clips; adds its changes to `arrays`."""
    trainable = Adaptable(vocoder, VOCODER_PREFIXES, VOCODER_RANK)
    optimizer = torch.optim.Adam(trainable.parameters(), lr=VOCODER_LR, betas=(0.8, 0.99))
    stft_loss = MultiResolutionSTFTLoss()
    mel_fn = LogMelSpectrogram()
    weights = np.array([c.mel.shape[1] for c in clips], np.float64)
    done = 0
    while done < steps and time.monotonic() < deadline:
        mels, wavs = [], []
        for k in rng.choice(len(clips), SEGMENTS, p=weights / weights.sum()).tolist():
            clip = clips[k]
            first = int(rng.integers(0, clip.mel.shape[1] - SEGMENT_FRAMES))
            mels.append(clip.mel[:, first : first + SEGMENT_FRAMES])
            wavs.append(clip.wav[first * HOP_LENGTH : (first + SEGMENT_FRAMES - 1) * HOP_LENGTH])
        real = torch.stack(wavs)
        fake = trainable.model(torch.stack(mels))[:, : real.shape[1]]
        loss = stft_loss(fake, real) + F.l1_loss(mel_fn(fake), mel_fn(real))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        done += 1
        report("vocoder", done, steps)
    arrays.update(to_arrays("vocoder", trainable.deltas()))
    return done


def speech_seconds(clips: Sequence[Clip]) -> float:
    return sum(len(c.wav) for c in clips) / SAMPLE_RATE
