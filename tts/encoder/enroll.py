"""Enrollment: reference clips -> one speaker embedding, with per-clip quality checks.

Each clip (at most 60 s: longer recordings are refused, not cut, so that nothing is left out unseen) is loaded
(any common format and rate), measured (speech seconds, noise, clipping), embedded on its own, and compared with
the other clips; the voice is the normalised mean of the usable clips, plus their pitch and spectrum statistics
(tts.adaptation), which bring the synthetic voice closer to them. Speech is sound near voiced (periodic) frames:
noise and silence count for nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from tts.adaptation import reference_stats
from tts.audio import load_audio
from tts.audio.config import HOP_LENGTH, SAMPLE_RATE
from tts.audio.pitch import estimate_pitch
from tts.audio.processing import frame_energy_db
from tts.errors import TTSError
from tts.voices import MAX_CLIPS, VoiceProfile, printable, sha256_file

MIN_SPEECH_SECONDS = 3.0  # voiced audio needed over all clips
SILENT_SPEECH_SECONDS = 0.5  # a clip with less voiced audio than this is left out
SILENT_LEVEL_DB = -50.0  # ... and so is one whose loudest 25 ms frame is below this
CONSISTENCY_WARN = 0.65  # cosine to the other clips' mean below this: probably another speaker
CLIP_LEVEL, CLIP_FRACTION = 0.999, 0.001  # more than 0.1% of samples at full scale: clipped
MIN_SNR_DB = 15.0  # loud (95th percentile) minus quiet (5th percentile) frame level
RECOMMENDED_CLIPS = 3
MAX_CLIP_SECONDS = 60.0  # longer clips are refused (their analysis would cost gigabytes)
VOICED_THRESHOLD = 0.3  # YIN threshold of estimate_pitch for voiced frames (its default 0.2 loses voicing in noise)
SPEECH_REACH = 20  # pitch frames (0.32 s): sound this close to a voiced frame counts as speech (consonants, onsets)
LEVEL_FRAME, LEVEL_HOP = 400, 160  # frame and hop of the level (frame_energy_db): 25 ms, 10 ms


class EnrollmentError(TTSError, ValueError):
    """Reference audio that cannot make a voice (too little speech); the message says what to do."""


@dataclass
class ClipReport:
    path: Path
    sha256: str
    seconds: float
    speech_seconds: float
    snr_db: float
    clipped_fraction: float
    audio_sha256: str = ""  # sha256 of the decoded 16 kHz audio: the same sound in another file format
    envelope: np.ndarray | None = None  # level_envelope(): tells a cut or copy of the clip (tts.consent)
    embedding: np.ndarray | None = None  # None: left out (silent or a duplicate)
    consistency: float | None = None  # cosine to the mean of the other usable clips
    warnings: list[str] = field(default_factory=list)

    @property
    def used(self) -> bool:
        return self.embedding is not None


@dataclass
class Enrollment:
    clips: list[ClipReport]
    embedding: np.ndarray | None  # normalised mean of the usable clips' embeddings
    notes: list[str] = field(default_factory=list)
    adaptation: dict | None = None  # reference statistics of the usable clips (tts.adaptation)

    @property
    def speech_seconds(self) -> float:
        return sum(c.speech_seconds for c in self.clips if c.used)

    @property
    def warnings(self) -> list[str]:
        return [f"{printable(c.path.name)}: {w}" for c in self.clips for w in c.warnings]

    def require_enough_speech(self, minimum: float = MIN_SPEECH_SECONDS) -> None:
        if self.embedding is None or self.speech_seconds < minimum:
            used = sum(c.used for c in self.clips)
            raise EnrollmentError(
                f"only {self.speech_seconds:.1f} s of speech in {used} usable clip(s); at least {minimum:.0f} s "
                "is needed: add more clips or longer ones (about 10-30 s in total works best)")

    def profile(self, name: str, description: str = "", consent: dict | None = None) -> VoiceProfile:
        """A validated voice profile from this enrollment (fingerprints of the clips used, no audio); `consent`: the
        record from `consent_for` or tts.consent.verified_consent for these clips, required: no voice is cloned
        without its speaker's consent."""
        if consent is None:
            raise EnrollmentError("a voice is made only with its speaker's consent: pass a consent record made with "
                                  "tts.encoder.enroll.consent_for(enrollment, statement) or "
                                  "tts.consent.verified_consent")
        self.require_enough_speech()
        if consent.get("clips") != list(dict.fromkeys(c.sha256 for c in self.clips)):
            raise EnrollmentError("the consent record is for other clips than this enrollment's: make it for these")
        return VoiceProfile(
            name=name, description=description, consent=consent,
            embedding=[round(float(x), 6) for x in self.embedding], adaptation=self.adaptation,
            clips=[{"sha256": c.sha256, "seconds": round(c.seconds, 2), "speech_seconds": round(c.speech_seconds, 2)}
                   for c in self.clips if c.used]).validated(f"the voice made from the clips ('{name}')")


def consent_for(enrollment: Enrollment, statement: str) -> dict:
    """The declared consent record for the clips of `enrollment` (all clip files given, used or not);
    tts.consent.verified_consent makes a voice-verified one."""
    from tts.voices import consent_record

    return consent_record(statement, [c.sha256 for c in enrollment.clips])


def within_full_scale(wav: np.ndarray) -> np.ndarray:
    """`wav` scaled down to peak at 1 if louder: float files may go beyond full scale; the analysis may not."""
    return wav / max(1.0, float(np.abs(wav).max()))


def level_envelope(wav: np.ndarray) -> np.ndarray:
    """Level in dB of 25 ms frames every 10 ms: a cut or re-encoding of the same recording keeps its shape."""
    return frame_energy_db(wav, LEVEL_FRAME, LEVEL_HOP).astype(np.float32)


