"""Audio loading, writing and clean-up as a user meets them."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from tts.audio import (AudioError, AudioFileWriter, LogMelSpectrogram, estimate_pitch, load_audio, normalize_loudness,
                       save_audio, trim_silence)
from tts.audio.config import HOP_LENGTH, N_MELS, SAMPLE_RATE


def sine(freq: float, seconds: float, rate: int = SAMPLE_RATE, amp: float = 0.5) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)).astype(np.float32)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_any_format_rate_and_channels_load_as_16k_mono(tmp_path, suffix):
    stereo = np.stack([sine(440, 1.0, 44100), sine(440, 1.0, 44100)], axis=1)
    path = tmp_path / f"clip{suffix}"
    sf.write(path, stereo, 44100)
    wav = load_audio(path)
    assert wav.ndim == 1 and wav.dtype == np.float32
    assert abs(len(wav) - SAMPLE_RATE) < 0.05 * SAMPLE_RATE  # mp3 adds a little padding
    spectrum = np.abs(np.fft.rfft(wav))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / len(wav) - 440) < 5


def test_unreadable_and_empty_files_give_clear_errors(tmp_path):
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF not really a wave file")
    with pytest.raises(AudioError, match="cannot read audio file"):
        load_audio(corrupt)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match="empty"):
        load_audio(empty)
    with pytest.raises(AudioError, match="not found"):
        load_audio(tmp_path / "missing.wav")


def test_save_is_atomic_and_rejects_unknown_formats(tmp_path):
    target = tmp_path / "out.wav"
    target.write_bytes(b"precious")
    with pytest.raises(AudioError, match="unknown output format"):
        save_audio(tmp_path / "out.xyz", sine(200, 0.1))
    with pytest.raises(RuntimeError):
        with AudioFileWriter(target) as writer:
            writer.write(sine(200, 0.1))
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"precious"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind
    save_audio(target, sine(200, 0.5))
    assert sf.info(target).frames == SAMPLE_RATE // 2


def test_trim_and_loudness():
    silence = np.zeros(SAMPLE_RATE, np.float32)
    wav = np.concatenate([silence, sine(300, 1.0, amp=0.01), silence])
    trimmed = trim_silence(wav)
    assert 1.0 <= len(trimmed) / SAMPLE_RATE < 1.4
    loud = normalize_loudness(trimmed)
    rms_db = 20 * np.log10(np.sqrt(np.mean(loud[SAMPLE_RATE // 10 : -SAMPLE_RATE // 10] ** 2)))
    assert abs(rms_db - (-20)) < 1.5
    assert np.abs(loud).max() <= 0.95 + 1e-6
    assert len(trim_silence(silence)) == 0


def test_mel_and_pitch_frames_line_up():
    wav = sine(180, 1.0)
    mel = LogMelSpectrogram()(torch.from_numpy(wav)[None])
    f0 = estimate_pitch(wav)
    assert mel.shape == (1, N_MELS, len(wav) // HOP_LENGTH + 1)
    assert len(f0) == mel.shape[-1]
    assert abs(np.median(f0[f0 > 0]) - 180) < 3
    assert (estimate_pitch(np.random.default_rng(0).standard_normal(SAMPLE_RATE).astype(np.float32) * 0.1) > 0).mean() < 0.2


def test_mel_filterbank_matches_librosa():
    librosa = pytest.importorskip("librosa")
    from tts.audio.config import F_MAX, F_MIN, N_FFT
    from tts.audio.mel import mel_filterbank

    expected = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS, fmin=F_MIN, fmax=F_MAX)
    assert np.allclose(mel_filterbank(N_FFT, N_MELS, F_MIN, F_MAX), expected, atol=1e-7)


def test_written_files_get_the_usual_permissions(tmp_path):
    import os

    target = tmp_path / "out.wav"
    save_audio(target, sine(200, 0.1))
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("rate", [8000, 22050, 48000])
def test_files_are_written_at_the_chosen_rate_without_seams_between_pieces(tmp_path, rate):
    from tts.audio.io import AudioFileWriter

    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    with AudioFileWriter(tmp_path / "tone.wav", sample_rate=rate) as writer:
        for piece in np.array_split(tone, 7):  # written piece by piece, as synthesis does
            writer.write(piece)
    data, read_rate = sf.read(tmp_path / "tone.wav", dtype="float32")
    assert read_rate == rate and abs(len(data) - rate) <= 2
    reference = 0.5 * np.sin(2 * np.pi * 440 * np.arange(len(data)) / rate)
    middle = slice(rate // 10, -rate // 10)  # away from the resampler's start and end
    assert np.max(np.abs(data[middle] - reference[middle])) < 0.01


def test_output_rates_outside_8_to_48_khz_are_refused(tmp_path):
    from tts.audio.io import AudioFileWriter

    for rate in (4000, 96000):
        with pytest.raises(AudioError, match="sample rate"):
            AudioFileWriter(tmp_path / "x.wav", sample_rate=rate)


def test_playback_starts_with_the_first_piece(tmp_path, monkeypatch):
    import time

    from tts.audio import playback

    received = tmp_path / "played.wav"
    monkeypatch.setattr(playback, "PLAYERS", (["sh", "-c", f"cat > '{received}'"],))
    piece = np.full(1600, 0.25, np.float32)
    heard_first = []

    def pieces():
        yield piece
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (received.exists() and received.stat().st_size >= 2 * len(piece)):
            time.sleep(0.01)
        heard_first.append(received.exists() and received.stat().st_size >= 2 * len(piece))
        yield piece

    playback.play(pieces())
    assert heard_first == [True]  # the player had the first piece before the second was made
    data, rate = sf.read(received, dtype="float32")
    assert rate == 16000 and len(data) == 2 * len(piece) and abs(data.mean() - 0.25) < 1e-3


@pytest.mark.parametrize("suffix, kbps", [(".mp3", 32), (".mp3", 96), (".opus", 24)])
def test_lossy_files_at_the_chosen_bitrate(tmp_path, suffix, kbps):
    path = tmp_path / f"speechlike{suffix}"
    rng = np.random.default_rng(1)
    signal = (0.1 * rng.standard_normal(16000 * 6)).astype(np.float32)
    with AudioFileWriter(path, bitrate=kbps) as writer:
        writer.write(signal)
    measured = path.stat().st_size * 8 / sf.info(path).duration / 1000
    assert measured == pytest.approx(kbps, rel=0.15)


def test_bitrate_only_for_lossy_formats(tmp_path):
    with pytest.raises(AudioError, match="bitrate"):
        AudioFileWriter(tmp_path / "x.wav", bitrate=64)
    with pytest.raises(AudioError, match="out of reach"):
        AudioFileWriter(tmp_path / "x.mp3", bitrate=5000)
