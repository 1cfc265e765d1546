"""Voice profiles and the voice library: a named speaker embedding plus where it came from.

Profile format (one JSON file `<name>.json`, UTF-8):
  schema_version  int, currently 1; files with another version are refused, not guessed at
  name            safe name: 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit
  description     free text, at most 2,000 characters
  created_at      ISO 8601 UTC time
  encoder         id of the speaker encoder that made the embedding (currently "ge2e-resemblyzer-v1");
                  an embedding from another encoder is meaningless to the models, so it is refused
  embedding       256 floats, finite, L2-normalised
  clips           [{"sha256": hex digest of the clip file's bytes, "seconds": clip length,
                    "speech_seconds": voiced part}] fingerprints of the reference audio (no audio is kept);
                  at most 100 clips of at most an hour each
  consent         null (voices enrolled before consent was recorded, packaged voices), or the record `tts enroll`
                  makes: {"statement": free text on the speaker's agreement, "confirmed_at": ISO 8601 UTC time,
                  "method": "declared" (--consent, or a yes at the terminal: what the user declared; nothing can
                  check it) or "voice-verified" (the speaker read a prompt aloud: tts.consent checked the recording),
                  "clips": [sha256 of each clip file given], and with "voice-verified" only, "verification":
                  {"prompt": the text read aloud, "challenge": true for a fresh `tts enroll --challenge` prompt,
                  false for --consent-text, "transcript": what speech recognition heard, "asr": the recogniser,
                  "recording_sha256": sha256 of the recording file (a fingerprint, no audio), "wer": word error
                  rate of the transcript against the prompt, "max_wer": the bar it passed, "similarity": cosine of
                  the recording's speaker embedding to the voice's, "min_similarity": its bar, "watermark_z": the
                  recording's score for this tool's watermark (below tts.watermark's threshold)}}. Statement,
                  prompt and transcript have at most 2,000 characters; the scores must pass their bars. Records of
                  older versions with method "flag" or "prompt" are read as "declared".
  adaptation      null (no adaptation: the embedding alone), or statistics of the reference clips that
                  tts.adaptation uses to bring the synthetic voice's pitch and spectrum closer to them:
                  {"method": "reference-statistics-v1", "f0_hz": median F0 of the voiced frames (40-1000 Hz),
                  "mel_mean": 80 floats, "mel_std": 80 floats (per-band natural-log mel mean and standard
                  deviation over the speech frames, 16 kHz, the models' mel settings; means within the range a
                  log-mel of audio in [-1, 1] can take, spreads from 0.001 to 8)}. They describe the audio,
                  not a model, so they stay valid when the models change.
  personal        null, or the record of a personal voice (`tts enroll --adapt`, `tts voices adapt`): the models
                  fine-tuned on the clips, whose weight changes live in a file beside the profile (format in
                  tts.finetune.adapter): {"method": "lowrank-v1", "file": "<name>.<12 hex>.adapter.npz" (in the same
                  folder), "sha256": of that file, "models": {"acoustic": sha256, "vocoder": sha256} of the model
                  files it was trained for (with other model files the voice falls back to its embedding alone,
                  with a warning), "clips": [sha256 of each clip file trained on], "transcripts": [what each clip
                  says, at most 2,000 characters each], "speech_seconds": audio trained on, "train_seconds": time it
                  took, "steps": {"acoustic": int, "vocoder": int}, "pitch_level": the clips' mean pitch on the
                  acoustic model's scale (-10 to 10), "created_at": ISO 8601 UTC time}.

Every profile, whatever its source (packaged, enrolled, imported, made from --ref clips in memory), passes
`VoiceProfile.from_dict`, which checks each field against these ranges. Voice files are read only if they are
regular files of at most 1 MiB with JSON nested at most 8 levels deep.

Where profiles live:
  packaged  the repository's `voices/` folder, shipped with the package, read-only (`joe` is the default)
  user      `--voices-dir` if given, else $TTS_VOICES_DIR, else platformdirs' user data dir + "/tts/voices".
            A user voice may not take a packaged voice's name (compared case-insensitively).

Export format (one shareable JSON file):
  {"format": "tts-voice", "format_version": 1, "sha256": <hex>, "profile": {...profile fields...}}
  where sha256 is the digest of the canonical profile JSON (sorted keys, no spaces, ASCII), consent record
  included. A personal voice is exported as format_version 2 with one more field, "adapter": the base64 of its
  weight-change file, whose sha256 the profile records (so the profile's digest covers it too). It detects files that were edited or damaged after export (e.g. a consent score changed); it is an
  integrity check, not a signature: `tts voices verify NAME REC` re-runs a voice-verified record's checks.
"""

from __future__ import annotations

