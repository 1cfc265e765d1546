"""Reading and writing audio files: any common format and rate in, 16 kHz mono float32 out."""

from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from tts.audio.config import SAMPLE_RATE
from tts.errors import TTSError

# Every file this tool writes says that it is synthetic speech where the format has room for text tags: WAV
# (LIST/INFO chunk: ICMT, ISFT), FLAC, Ogg Vorbis and Opus (Vorbis comments: COMMENT, ENCODER), MP3 (libsndfile
# writes an ID3v1 tag: comment only, 28 characters). The tag is a label for honest tools, not protection: any
# editor removes it. The watermark in the audio itself (tts.watermark) is what survives.
SYNTHETIC_COMMENT = "synthetic speech (tts-clone)"  # 28 characters: fits an ID3v1 comment


def _software() -> str:
    from tts.version import __version__

    return f"tts-clone {__version__}"


MIN_READ_RATE, MAX_READ_RATE = 8000, 192000  # sample rates load_audio accepts (beyond them: broken or crafted headers)
MIN_WRITE_RATE, MAX_WRITE_RATE = 8000, 48000  # sample rates of written output (telephony to studio)
LOSSY_SUBTYPES = ("MPEG_LAYER_III", "OPUS", "VORBIS")  # formats written at a chosen bitrate
MAX_COMPRESSION = 0.99  # libsndfile's MP3 encoder refuses 1.0

WRITE_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS"),
                 ".opus": ("OGG", "OPUS"), ".mp3": ("MP3", "MPEG_LAYER_III")}


class AudioError(TTSError):
    """An audio file that cannot be read or written; the message says why and what to do."""


def _check_input(path: Path) -> None:
    """AudioError unless `path` is an existing regular file (or a link to one)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise AudioError(f"audio file not found: {path}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AudioError(f"cannot read {path}: it is a symlink loop; point it at an audio file") from None
        raise AudioError(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise AudioError(f"cannot read {path}: it is a folder; pass the audio files in it instead")
    if not stat.S_ISREG(mode):
        raise AudioError(f"cannot read {path}: it is not a regular file (a pipe, socket or device); save the audio "
                         "to a file first")


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read wav/flac/ogg/opus/mp3 as mono float32 at `sample_rate` (downmixed and resampled)."""
    path = Path(path)
    _check_input(path)
    try:
        with sf.SoundFile(str(path)) as file:
            rate = file.samplerate
            if not MIN_READ_RATE <= rate <= MAX_READ_RATE:
                raise AudioError(f"audio file {path} says its sample rate is {rate} Hz: only "
                                 f"{MIN_READ_RATE // 1000}-{MAX_READ_RATE // 1000} kHz can be read; resample it")
            data = file.read(dtype="float32", always_2d=True)
    except AudioError:
        raise
    except Exception as exc:  # libsndfile raises several types for corrupt or unknown files
        raise AudioError(f"cannot read audio file {path}: {exc}. Use a wav, flac, ogg, opus or mp3 file.") from None
    if data.size == 0:
        raise AudioError(f"audio file {path} is empty: record or pick a clip with sound in it")
    wav = data.mean(axis=1)
    if not np.all(np.isfinite(wav)):
        raise AudioError(f"audio file {path} contains invalid samples (NaN or infinity)")
    return resample(wav, rate, sample_rate)


def resample(wav: np.ndarray, orig_rate: int, target_rate: int) -> np.ndarray:
    """High-quality resampling (soxr) to `target_rate`, float32."""
    if orig_rate == target_rate:
        return wav.astype(np.float32, copy=False)
    import soxr

    return soxr.resample(wav, orig_rate, target_rate, quality="HQ").astype(np.float32)