def sha256_audio(wav: np.ndarray) -> str:
    """sha256 of decoded 16 kHz float32 audio."""
    return hashlib.sha256(np.ascontiguousarray(wav, dtype=np.float32).tobytes()).hexdigest()


def speech_seconds(wav: np.ndarray) -> float:
    """Seconds of sound (within 40 dB of the loudest 10 ms frame) near voiced frames (within SPEECH_REACH): speech
    with its consonants counts, while noise and silence, which have no pitch, count for nothing."""
    level = frame_energy_db(wav, LEVEL_FRAME, LEVEL_HOP)
    if level.max() < -60:
        return 0.0
    voiced = estimate_pitch(wav, threshold=VOICED_THRESHOLD) > 0
    near_voice = np.convolve(voiced, np.ones(2 * SPEECH_REACH + 1), "same") > 0
    centres = (np.arange(len(level)) * LEVEL_HOP + LEVEL_FRAME // 2) // HOP_LENGTH  # each level frame's pitch frame
    speech = (level > level.max() - 40) & near_voice[np.minimum(centres, len(near_voice) - 1)]
    return float(np.sum(speech) * LEVEL_HOP / SAMPLE_RATE)


def measure(wav: np.ndarray) -> tuple[float, float, float, float]:
    """(speech seconds, loudest frame dBFS, speech-to-noise estimate dB, fraction of clipped samples)."""
    level = frame_energy_db(wav)
    snr = float(np.percentile(level, 95) - np.percentile(level, 5))
    clipped = float(np.mean(np.abs(wav) >= CLIP_LEVEL))
    return speech_seconds(wav), float(level.max()), snr, clipped


def check_length(path: Path) -> None:
    """EnrollmentError if clip `path` lasts over MAX_CLIP_SECONDS by its header (read before any audio is decoded:
    a long clip, or a header claiming a tiny sample rate, would take gigabytes)."""
    if not path.is_file():
        return  # load_audio says what it is instead
    try:
        info = sf.info(str(path))
    except Exception:  # unreadable: load_audio says why
        return
    if info.duration > MAX_CLIP_SECONDS:
        raise EnrollmentError(f"{printable(str(path))} lasts {info.duration:.0f} s ({info.frames} samples at "
                              f"{info.samplerate} Hz); clips may last at most {MAX_CLIP_SECONDS:.0f} s: cut it into "
                              "shorter clips")




def analyse_clips(paths: list[Path | str], encoder=None) -> Enrollment:
    """Load, check and embed each clip; see `Enrollment.require_enough_speech` for the minimum."""
    if not paths:
        raise EnrollmentError("no clips given: pass one or more recordings of the speaker")
    if len(paths) > MAX_CLIPS:
        raise EnrollmentError(f"{len(paths)} clips given; the limit is {MAX_CLIPS}: pick the clearest (3-10 clips of "
                              "5-30 s work best)")
    if encoder is None:
        from tts.encoder import SpeakerEncoder

        encoder = SpeakerEncoder()
    reports: list[ClipReport] = []
    used_audio: list[np.ndarray] = []
    seen: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        check_length(path)
        wav = load_audio(path)  # AudioError with a clear message for missing or unreadable files
        speech, peak_db, snr, clipped = measure(wav)
        wav = within_full_scale(wav)
        report = ClipReport(path, sha256_file(path), len(wav) / SAMPLE_RATE, speech, snr, clipped,
                            audio_sha256=sha256_audio(wav), envelope=level_envelope(wav))
        reports.append(report)
        if report.sha256 in seen:
            report.warnings.append(f"same audio as {printable(seen[report.sha256].name)}: counted once")
            continue
        seen[report.sha256] = path
        if peak_db < SILENT_LEVEL_DB:
            report.warnings.append(f"nearly silent (peak {peak_db:.0f} dBFS): left out")
            continue
        if speech < SILENT_SPEECH_SECONDS:
            report.warnings.append(f"no speech found ({speech:.1f} s; noise or silence?): left out")
            continue
        try:
            report.embedding = encoder.embed(wav)
        except ValueError:
            report.warnings.append("no speech found: left out")
            continue
        used_audio.append(wav)
        if clipped > CLIP_FRACTION:
            report.warnings.append(f"clipping: {100 * clipped:.1f}% of samples at full scale; "
                                   "record at a lower input level")
        if snr < MIN_SNR_DB:
            report.warnings.append(f"heavy background noise (speech only about {snr:.0f} dB above it); "
                                   "a quieter recording gives a cleaner voice")
    used = [r for r in reports if r.used]
    embedding = None
    if used:
        mean = np.mean([r.embedding for r in used], axis=0)
        embedding = (mean / np.linalg.norm(mean)).astype(np.float32)
    if len(used) >= 2:
        total = np.sum([r.embedding for r in used], axis=0)
        for r in used:
            others = total - r.embedding
            r.consistency = float(r.embedding @ others / (np.linalg.norm(r.embedding) * np.linalg.norm(others)))
        low = [r for r in used if r.consistency < CONSISTENCY_WARN]
        if len(used) == 2 and low:
            low[0].warnings.append(f"sounds unlike the other clip (similarity {low[0].consistency:.2f}): "
                                   "the two may be different speakers")
        else:
            for r in low:
                r.warnings.append(f"may be a different speaker (similarity {r.consistency:.2f} to the other clips)")
    notes = []
    if len(paths) == 1:
        notes.append(f"only one clip given: {RECOMMENDED_CLIPS} or more clips of different sentences "
                     "give a more faithful voice")
    adaptation = reference_stats(used_audio) if used_audio else None
    return Enrollment(reports, embedding, notes, adaptation)