import base64
import copy
import errno
import hashlib
import json
import math
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tts.errors import TTSError
from tts.limits import EMBEDDING_DIM, MAX_TEXT_CHARS
from tts.packaged_voices import PACKAGED_VOICES_DIR

if TYPE_CHECKING:
    import numpy as np

SCHEMA_VERSION = 1
ENCODER_ID = "ge2e-resemblyzer-v1"
DEFAULT_VOICE = "joe"
MAX_NAME_CHARS = 64
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
ENV_VOICES_DIR = "TTS_VOICES_DIR"
EXPORT_FORMAT = "tts-voice"
EXPORT_VERSION = 1
PERSONAL_EXPORT_VERSION = 2  # with the personal voice's weight changes
ADAPTATION_METHOD = "reference-statistics-v1"
ADAPTATION_BANDS = 80  # the models' mel bands (tts.audio.config.N_MELS; not imported, to keep this module light)
F0_RANGE = (40.0, 1000.0)  # Hz: human voices
# natural-log mel means: from log(1e-5) = -11.51 (the floor, tts.audio.config.LOG_MEL_FLOOR) up to 3.53 (the most a
# band can hold for audio in [-1, 1]), with a margin
MEL_MEAN_RANGE = (-11.6, 4.0)
MEL_STD_RANGE = (1e-3, 8.0)  # tts.adaptation's floor up to more than half the log-mel range
MAX_SHORT_CHARS = 64  # times, encoder id
MAX_CLIPS = 100
MAX_CLIP_SECONDS = 3600.0  # a clip's length as recorded in a profile (tts enroll takes clips of up to 60 s)
MAX_FILE_BYTES = 1 << 20  # a voice file holds a few kB; larger files are refused before they are read
MAX_EXPORT_BYTES = 10 << 20  # an exported personal voice: the profile and its weight changes in base64
PERSONAL_METHOD = "lowrank-v1"  # tts.finetune.adapter.METHOD (not imported, to keep this module light)
PERSONAL_FIELDS = {"method", "file", "sha256", "models", "clips", "transcripts", "speech_seconds", "train_seconds",
                   "steps", "pitch_level", "created_at"}
ADAPTER_FILE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.[0-9a-f]{12}\.adapter\.npz")
MAX_JSON_DEPTH = 8  # nesting of objects and arrays (a voice file needs 4); deeper files are refused unparsed


class VoiceError(TTSError):
    """An unknown, invalid or unreadable voice, or a library operation that is not allowed."""


