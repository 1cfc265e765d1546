"""A keyed spread-spectrum watermark in the STFT domain, at 16 kHz.

Embedding: the signal's STFT (512-point sqrt-Hann window, hop 256, 16 ms) is multiplied, in 24 bands of
125 Hz between 500 and 3500 Hz, by exp(+-DELTA) (+-1.3 dB), the sign taken from a keyed pseudo-random
+-1 pattern P[band, column]. Pairs of frames (32 ms blocks) share a column; the columns repeat with a
period of T = 32 blocks (1.024 s), counted from absolute sample 0 of the output, so chunks embedded one
after another (`offset`) form one continuous pattern. The change is proportional to the signal in each
time-frequency cell (nothing is added to silence), which keeps it below the signal it rides on; the band
stays below the 4 kHz Nyquist frequency of 8 kHz audio and in the range speech codecs keep.

Detection (blind: only the key): log band energies every 4 ms, each frame's spectral envelope removed
(minus a 5-band moving average) and scaled to unit variance; quiet frames (35 dB below the loudest) left
out. Because a cut, a codec delay or a resampler moves the grid, every alignment within one period is
tried: 4 sub-hop phases x 2 block phases x 32 column shifts = 256 candidates. For each, frames are summed
into blocks, high-passed across blocks (which removes steady sounds), correlated with the pattern and
divided by the standard deviation that correlation would have for a random key. That makes the score a
z-score: about N(0, 1) per candidate on audio without this key's watermark, whatever the audio; the score
reported is the best candidate's. See README "Responsible use" for the measured numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from tts.errors import InvalidInput

SAMPLE_RATE = 16000
N_FFT, HOP = 512, 256
LOW_HZ, HIGH_HZ = 500, 3500
BINS_PER_BAND = 4  # 125 Hz
BLOCK = 2  # frames per pattern column (32 ms)
PERIOD = 32  # columns before the pattern repeats (1.024 s)
DELTA = 0.15  # log-magnitude step: gains of exp(+-0.15), +-1.3 dB
DETECT_HOP = 64  # analysis hop of the detector (a quarter of HOP)
ACTIVE_DB = 35.0  # frames quieter than the loudest by more than this are ignored
FLOOR_DB = -40.0  # ... and so are frames whose band energy is below this (digital near-silence)
ENVELOPE_BANDS = 5
THRESHOLD = 6.0  # z at or above which a file is called watermarked (see README for the margin)
MIN_ACTIVE_SECONDS = 0.4  # less sound than this: too little to tell
SEGMENT = 1 << 18  # samples (16 s) processed at a time, to bound the memory on long audio

DEFAULT_KEY = "tts-clone watermark v1"


def _window() -> np.ndarray:
    return np.sqrt(np.hanning(N_FFT + 1)[:-1])


def _stft(x: np.ndarray, hop: int) -> np.ndarray:
    """Frames centred on 0, hop, 2*hop ... (zero padded at both ends) -> complex [frames, bins]."""
    x = np.pad(x, (N_FFT // 2, N_FFT // 2 + hop))
    count = (len(x) - N_FFT) // hop + 1
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::hop][:count]
    return np.fft.rfft(frames * _window(), axis=1)


def key_pattern(key: str) -> np.ndarray:
    """The +-1 pattern [bands, PERIOD] of `key`: numpy PCG64 seeded with SHA-256(key); each band's row has as
    many +1 as -1."""
    seed = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:16], "little")
    rng = np.random.Generator(np.random.PCG64(seed))
    row = np.repeat([1.0, -1.0], PERIOD // 2)
    return np.stack([rng.permutation(row) for _ in range(_bands()[2])])


def _bands() -> tuple[int, int, int]:
    low = round(LOW_HZ * N_FFT / SAMPLE_RATE)
    count = (round(HIGH_HZ * N_FFT / SAMPLE_RATE) - low) // BINS_PER_BAND
    return low, low + count * BINS_PER_BAND, count


@dataclass
class Detection:
    score: float  # z: about N(0, 1) without the watermark
    found: bool
    active_seconds: float  # sound the detector could use
    threshold: float = THRESHOLD

    @property
    def too_short(self) -> bool:
        return self.active_seconds < MIN_ACTIVE_SECONDS


class Watermarker:
    """Embeds and detects the watermark of one key."""

    def __init__(self, key: str = DEFAULT_KEY, delta: float = DELTA, threshold: float = THRESHOLD) -> None:
        if not key:
            raise InvalidInput("the watermark key must not be empty")
        self.pattern = key_pattern(key)
        self.delta = delta
        self.threshold = threshold

    def embed(self, wav: np.ndarray, offset: int = 0) -> np.ndarray:
        """`wav` (16 kHz float) watermarked; `offset` is its first sample's position in the whole output, so that
        pieces embedded one after the other carry one continuous pattern. Same length and dtype float32."""
        wav = np.asarray(wav, dtype=np.float32)
        if wav.ndim != 1:
            raise ValueError("embed takes mono audio (one dimension)")
        if len(wav) == 0 or not np.any(wav):
            return wav.copy()
        if len(wav) <= SEGMENT:
            return self._embed(wav, offset)
        # long audio in segments (bounded memory); the operation is linear and tied to the absolute frame grid,
        # so each segment's middle, computed with N_FFT of context on both sides, is exact
        out = np.empty_like(wav)
        for start in range(0, len(wav), SEGMENT):
            end = min(start + SEGMENT, len(wav))
            left = max(start - N_FFT, 0)
            piece = self._embed(wav[left:end + N_FFT], offset + left)
            out[start:end] = piece[start - left:start - left + end - start]
        return out

    def _embed(self, wav: np.ndarray, offset: int) -> np.ndarray:
        lead = offset % HOP
        x = np.concatenate([np.zeros(lead), wav.astype(np.float64)])
        spec = _stft(x, HOP)
        frame = offset // HOP + np.arange(spec.shape[0])
        column = (frame // BLOCK) % PERIOD
        low, high, _ = _bands()
        gains = np.exp(self.delta * self.pattern[:, column].T)  # [frames, bands]
        spec[:, low:high] *= np.repeat(gains, BINS_PER_BAND, axis=1)
        frames = np.fft.irfft(spec, n=N_FFT, axis=1) * _window()
        out = np.zeros((spec.shape[0] + 1, HOP))  # overlap-add: hop is half the window
        out[:-1] += frames[:, :HOP]
        out[1:] += frames[:, HOP:]
        change = out.ravel()[N_FFT // 2 + lead:N_FFT // 2 + lead + len(wav)] - x[lead:]
        if len(change) > 2 * HOP:  # fade the change in and out: a piece starting or ending in silence still does
            ramp = np.sin(np.linspace(0, np.pi / 2, HOP)) ** 2
            change[:HOP] *= ramp
            change[-HOP:] *= ramp[::-1]
        return (x[lead:] + change).astype(np.float32)

    def features(self, wav: np.ndarray) -> tuple[np.ndarray, float]:
        """Whitened log band energies [frames, bands] at DETECT_HOP (zero in quiet frames), and active seconds."""
        x = np.asarray(wav, dtype=np.float64)
        low, high, count = _bands()
        frames = len(x) // DETECT_HOP + 1  # those _stft makes, computed in segments to bound the memory
        step = SEGMENT // DETECT_HOP
        energy = np.empty((frames, count))
        for first in range(0, frames, step):
            # frame j is centred on sample j * DETECT_HOP
            piece = x[max(first * DETECT_HOP - N_FFT // 2, 0):(first + step) * DETECT_HOP + N_FFT // 2]
            if first * DETECT_HOP < N_FFT // 2:
                piece = np.concatenate([np.zeros(N_FFT // 2 - first * DETECT_HOP), piece])
            piece = np.pad(piece, (0, max(0, (step - 1) * DETECT_HOP + N_FFT - len(piece))))
            windows = np.lib.stride_tricks.sliding_window_view(piece, N_FFT)[::DETECT_HOP][:min(step, frames - first)]
            power = np.abs(np.fft.rfft(windows * _window(), axis=1)[:, low:high]) ** 2
            energy[first:first + len(power)] = power.reshape(len(power), count, BINS_PER_BAND).sum(-1)
        energy += 1e-9
        level = 10 * np.log10(energy.sum(1))
        active = (level > level.max() - ACTIVE_DB) & (level > FLOOR_DB)
        logs = np.log(energy)
        logs -= logs.mean(1, keepdims=True)
        half = ENVELOPE_BANDS // 2
        padded = np.pad(logs, ((0, 0), (half, half)), mode="edge")
        envelope = np.lib.stride_tricks.sliding_window_view(padded, ENVELOPE_BANDS, axis=1).mean(-1)
        white = logs - envelope
        white /= white.std(1, keepdims=True) + 1e-9
        white[~active] = 0.0
        return white, float(active.sum() * DETECT_HOP / SAMPLE_RATE)

    def scores(self, white: np.ndarray) -> np.ndarray:
        """z for every alignment of the pattern to `features()`: [sub-hop phase, block phase, column shift]."""
        phases = HOP // DETECT_HOP
        z = np.zeros((phases, BLOCK, PERIOD))
        for phase in range(phases):
            rows = white[phase::phases]  # frames on one embedding grid
            if len(rows) == 0:
                continue
            for shift in range(BLOCK):
                block = (np.arange(len(rows)) + shift) // BLOCK
                starts = np.r_[0, np.flatnonzero(np.diff(block)) + 1]
                sums = np.add.reduceat(rows, starts, axis=0)  # [blocks, bands]
                if len(sums) > 2:  # high-pass across blocks: steady sounds carry no pattern
                    padded = np.pad(sums, ((1, 1), (0, 0)), mode="reflect")
                    sums = sums - (padded[:-2] + padded[2:]) / 2
                first = block[starts]
                corr = sums @ self.pattern  # [blocks, PERIOD]
                index = (first[:, None] + np.arange(PERIOD)[None, :]) % PERIOD
                numerator = np.take_along_axis(corr, index, axis=1).sum(0)
                # the spread of the numerator for a random key: blocks a period apart share a column
                classes = np.zeros((PERIOD, sums.shape[1]))
                np.add.at(classes, first % PERIOD, sums)
                spread = np.sqrt((classes ** 2).sum())
                z[phase, shift] = numerator / spread if spread > 0 else 0.0
        return z

    def detect(self, wav: np.ndarray) -> Detection:
        """The watermark's z-score in `wav` (mono, 16 kHz) and whether it reaches the threshold."""
        wav = np.asarray(wav, dtype=np.float64)
        if wav.ndim != 1:
            raise ValueError("detect takes mono audio (one dimension)")
        white, active = self.features(wav)
        score = float(self.scores(white).max()) if active > 0 else 0.0
        found = score >= self.threshold and active >= MIN_ACTIVE_SECONDS
        return Detection(round(score, 2), found, active, self.threshold)