def output_format(path: Path) -> tuple[str, str]:
    """(soundfile format, subtype) for a file name's extension; AudioError for unknown or unwritable ones."""
    suffix = path.suffix.lower()
    if suffix not in WRITE_FORMATS:
        known = ", ".join(sorted(WRITE_FORMATS))
        raise AudioError(f"unknown output format '{suffix or path.name}': use a file name ending in one of {known}")
    fmt, subtype = WRITE_FORMATS[suffix]
    if subtype not in sf.available_subtypes(fmt):
        raise AudioError(f"this soundfile/libsndfile build cannot write {suffix} files: choose .wav or .flac")
    return fmt, subtype


def check_output(path: Path) -> tuple[str, str]:
    """`output_format` of `path`, after checking that its folder exists and that it is not itself a folder;
    AudioError otherwise. Cheap: call it before long work so that nothing is rendered for nowhere."""
    fmt = output_format(path)
    if not path.parent.is_dir():
        raise AudioError(f"cannot write {path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise AudioError(f"cannot write {path}: it is a folder; choose a file name")
    return fmt


def publish(tmp: str | Path, path: Path) -> None:
    """Give a finished temporary file the usual permissions (mkstemp makes it private) and its real name."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def _tag(file: sf.SoundFile) -> None:
    """Label an open-for-writing file as synthetic speech (before any audio is written)."""
    file.comment = SYNTHETIC_COMMENT
    file.software = _software()


def read_tags(path: str | Path) -> dict[str, str]:
    """The non-empty text tags of an audio file (title, comment, software, ...); {} if none or unreadable."""
    try:
        with sf.SoundFile(str(path)) as file:
            return {k: v for k, v in file.copy_metadata().items() if v}
    except Exception:
        return {}


def save_audio(path: str | Path, wav: np.ndarray, sample_rate: int = SAMPLE_RATE, synthetic: bool = True) -> None:
    """Write `wav` atomically: a temporary file beside `path`, then a rename; format from the extension.
    `synthetic`: tag the file as synthetic speech (every writer in this tool writes synthetic speech)."""
    path = Path(path)
    fmt, subtype = check_output(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise AudioError(f"cannot write {path}: {exc.strerror}. Choose a writable location.") from None
    try:
        wav = np.clip(wav, -1.0, 1.0)
        with os.fdopen(fd, "wb") as handle, sf.SoundFile(handle, "w", sample_rate, 1 if wav.ndim == 1 else wav.shape[1],
                                                          subtype, format=fmt) as file:
            if synthetic:
                _tag(file)
            file.write(wav)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Resampler:
    """Pieces of 16 kHz audio -> the same audio at `rate`, resampled as one continuous stream (soxr), so that piece
    boundaries leave no trace. Call `finish` after the last piece for the resampler's remaining samples."""

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        if not MIN_WRITE_RATE <= rate <= MAX_WRITE_RATE:
            raise AudioError(f"sample rate {rate} Hz is out of range: use {MIN_WRITE_RATE} to {MAX_WRITE_RATE}")
        self.rate = rate
        self.stream = None if rate == SAMPLE_RATE else soxr.ResampleStream(SAMPLE_RATE, rate, 1, dtype="float32")

    def __call__(self, wav: np.ndarray) -> np.ndarray:
        return wav if self.stream is None else self.stream.resample_chunk(np.asarray(wav, np.float32))

    def finish(self) -> np.ndarray:
        if self.stream is None:
            return np.zeros(0, np.float32)
        return self.stream.resample_chunk(np.zeros(0, np.float32), last=True)


def compression_for_bitrate(fmt: str, subtype: str, rate: int, kbps: float) -> float:
    """libsndfile's compression level (0-1) that makes the encoder of `fmt`/`subtype` at `rate` write about `kbps`
    kbit/s, found by bisection on noise (MP3 is constant bitrate; Opus and Vorbis vary around it
    with the content). AudioError for formats without a bitrate or a rate the encoder cannot reach."""
    if subtype not in LOSSY_SUBTYPES:
        raise AudioError("a bitrate applies to .mp3, .opus and .ogg files only")
    noise = np.random.default_rng(0).standard_normal(2 * rate).astype(np.float32) * 0.1

    def size(level: float, seconds: int) -> int:
        buffer = io.BytesIO()
        with sf.SoundFile(buffer, "w", rate, 1, subtype, format=fmt, compression_level=level,
                          **({"bitrate_mode": "CONSTANT"} if subtype == "MPEG_LAYER_III" else {})) as file:
            file.write(noise[: seconds * rate])
        return len(buffer.getvalue())

    def measured(level: float) -> float:
        """kbit/s of the audio alone: two lengths, so that headers and encoder padding cancel."""
        return (size(level, 2) - size(level, 1)) * 8 / 1000

    low, high = 0.0, MAX_COMPRESSION  # higher level: lower bitrate
    most, least = measured(low), measured(high)
    if not least * 0.9 <= kbps <= most * 1.1:
        raise AudioError(f"bitrate {kbps:g} kbit/s is out of reach for {subtype.lower()} at {rate} Hz: "
                         f"use {least:.0f} to {most:.0f}")
    for _ in range(8):  # `high` keeps a level at or below the target (2% for whole frames)
        middle = (low + high) / 2
        low, high = (middle, high) if measured(middle) > kbps * 1.02 else (low, middle)
    return high


class AudioFileWriter:
    """Writes 16 kHz audio to `path` piece by piece, in a `with` block, at `sample_rate` (resampled as one stream);
    the file appears (atomically) only when the block ends without error, and its temporary file is removed
    whatever happens (Ctrl-C, SIGTERM, a full disk)."""

    def __init__(self, path: str | Path, sample_rate: int = SAMPLE_RATE, bitrate: float | None = None) -> None:
        self.path = Path(path)
        self.resample = Resampler(sample_rate)
        self.format, self.subtype = check_output(self.path)
        self.settings = {}
        if bitrate is not None:
            self.settings["compression_level"] = compression_for_bitrate(self.format, self.subtype, sample_rate,
                                                                         bitrate)
            if self.subtype == "MPEG_LAYER_III":
                self.settings["bitrate_mode"] = "CONSTANT"

    def write(self, wav: np.ndarray) -> None:
        self.file.write(np.clip(self.resample(wav), -1.0, 1.0))

    def __enter__(self) -> "AudioFileWriter":
        try:
            fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part")
        except OSError as exc:
            raise AudioError(f"cannot write {self.path}: {exc.strerror}. Choose a writable location.") from None
        try:
            os.close(fd)
            self.file = sf.SoundFile(self.tmp, "w", self.resample.rate, 1, self.subtype, format=self.format,
                                     **self.settings)
            _tag(self.file)
        except BaseException:
            Path(self.tmp).unlink(missing_ok=True)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.file.write(np.clip(self.resample.finish(), -1.0, 1.0))
            self.file.close()
            if exc_type is None:
                publish(self.tmp, self.path)
        finally:
            Path(self.tmp).unlink(missing_ok=True)


def _info_chunk() -> bytes:
    """A RIFF LIST/INFO chunk with the synthetic-speech comment (ICMT) and the software (ISFT)."""
    import struct

    body = b"INFO"
    for key, text in ((b"ICMT", SYNTHETIC_COMMENT), (b"ISFT", _software())):
        data = text.encode("ascii", "replace") + b"\0"
        body += key + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")
    return b"LIST" + struct.pack("<I", len(body)) + body


def streaming_wav_header(sample_rate: int = SAMPLE_RATE) -> bytes:
    """A 16-bit mono WAV header with open-ended sizes, for writing to a pipe before the length is known; it
    carries the synthetic-speech tag in a LIST/INFO chunk before the data."""
    import struct

    unknown = 0xFFFFFFFF
    return (b"RIFF" + struct.pack("<I", unknown) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate,
            sample_rate * 2, 2, 16) + _info_chunk() + b"data" + struct.pack("<I", unknown))


def pcm16(wav: np.ndarray) -> bytes:
    """Little-endian 16-bit PCM bytes of a float waveform."""
    return (np.clip(wav, -1.0, 1.0) * 32767).round().astype("<i2").tobytes()