def printable(text: str) -> str:
    """`text` with control and format characters (ESC, CR, BEL, bidi overrides, ...) escaped: safe for a terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _brief(value: object) -> str:
    """A short, terminal-safe rendering of a value read from a file, for error messages."""
    try:
        text = printable(repr(value))
    except ValueError:  # an int too long to print
        text = "a huge number"
    return text if len(text) <= 40 else text[:37] + "..."


def check_name(name: str) -> str:
    """`name` if it is a safe voice name, else VoiceError saying what is wrong with it."""
    rule = f"use 1-{MAX_NAME_CHARS} letters, digits, '-', '_' or '.', starting with a letter or digit"
    if not isinstance(name, str):
        raise VoiceError(f"invalid voice name {name!r}: the name must be text; {rule}")
    if not name:
        raise VoiceError(f"invalid voice name '': the name is empty; {rule}")
    shown = printable(name if len(name) <= 80 else name[:77] + "...")
    if len(name) > MAX_NAME_CHARS:
        raise VoiceError(f"invalid voice name '{shown}': {len(name)} characters, the limit is {MAX_NAME_CHARS}")
    if "/" in name or "\\" in name or ".." in name:
        raise VoiceError(f"invalid voice name '{shown}': it must not contain '/', '\\' or '..'; {rule}")
    if not NAME_PATTERN.fullmatch(name) or name.endswith("."):
        raise VoiceError(f"invalid voice name '{shown}': {rule}, not ending with '.'")
    if name.split(".")[0].lower() in WINDOWS_RESERVED:
        raise VoiceError(f"invalid voice name '{shown}': '{name.split('.')[0]}' is a reserved device name")
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
    personal: dict | None = None
    schema_version: int = SCHEMA_VERSION
    # the weight changes of a personal voice (tts.finetune.adapter.VoiceAdapter), loaded beside the profile; not
    # part of the profile's JSON
    adapter: object = field(default=None, repr=False, compare=False)

    @property
    def vector(self) -> np.ndarray:
        """The embedding as float32 [256] (numpy is loaded here, not with this module)."""
        import numpy as np

        return np.asarray(self.embedding, dtype=np.float32)

    def to_dict(self) -> dict:
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "adapter"}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    def validated(self, source: str) -> "VoiceProfile":
        """This profile if it passes `from_dict`'s checks (for profiles made in memory); VoiceError otherwise."""
        checked = VoiceProfile.from_dict(self.to_dict(), source)
        checked.adapter = self.adapter
        return checked

    @classmethod
    def from_dict(cls, data: object, source: str) -> "VoiceProfile":
        """A validated profile from parsed JSON; VoiceError naming `source` and the problem otherwise.
        The one validator of every voice source: each field is checked against the ranges in the module docs."""
        if not isinstance(data, dict):
            raise VoiceError(f"{source} is not a voice profile (expected a JSON object)")
        version = data.get("schema_version")
        if type(version) is not int or version != SCHEMA_VERSION:
            raise VoiceError(f"{source} has schema version {_brief(version)}; this version of tts reads "
                             f"{SCHEMA_VERSION}")
        known = {f.name for f in fields(cls)} - {"adapter"}
        missing = {"name", "embedding"} - data.keys()
        unknown = data.keys() - known
        if missing or unknown:
            detail = "; ".join(part for part in (
                f"missing {', '.join(sorted(missing))}" if missing else "",
                f"unknown field(s) {_brief(', '.join(sorted(map(str, unknown))))}" if unknown else "") if part)
            raise VoiceError(f"{source} is not a valid voice profile: {detail}")
        profile = cls(**data)
        try:
            check_name(profile.name)
        except VoiceError as exc:
            raise VoiceError(f"{source}: {exc}") from None
        problem = (_text_problem("description", profile.description, MAX_TEXT_CHARS)
                   or _time_problem("created_at", profile.created_at)
                   or _text_problem("encoder", profile.encoder, MAX_SHORT_CHARS))
        if problem:
            raise VoiceError(f"{source} is not a valid voice profile: {problem}")
        if profile.encoder != ENCODER_ID:
            raise VoiceError(f"{source} was made with speaker encoder {_brief(profile.encoder)}; this version of tts "
                             f"uses '{ENCODER_ID}': enroll the voice again from its clips")
        check_embedding(profile.embedding, source)
        if not isinstance(profile.clips, list) or len(profile.clips) > MAX_CLIPS or not all(
                map(_valid_clip, profile.clips)):
            raise VoiceError(f"{source} is not a valid voice profile: 'clips' must be a list of at most {MAX_CLIPS} "
                             f"{{sha256, seconds, speech_seconds}} records of 0-{MAX_CLIP_SECONDS:.0f} s")
        check_adaptation(profile.adaptation, source)
        problem = _personal_problem(profile.personal)
        if problem:
            raise VoiceError(f"{source} is not a valid voice profile: {problem}")
        problem = _consent_problem(profile.consent)
        if problem:
            raise VoiceError(f"{source} is not a valid voice profile: {problem}")
        return profile

    @classmethod
    def from_file(cls, path: Path) -> "VoiceProfile":
        return cls.from_dict(_read_json(path, "voice profile"), f"voice profile {path}")


def check_embedding(embedding: object, source: str) -> None:
    """VoiceError unless the embedding is 256 finite numbers of unit length."""
    if not isinstance(embedding, list) or not all(map(_is_number, embedding)):
        raise VoiceError(f"{source} holds an invalid embedding: expected a list of {EMBEDDING_DIM} numbers")
    if len(embedding) != EMBEDDING_DIM:
        raise VoiceError(f"{source} holds an invalid embedding: {len(embedding)} values, expected {EMBEDDING_DIM}")
    if not all(_number_in(x, -1.001, 1.001) for x in embedding):  # the components of a unit vector
        raise VoiceError(f"{source} holds an invalid embedding: it contains NaN, infinite or out-of-range values "
                         "(each must lie within [-1, 1])")
    norm = math.hypot(*embedding)
    if abs(norm - 1) > 1e-3:
        raise VoiceError(f"{source} holds an invalid embedding: its length is {norm:.4f}, expected 1 (L2-normalised)")


def check_adaptation(record: object, source: str) -> None:
    """VoiceError unless `record` is null or a well-formed reference-statistics record (see the format above)."""
    if record is None:
        return
    problem = None
    if not isinstance(record, dict) or record.get("method") != ADAPTATION_METHOD:
        problem = f"'adaptation' must be null or a '{ADAPTATION_METHOD}' record"
    elif set(record) != {"method", "f0_hz", "mel_mean", "mel_std"}:
        problem = "'adaptation' must have exactly the fields method, f0_hz, mel_mean, mel_std"
    elif not _number_in(record["f0_hz"], *F0_RANGE):
        problem = f"'adaptation.f0_hz' must be a frequency between {F0_RANGE[0]:.0f} and {F0_RANGE[1]:.0f} Hz"
    else:
        for key, (low, high) in (("mel_mean", MEL_MEAN_RANGE), ("mel_std", MEL_STD_RANGE)):
            values = record[key]
            if not isinstance(values, list) or len(values) != ADAPTATION_BANDS or not all(
                    _number_in(x, low, high) for x in values):
                problem = f"'adaptation.{key}' must be {ADAPTATION_BANDS} numbers from {low:g} to {high:g}"
                break
    if problem:
        raise VoiceError(f"{source} is not a valid voice profile: {problem}")


