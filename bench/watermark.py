"""Robustness, false positives and cost of the watermark (tts.watermark); writes bench/WATERMARK.md.

Usage: python -m bench.watermark [--n 200] [--corpus ../shared/data/corpus] [--fp-limit N] [--out FILE]
Needs the eval extra (DNSMOS) and PESQ: pip install '.[eval]'.

1. N sentences (seeded sample of the corpus's teacher_joe texts) are synthesised with the shipped models and the
   default voice, through `Synthesizer.synthesize` (watermarked: what every CLI path writes) and, for the cost,
   the same chunks before the watermark (`Synthesizer._render` plus the pauses, levelled as `synthesize` does).
2. Each watermarked utterance is transformed, written to a real file and read back with `load_audio`, as
   `tts detect` reads it (any rate -> 16 kHz, stereo -> mono), then detected with the built-in key.
3. False positives: every real-speech file of the corpus (metadata.tsv, source other than teacher_joe), and
   the unwatermarked synthesised utterances.
4. Cost: PESQ (ITU-T P.862.2 wide band, `pesq`) of watermarked against unwatermarked output, and DNSMOS OVRL of
   both (tts.eval.dnsmos).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import soundfile as sf

from tts.audio.io import load_audio, resample
from tts.audio.processing import trim_silence

SR = 16000
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus"
OUT = Path(__file__).with_name("WATERMARK.md")
MP3_LEVEL = 0.85  # libsndfile compression level giving 32 kbit/s constant bit rate MP3 at 16 kHz (measured)
OPUS_LEVEL = 0.896  # ... and about 32 kbit/s Opus (libsndfile maps the level linearly onto 6-256 kbit/s)


def sentences(corpus: Path, n: int, seed: int = 0) -> list[str]:
    rows = list(csv.DictReader(open(corpus / "metadata.tsv", encoding="utf-8"), delimiter="\t"))
    texts = sorted({r["text"] for r in rows if r["source"] == "teacher_joe"})
    return random.Random(seed).sample(texts, n)


def real_speech(corpus: Path) -> list[Path]:
    rows = list(csv.DictReader(open(corpus / "metadata.tsv", encoding="utf-8"), delimiter="\t"))
    return [corpus / r["path"] for r in rows if r["source"] != "teacher_joe"]


def synthesise(texts: list[str], threads: int) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """(watermarked, unwatermarked, seconds): the product path and the same audio before the watermark."""
    from tts.synthesizer import Synthesizer

    synth = Synthesizer(threads=threads)
    speaker = synth.prepare(None)
    marked, plain = [], []
    start = time.perf_counter()
    for text in texts:
        marked.append(synth.synthesize(text))
        plain.append(np.concatenate([synth._level(np.concatenate([
            synth._render(chunk.ids, speaker, 1.0, 0.0), np.zeros(int(chunk.pause_after * SR), np.float32)]),
            speaker, 0.0) for chunk in synth.frontend.iter_chunks(text)]))
    return marked, plain, time.perf_counter() - start


class Transforms:
    """Each transformation writes a file in `folder` and returns its path (and notes what it measured)."""

    def __init__(self, folder: Path, others: list[Path], seed: int = 0) -> None:
        self.folder, self.others = folder, others
        self.rng = np.random.default_rng(seed)
        self.bitrates: dict[str, list[float]] = {"mp3": [], "opus": []}
        self.clipped: list[float] = []

    def _wav(self, name: str, wav: np.ndarray, rate: int = SR) -> Path:
        path = self.folder / f"{name}.wav"
        sf.write(path, np.clip(wav, -1.0, 1.0), rate, subtype="PCM_16")
        return path

    def resampled(self, rate: int):
        return lambda wav: self._wav(f"rate{rate}", resample(wav, SR, rate), rate)

    def codec(self, kind: str):
        def apply(wav: np.ndarray) -> Path:
            path = self.folder / f"{kind}.{'mp3' if kind == 'mp3' else 'opus'}"
            if kind == "mp3":
                sf.write(path, wav, SR, format="MP3", subtype="MPEG_LAYER_III", compression_level=MP3_LEVEL,
                         bitrate_mode="CONSTANT")
            else:
                sf.write(path, wav, SR, format="OGG", subtype="OPUS", compression_level=OPUS_LEVEL)
            self.bitrates[kind].append(path.stat().st_size * 8 / (len(wav) / SR) / 1000)
            return path
        return apply

    def gain(self, db: float):
        def apply(wav: np.ndarray) -> Path:
            louder = wav * 10 ** (db / 20)
            self.clipped.append(float(np.mean(np.abs(louder) > 1.0)))
            return self._wav(f"gain{db:+.0f}", louder)
        return apply

    def crop(self, wav: np.ndarray) -> Path:
        return self._wav("crop", wav[int(0.2 * len(wav)):])

    def noise(self, wav: np.ndarray) -> Path:
        power = np.mean(trim_silence(wav) ** 2)  # the speech's power, not diluted by the pauses
        noise = self.rng.standard_normal(len(wav)) * np.sqrt(power / 10 ** (20 / 10))
        return self._wav("noise", wav + noise)

    def stereo_same(self, wav: np.ndarray) -> Path:
        return self._wav("stereo_same", np.stack([wav, wav], axis=1))

    def stereo_other(self, wav: np.ndarray) -> Path:
        other = load_audio(self.others[self.rng.integers(len(self.others))])
        other = np.resize(other, len(wav))  # looped or cut to the same length
        other *= np.sqrt(np.mean(trim_silence(wav) ** 2) / max(np.mean(trim_silence(other) ** 2), 1e-12))
        return self._wav("stereo_other", np.stack([wav, other], axis=1))

    def table(self) -> dict:
        return {
            "none (16 kHz WAV)": lambda wav: self._wav("clean", wav),
            "resampled to 8 kHz": self.resampled(8000),
            "resampled to 22.05 kHz": self.resampled(22050),
            "resampled to 44.1 kHz": self.resampled(44100),
            "resampled to 48 kHz": self.resampled(48000),
            "MP3 32 kbit/s CBR": self.codec("mp3"),
            "Opus ~32 kbit/s": self.codec("opus"),
            "gain -10 dB": self.gain(-10),
            "gain +10 dB": self.gain(10),
            "first 20% cut off": self.crop,
            "white noise, 20 dB SNR": self.noise,
            "stereo, same signal in both channels": self.stereo_same,
            "stereo, other real speech in the other channel (0 dB)": self.stereo_other,
        }


def run(n: int, corpus: Path, fp_limit: int | None, threads: int) -> dict:
    """Synthesis with the models on `threads` ONNX Runtime threads, then robustness, false positives and cost."""
    from tts.watermark import THRESHOLD, detect

    timings = {}
    start = time.perf_counter()
    texts = sentences(corpus, n)
    marked, plain, timings["synthesis"] = synthesise(texts, threads)
    real = real_speech(corpus)

    t0 = time.perf_counter()
    robustness = {}
    with tempfile.TemporaryDirectory() as tmp:
        transforms = Transforms(Path(tmp), real)
        for name, apply in transforms.table().items():
            scores = np.array([detect(load_audio(apply(wav))).score for wav in marked])
            robustness[name] = scores
            print(f"{name:<55} detected {np.mean(scores >= THRESHOLD):7.1%}  min z {scores.min():5.1f}", flush=True)
    timings["robustness"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    files = real if fp_limit is None else real[:fp_limit]
    real_scores = np.array([detect(load_audio(path)).score for path in files])
    plain_scores = np.array([detect(wav).score for wav in plain])
    timings["false positives"] = time.perf_counter() - t0
    print(f"real speech: {len(files)} files, max z {real_scores.max():.2f}, "
          f"{np.sum(real_scores >= THRESHOLD)} flagged", flush=True)

    t0 = time.perf_counter()
    from pesq import pesq

    from tts.eval.dnsmos import DnsMos

    pesq_scores = np.array([pesq(SR, ref, deg, "wb") for ref, deg in zip(plain, marked)])
    dnsmos = DnsMos(threads=threads)
    ovrl_plain = np.array([dnsmos.score(w)["ovrl"] for w in plain])
    ovrl_marked = np.array([dnsmos.score(w)["ovrl"] for w in marked])
    timings["cost"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    snr = [10 * np.log10(np.sum(p ** 2) / np.sum((m - p) ** 2)) for p, m in zip(plain, marked)]
    return {"n": n, "texts": texts, "seconds": [len(w) / SR for w in marked], "robustness": robustness,
            "bitrates": {k: float(np.mean(v)) for k, v in transforms.bitrates.items()},
            "clipped": float(np.max(transforms.clipped)) if transforms.clipped else 0.0,
            "real_files": len(files), "real_total": len(real), "real_scores": real_scores,
            "plain_scores": plain_scores,
            "pesq": pesq_scores, "ovrl_plain": ovrl_plain, "ovrl_marked": ovrl_marked, "snr": np.array(snr),
            "timings": timings, "threshold": THRESHOLD}


def report(result: dict, command: str, load: tuple[float, float]) -> list[str]:
    from tts.eval.runner import cpu_name
    from tts.watermark import core
    from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE, model_meta

    threshold = result["threshold"]
    models = ", ".join(f"{p.name} (step {model_meta(p).get('steps')})" for p in (ACOUSTIC_FILE, VOCODER_FILE))
    seconds = np.array(result["seconds"])
    real, plain = result["real_scores"], result["plain_scores"]
    lines = [
        "# Watermark: robustness, false positives, cost",
        "",
        f"Measured {date.today().isoformat()} with `{command}` on {cpu_name()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, wall time {result['timings']['total'] / 60:.1f} min "
        f"({', '.join(f'{k} {v:.0f} s' for k, v in result['timings'].items() if k != 'total')}); load average "
        f"(1 min) {load[0]:.1f} before, {load[1]:.1f} after (other work slows the timings, not the scores). "
        f"Shipped models: {models}; "
        f"default voice. Watermark: built-in key, delta {core.DELTA}, threshold z >= {threshold}.",
        "",
        f"{result['n']} utterances: a seeded sample of the corpus's teacher_joe sentences, "
        f"{seconds.min():.1f}-{seconds.max():.1f} s long (median {np.median(seconds):.1f} s, pauses included).",
        "",
        "## Robustness",
        "",
        "Each watermarked utterance is transformed, written to a file, read back with `load_audio` (as `tts detect` "
        "does: any rate to 16 kHz, stereo mixed down) and checked with the built-in key.",
        "",
        "| transformation | detected | mean z | min z |",
        "|---|---:|---:|---:|",
    ]
    for name, scores in result["robustness"].items():
        lines.append(f"| {name} | {np.mean(scores >= threshold):.1%} ({np.sum(scores >= threshold)}/{len(scores)}) "
                     f"| {scores.mean():.1f} | {scores.min():.1f} |")
    bitrates = result["bitrates"]
    lines += [
        "",
        "Details: resampling with soxr (HQ) to the rate and written as 16-bit WAV at that rate. MP3: libsndfile/LAME, "
        f"constant bit rate (compression level {MP3_LEVEL}), measured {bitrates['mp3']:.1f} kbit/s (file size over "
        f"duration, headers included). Opus: libsndfile/libopus, compression level {OPUS_LEVEL}, measured "
        f"{bitrates['opus']:.1f} kbit/s (Ogg overhead included). Gain: applied in float, written as 16-bit WAV "
        f"(at +10 dB at most {result['clipped']:.2%} of an utterance's samples clipped: the models' output peaks "
        "well below full scale). Cut: the first 20% of the samples removed (the pattern's alignment is then "
        "unknown). Noise: white Gaussian noise at 20 dB below the speech's power (measured on the utterance with "
        "leading and trailing silence trimmed). Stereo: a 2-channel WAV with (a) the utterance in both channels, "
        "(b) the utterance in the left and a random real corpus utterance (not teacher_joe, looped or cut to the "
        "same length, scaled to the same speech power) in the right, so the mono mix-down is the two voices at "
        "equal level.",
        "",
        "## False positives",
        "",
        f"Real speech: {result['real_files']} of the {result['real_total']} corpus files whose source is not "
        f"teacher_joe (../shared/data/corpus/metadata.tsv: LibriSpeech, speechocean762, Common Voice, VCTK), "
        f"{np.sum(real >= threshold)} flagged. Scores: median {np.median(real):.2f}, 99th percentile "
        f"{np.percentile(real, 99):.2f}, max {real.max():.2f}: margin to the threshold {threshold - real.max():.2f}.",
        "",
        f"Unwatermarked synthesised utterances (the same {result['n']} before the watermark): "
        f"{np.sum(plain >= threshold)} flagged, max z {plain.max():.2f}.",
        "",
        "The score is the best of 256 alignments, each a z-score that is N(0, 1) for a random key whatever the "
        "audio; the maximum of 256 such (correlated) values is typically 2-4. At z >= 6 the chance for one "
        "alignment is 1e-9, so below 3e-7 per file, if the host audio is independent of the key.",
        "",
        "## Cost",
        "",
        f"PESQ (P.862.2 wide band) of watermarked against unwatermarked output: mean {result['pesq'].mean():.3f}, "
        f"min {result['pesq'].min():.3f} (bar: >= 4.0; 4.64 is the scale's top).",
        "",
        f"DNSMOS OVRL: unwatermarked {result['ovrl_plain'].mean():.3f}, watermarked "
        f"{result['ovrl_marked'].mean():.3f}, drop {result['ovrl_plain'].mean() - result['ovrl_marked'].mean():.3f} "
        f"(bar: <= 0.05); per utterance the drop ranges {np.min(result['ovrl_plain'] - result['ovrl_marked']):.2f} "
        f"to {np.max(result['ovrl_plain'] - result['ovrl_marked']):.2f}.",
        "",
        f"Waveform SNR of the watermark (unwatermarked power / difference power): mean {result['snr'].mean():.1f} dB. "
        "The difference is a +-1.3 dB gain change per 125 Hz band and 32 ms block, proportional to the speech.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="utterances to synthesise (default 200)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder with metadata.tsv")
    parser.add_argument("--fp-limit", type=int, default=None, help="check only the first N real files (default all)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    command = "python -m bench.watermark" + (f" --n {args.n}" if args.n != 200 else "") + (
        f" --fp-limit {args.fp_limit}" if args.fp_limit else "")
    load_before = os.getloadavg()[0]
    result = run(args.n, args.corpus, args.fp_limit, args.threads)
    lines = report(result, command, (load_before, os.getloadavg()[0]))
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