def _personal_problem(record: object) -> str | None:
    """Why `record` is not null or a valid `personal` record (see the format above), or None."""
    if record is None:
        return None
    if not isinstance(record, dict) or record.get("method") != PERSONAL_METHOD:
        return f"'personal' must be null or a '{PERSONAL_METHOD}' record"
    if set(record) != PERSONAL_FIELDS:
        return f"'personal' must have exactly the fields {', '.join(sorted(PERSONAL_FIELDS))}"
    models, steps, transcripts = record["models"], record["steps"], record["transcripts"]
    checks = [
        (isinstance(record["file"], str) and ADAPTER_FILE_PATTERN.fullmatch(record["file"]) is not None,
         "'personal.file' must be a file name like NAME.0123456789ab.adapter.npz"),
        (_is_sha256(record["sha256"]), "'personal.sha256' must be a sha256 hex digest"),
        (isinstance(models, dict) and set(models) == {"acoustic", "vocoder"} and all(map(_is_sha256, models.values())),
         "'personal.models' must give the sha256 of the acoustic and vocoder files"),
        (isinstance(record["clips"], list) and 0 < len(record["clips"]) <= MAX_CLIPS
         and all(map(_is_sha256, record["clips"])), f"'personal.clips' must list 1-{MAX_CLIPS} clip sha256 digests"),
        (isinstance(transcripts, list) and len(transcripts) <= MAX_CLIPS
         and all(isinstance(t, str) and len(t) <= MAX_TEXT_CHARS for t in transcripts),
         f"'personal.transcripts' must be at most {MAX_CLIPS} texts of at most {MAX_TEXT_CHARS} characters"),
        (_number_in(record["speech_seconds"], 0, MAX_CLIPS * MAX_CLIP_SECONDS),
         "'personal.speech_seconds' must be a number of seconds"),
        (_number_in(record["train_seconds"], 0, 86400.0), "'personal.train_seconds' must be 0-86400 seconds"),
        (isinstance(steps, dict) and set(steps) == {"acoustic", "vocoder"}
         and all(type(v) is int and 0 <= v <= 100_000 for v in steps.values()),
         "'personal.steps' must give the acoustic and vocoder step counts"),
        (_number_in(record["pitch_level"], -10.0, 10.0), "'personal.pitch_level' must be a number from -10 to 10"),
    ]
    for ok, problem in checks:
        if not ok:
            return problem
    return _time_problem("personal.created_at", record["created_at"])


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _number_in(x: object, low: float, high: float) -> bool:
    """True for an int or float within [low, high] (never for NaN, infinity or a huge int: no overflow)."""
    return _is_number(x) and low <= x <= high


def _is_sha256(x: object) -> bool:
    return isinstance(x, str) and re.fullmatch(r"[0-9a-f]{64}", x) is not None


def _text_problem(key: str, value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return f"'{key}' must be text"
    if len(value) > limit:
        return f"'{key}' has {len(value)} characters, the limit is {limit}"
    return None


def _time_problem(key: str, value: object) -> str | None:
    problem = _text_problem(key, value, MAX_SHORT_CHARS)
    if problem is None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            problem = f"'{key}' must be an ISO 8601 time such as 2026-11-27T10:00:00+00:00"
    return problem


DECLARED, VOICE_VERIFIED = "declared", "voice-verified"
CONSENT_METHODS = (DECLARED, VOICE_VERIFIED)
LEGACY_CONSENT_METHODS = ("flag", "prompt")  # records of older versions, read as declared
VERIFICATION_FIELDS = {"prompt", "challenge", "transcript", "asr", "recording_sha256", "wer", "max_wer",
                       "similarity", "min_similarity", "watermark_z"}
WATERMARK_Z = 6.0  # tts.watermark's detection threshold (not imported, to keep this module light)
MAX_WER_SCORE = 100.0  # a word error rate can exceed 1 (insertions), not without bound


def consent_record(statement: str, clip_hashes: list[str], verification: dict | None = None) -> dict:
    """The `consent` field of a profile: what the user declared, when, for which clip files, and with
    `verification` (made by tts.consent from a passed check) the scores of the speaker's own recording."""
    if not statement.strip():
        raise VoiceError("the consent statement is empty: say who agreed and how, e.g. "
                         "\"Recorded with Jane's written consent on 2026-11-27\"")
    record = {"statement": statement.strip(),
              "confirmed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "method": DECLARED if verification is None else VOICE_VERIFIED,
              "clips": list(dict.fromkeys(clip_hashes))}
    if verification is not None:
        record["verification"] = verification
    problem = _consent_problem(record)
    if problem:
        raise VoiceError(f"invalid consent record: {problem}")
    return record


def consent_method(consent: dict | None) -> str | None:
    """'voice-verified', 'declared' (older 'flag' and 'prompt' records too), or None when nothing was recorded."""
    if consent is None:
        return None
    return VOICE_VERIFIED if consent.get("method") == VOICE_VERIFIED else DECLARED


def _consent_problem(consent: object) -> str | None:
    """What is wrong with a profile's `consent` field (see the format above), or None."""
    if consent is None:
        return None
    if not (isinstance(consent, dict) and isinstance(consent.get("statement"), str) and consent["statement"].strip()):
        return "'consent' must be null or an object with a 'statement'"
    if not set(consent) <= {"statement", "confirmed_at", "method", "clips", "verification"}:
        return "'consent' may only have the fields statement, confirmed_at, method, clips, verification"
    methods = CONSENT_METHODS + LEGACY_CONSENT_METHODS
    if "method" in consent and consent["method"] not in methods:
        return f"'consent.method' must be one of {', '.join(methods)}"
    if (consent.get("method") == VOICE_VERIFIED) != ("verification" in consent):
        return f"'consent.verification' is required with method '{VOICE_VERIFIED}' and allowed only with it"
    clips = consent.get("clips", [])
    if not isinstance(clips, list) or len(clips) > MAX_CLIPS or not all(map(_is_sha256, clips)):
        return f"'consent.clips' must be a list of at most {MAX_CLIPS} sha256 hex digests"
    problem = _text_problem("consent.statement", consent["statement"], MAX_TEXT_CHARS)
    if problem is None and "confirmed_at" in consent:
        problem = _time_problem("consent.confirmed_at", consent["confirmed_at"])
    if problem is None and "verification" in consent:
        problem = _verification_problem(consent["verification"])
    return problem


def _verification_problem(record: object) -> str | None:
    """What is wrong with a consent record's `verification` (see the format above), or None."""
    if not isinstance(record, dict) or set(record) != VERIFICATION_FIELDS:
        return f"'consent.verification' must have exactly the fields {', '.join(sorted(VERIFICATION_FIELDS))}"
    if not (isinstance(record["prompt"], str) and record["prompt"].strip()):
        return "'consent.verification.prompt' must be the text that was read aloud"
    problem = (_text_problem("consent.verification.prompt", record["prompt"], MAX_TEXT_CHARS)
               or _text_problem("consent.verification.transcript", record["transcript"], MAX_TEXT_CHARS)
               or _text_problem("consent.verification.asr", record["asr"], MAX_TEXT_CHARS))
    if problem:
        return problem
    if not isinstance(record["challenge"], bool):
        return "'consent.verification.challenge' must be true or false"
    if not _is_sha256(record["recording_sha256"]):
        return "'consent.verification.recording_sha256' must be a sha256 hex digest"
    ranges = {"wer": (0.0, MAX_WER_SCORE), "max_wer": (0.0, 1.0), "similarity": (-1.0, 1.0),
              "min_similarity": (0.0, 1.0), "watermark_z": (-1e3, 1e3)}
    for key, (low, high) in ranges.items():
        if not _number_in(record[key], low, high):
            return f"'consent.verification.{key}' must be a number from {low:g} to {high:g}"
    if (record["wer"] > record["max_wer"] or record["similarity"] < record["min_similarity"]
            or record["watermark_z"] >= WATERMARK_Z):
        return "'consent.verification' holds scores that fail its own bars: not a passed verification"
    return None


def _valid_clip(clip: object) -> bool:
    return (isinstance(clip, dict) and set(clip) <= {"sha256", "seconds", "speech_seconds"}
            and _is_sha256(clip.get("sha256")) and _number_in(clip.get("seconds"), 0, MAX_CLIP_SECONDS)
            and _number_in(clip.get("speech_seconds", 0), 0, MAX_CLIP_SECONDS))


def _os_problem(path: Path, exc: OSError) -> str:
    """Why `path` could not be opened, in words."""
    if isinstance(exc, FileNotFoundError):
        return "is a broken symbolic link" if os.path.islink(path) else "not found"
    if exc.errno == errno.ELOOP:
        return "is a symlink loop"
    return f"cannot be read ({exc.strerror})"


def _json_depth(text: str) -> int:
    """How deeply the arrays and objects of JSON `text` nest, found without parsing it (strings are skipped)."""
    text = re.sub(r'"[^"]*"', "", re.sub(r"\\.", "", text, flags=re.S))  # escapes first: then strings hold no quotes
    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]", "", text):
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _read_json(path: Path, what: str, limit: int = MAX_FILE_BYTES) -> object:
    """The parsed JSON of regular file `path`, after checking its size and nesting; VoiceError otherwise.
    A FIFO, device or folder is refused without reading it (so it cannot hang or exhaust memory)."""
    data = _read_file(path, what, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise VoiceError(f"{what} {path} is not valid JSON: it is not UTF-8 text") from None
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise VoiceError(f"{what} {path} is not a voice file: its JSON nests more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(text)
    except ValueError as exc:  # also an integer of more than 4300 digits
        raise VoiceError(f"{what} {path} is not valid JSON: {exc}") from None


def _read_file(path: Path, what: str, limit: int) -> bytes:
    """The bytes of regular file `path` if it holds at most `limit`; VoiceError otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens at once, and is refused below
    except OSError as exc:
        raise VoiceError(f"{what} {path} {_os_problem(Path(path), exc)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise VoiceError(f"{what} {path} is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise VoiceError(f"{what} {path} is not a regular file (a FIFO, device or socket)")
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise VoiceError(f"{what} {path} {_os_problem(Path(path), exc)}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise VoiceError(f"{what} {path} is larger than {limit >> 20} MiB: not a voice file")
    return data


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes: the fingerprint of a clip, or of the model files a personal voice was made for."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_hash(profile_data: dict) -> str:
    """sha256 of the canonical JSON of a profile (sorted keys, no whitespace, ASCII)."""
    text = json.dumps(profile_data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def write_atomic(path: Path, text: str | bytes, private: bool = False) -> None:
    """Write `text` (str as UTF-8, or bytes) to `path` via a temporary file in the same folder and os.replace:
    never a half file.

    The file gets the usual permissions (as the umask allows), or only the owner's with `private` (voice profiles:
    a speaker's voice and consent record)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def packaged_voices() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PACKAGED_VOICES_DIR.glob("*.json"))}


def default_user_dir() -> Path:
    """$TTS_VOICES_DIR, else the platform's user data folder + tts/voices."""
    env = os.environ.get(ENV_VOICES_DIR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tts")) / "voices"


@dataclass
class VoiceEntry:
    """One voice in a listing: where it is and whether it can be changed."""

    name: str
    source: str  # "packaged" or "user"
    path: Path

    @property
    def read_only(self) -> bool:
        return self.source == "packaged"


class VoiceLibrary:
    """Packaged voices (read-only) plus the user's enrolled voices in `user_dir`."""

    def __init__(self, user_dir: Path | str | None = None) -> None:
        self.user_dir = Path(user_dir).expanduser() if user_dir else default_user_dir()

    # --- lookup -------------------------------------------------------------------------------------------

    def packaged(self) -> dict[str, Path]:
        return packaged_voices()

    def user(self) -> dict[str, Path]:
        """User profiles by name; files without a valid name, or that a packaged voice hides, are skipped."""
        if not self.user_dir.is_dir():
            return {}
        packaged = {n.casefold() for n in self.packaged()}
        found = {}
        for path in sorted(self.user_dir.glob("*.json")):
            try:
                check_name(path.stem)
            except VoiceError:
                continue
            if path.stem.casefold() not in packaged:
                found[path.stem] = path
        return found

    def list(self) -> list[VoiceEntry]:
        entries = [VoiceEntry(n, "packaged", p) for n, p in self.packaged().items()]
        entries += [VoiceEntry(n, "user", p) for n, p in self.user().items()]
        return entries

    def find(self, name: str) -> VoiceEntry:
        """Where voice `name` lives; VoiceError listing the available voices if nowhere."""
        check_name(name)
        packaged = self.packaged()
        if name in packaged:
            return VoiceEntry(name, "packaged", packaged[name])
        user = self.user()
        if name in user:
            return VoiceEntry(name, "user", user[name])
        available = ", ".join(e.name for e in self.list()) or "none"
        raise VoiceError(f"unknown voice '{name}': available voices are {available} "
                         "(enroll one with: tts enroll NAME CLIP...)")

    def get(self, name: str | None) -> VoiceProfile:
        """The profile called `name` (the default voice when None)."""
        entry = self.find(name or DEFAULT_VOICE)
        profile = VoiceProfile.from_file(entry.path)
        if profile.name != entry.name:
            raise VoiceError(f"voice profile {entry.path} is named '{profile.name}', not '{entry.name}'")
        if profile.personal is not None:
            path = entry.path.parent / profile.personal["file"]
            profile.adapter = read_adapter(_read_file(path, "personal voice file", MAX_EXPORT_BYTES),
                                           profile.personal["sha256"], f"personal voice file {path}")
        return profile

    # --- changes (user voices only) ---------------------------------------------------------------------

    def _check_writable_name(self, name: str) -> None:
        check_name(name)
        clash = [n for n in self.packaged() if n.casefold() == name.casefold()]
        if clash:
            raise VoiceError(f"'{name}' is the name of a packaged voice ('{clash[0]}'); choose another name")

    def _user_path(self, name: str) -> Path:
        """The file for user voice `name`: an existing file whose name differs only in case counts as it."""
        for existing, path in self.user().items():
            if existing.casefold() == name.casefold():
                return path
        return self.user_dir / f"{name}.json"

    def _writable_entry(self, name: str, action: str) -> VoiceEntry:
        entry = self.find(name)
        if entry.read_only:
            raise VoiceError(f"voice '{name}' ships with the package and is read-only: it cannot be {action}")
        return entry

    def check_can_save(self, name: str, force: bool = False) -> Path:
        """The path a new user voice `name` would get; VoiceError if the name is bad, packaged or taken."""
        self._check_writable_name(name)
        existing = self._user_path(name)
        if existing.exists() and not force:
            raise VoiceError(f"voice '{existing.stem}' already exists ({existing}): use --force to replace it")
        return self.user_dir / f"{name}.json"

    def _write_user(self, name: str, text: str, replacing: Path | None) -> Path:
        path = self.user_dir / f"{name}.json"
        if replacing is not None and replacing.exists() and replacing.name != path.name:
            os.replace(replacing, path)  # a name differing only in case: take its place first (case-insensitive FS)
        write_atomic(path, text, private=True)
        return path

    def save(self, profile: VoiceProfile, force: bool = False) -> Path:
        """Write `profile` (and a personal voice's weight-change file first) into the user folder atomically; an
        existing voice is replaced only with `force`. Until the profile is replaced the old voice stays whole."""
        self.check_can_save(profile.name, force)
        profile.validated(f"voice '{profile.name}'")  # never write a profile we could not read back
        replacing = self._user_path(profile.name)
        old = _adapter_files(replacing)
        if profile.personal is not None:
            if profile.adapter is None:
                raise VoiceError(f"voice '{profile.name}' is a personal voice without its weight changes")
            data = profile.adapter.to_bytes()
            digest = hashlib.sha256(data).hexdigest()
            profile.personal["sha256"] = digest
            profile.personal["file"] = adapter_file_name(profile.name, digest)
            write_atomic(self.user_dir / profile.personal["file"], data, private=True)
        path = self._write_user(profile.name, profile.to_json() + "\n", replacing)
        keep = profile.personal["file"] if profile.personal else None
        for name in old - {keep}:
            (self.user_dir / name).unlink(missing_ok=True)
        return path

    def remove(self, name: str) -> Path:
        entry = self._writable_entry(name, "removed")
        adapters = _adapter_files(entry.path)
        try:
            entry.path.unlink()
        except IsADirectoryError:
            raise VoiceError(f"{entry.path} is a folder, not a voice file: remove it by hand") from None
        for adapter in adapters:
            (entry.path.parent / adapter).unlink(missing_ok=True)
        return entry.path

    def rename(self, old: str, new: str, force: bool = False) -> Path:
        entry = self._writable_entry(old, "renamed")
        self._check_writable_name(new)
        if new == old:
            raise VoiceError(f"voice '{old}' already has the name '{new}'")
        target = self._user_path(new)
        case_only = target == entry.path
        if target.exists() and not case_only and not force:
            raise VoiceError(f"voice '{target.stem}' already exists: use --force to replace it")
        profile = self.get(old)
        adapters = _adapter_files(entry.path)
        profile.name = new
        if profile.personal is not None:  # the weight changes under the new name first
            profile.personal["file"] = adapter_file_name(new, profile.personal["sha256"])
            write_atomic(self.user_dir / profile.personal["file"], profile.adapter.to_bytes(), private=True)
        path = self._write_user(new, profile.to_json() + "\n", target)
        if not case_only:
            entry.path.unlink(missing_ok=True)
        for adapter in adapters - ({profile.personal["file"]} if profile.personal else set()):
            (entry.path.parent / adapter).unlink(missing_ok=True)
        return path

    # --- sharing ------------------------------------------------------------------------------------------

    def export(self, name: str, path: Path | str, force: bool = False) -> Path:
        """Write voice `name` as one shareable file with an integrity hash."""
        path = Path(path)
        profile = self.get(name)
        if path.exists() and not force:
            raise VoiceError(f"{path} already exists: use --force to overwrite it")
        if path.is_dir():
            raise VoiceError(f"{path} is a folder: give a file name, e.g. {path / (name + '.voice.json')}")
        data = profile.to_dict()
        document = {"format": EXPORT_FORMAT, "format_version": EXPORT_VERSION,
                    "sha256": canonical_hash(data), "profile": data}
        if profile.personal is not None:
            document["format_version"] = PERSONAL_EXPORT_VERSION
            document["adapter"] = base64.b64encode(profile.adapter.to_bytes()).decode("ascii")
        write_atomic(path, json.dumps(document, indent=1) + "\n", private=True)
        return path

    @staticmethod
    def read_export(path: Path | str) -> VoiceProfile:
        """The profile in an exported voice file, after checking its format, integrity hash and contents."""
        path = Path(path)
        document = _read_json(path, "voice file", MAX_EXPORT_BYTES)
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            if isinstance(document, dict) and "embedding" in document:
                raise VoiceError(f"{path} is a bare voice profile, not an exported voice file (no integrity "
                                 "record): export it with 'tts voices export NAME FILE' and import that file")
            raise VoiceError(f"{path} is not a tts voice file (made by 'tts voices export')")
        version = document.get("format_version")
        if type(version) is not int or version not in (EXPORT_VERSION, PERSONAL_EXPORT_VERSION):
            raise VoiceError(f"{path} is a voice file of format version {_brief(version)}; "
                             f"this version of tts reads {EXPORT_VERSION} and {PERSONAL_EXPORT_VERSION}")
        data, digest = document.get("profile"), document.get("sha256")
        if not isinstance(data, dict) or not isinstance(digest, str):
            raise VoiceError(f"{path} is damaged: the profile or its integrity hash is missing")
        try:
            actual = canonical_hash(data)
        except ValueError:  # NaN or infinity in the file
            actual = ""
        if actual != digest:
            raise VoiceError(f"{path} failed its integrity check: the voice was modified or damaged after "
                             "export; ask for a fresh export")
        profile = VoiceProfile.from_dict(data, f"voice file {path}")
        if (profile.personal is not None) != (version == PERSONAL_EXPORT_VERSION) or (
                profile.personal is not None and not isinstance(document.get("adapter"), str)):
            raise VoiceError(f"{path} is damaged: a personal voice needs its weight changes, and only it has them")
        if profile.personal is not None:
            try:
                adapter_bytes = base64.b64decode(document["adapter"], validate=True)
            except ValueError:
                raise VoiceError(f"{path} is damaged: its weight changes are not valid base64") from None
            profile.adapter = read_adapter(adapter_bytes, profile.personal["sha256"], f"the weight changes in {path}")
        return profile

    def import_(self, path: Path | str, force: bool = False, name: str | None = None) -> VoiceProfile:
        """Add the voice in an exported file to the user folder (as `name` if given); validated first."""
        profile = self.read_export(path)
        if name is not None:
            profile.name = check_name(name)
        self.save(profile, force=force)
        return profile


def read_adapter(data: bytes, sha256: str, source: str):
    """The tts.finetune.adapter.VoiceAdapter in `data` if its digest is `sha256` and it is well-formed."""
    from tts.finetune.adapter import AdapterError, VoiceAdapter

    if hashlib.sha256(data).hexdigest() != sha256:
        raise VoiceError(f"{source} does not match its voice (damaged or replaced): adapt the voice again "
                         "(tts voices adapt NAME CLIP...)")
    try:
        return VoiceAdapter.from_bytes(data, source)
    except AdapterError as exc:
        raise VoiceError(str(exc)) from None


def adapter_file_name(name: str, sha256: str) -> str:
    """The file of voice `name`'s weight changes whose digest is `sha256` (beside its profile)."""
    return f"{name}.{sha256[:12]}.adapter.npz"


def _adapter_files(profile_path: Path) -> set[str]:
    """Names of the weight-change files of the voice stored in `profile_path` (any version of it)."""
    stem = re.escape(profile_path.stem)
    return {p.name for p in profile_path.parent.glob("*.adapter.npz")
            if re.fullmatch(stem + r"\.[0-9a-f]{12}\.adapter\.npz", p.name)}


def load_voice(name: str | None, user_dir: Path | str | None = None) -> VoiceProfile:
    """The profile called `name` (the default voice when None): packaged or enrolled in the user library."""
    return VoiceLibrary(user_dir).get(name)
