"""Speed and memory of the warm synthesizer (ONNX Runtime): per-stage and end-to-end real-time factor, time to
first audio, peak RSS, speaker-enrollment time; and the same paragraph through the Piper reference when it is
installed.

Usage: python -m bench.speed  (prints the speed table; `python -m bench.run` runs the whole suite and writes
bench/RESULTS.md). Each measurement runs in a fresh process so that peak memory is that of one session.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PARAGRAPH = (
    "The old lighthouse stood at the edge of the cliff for more than a hundred years. Every night its beam swept "
    "across the water, guiding fishing boats safely back to the harbour. In 1987, a storm damaged the lamp, and the "
    "town raised $12,500 to repair it. Today, visitors can climb the 154 steps to the top, where the view stretches "
    "for miles on a clear day. Dr. Ellis, who has studied the coast since the 1990s, says the lighthouse is still "
    "one of the best places to watch the sunset."
)
REPEATS = 5
ENROLL_SECONDS = 30.0
DEV_REFS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "refs"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(threads: int, acoustic: str | None = None, vocoder: str | None = None) -> dict:
    """Runs in a child process: load, warm up, then over REPEATS runs (best run kept) time each stage alone, one
    chunk after another, and the whole of `Synthesizer.stream` (end to end, first audio), where on two threads or
    more the acoustic model and the vocoder work side by side."""
    import numpy as np

    from tts.synthesizer import Synthesizer

    weights = {k: Path(v) for k, v in (("acoustic", acoustic), ("vocoder", vocoder)) if v}
    start = time.perf_counter()
    synth = Synthesizer(threads=threads, **weights)
    load_s = time.perf_counter() - start
    prepared = synth.prepare(None)
    calibration = prepared.calibration
    synth.synthesize("Warm up.")
    best: dict | None = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        chunks = synth.frontend.chunks(PARAGRAPH)
        t1 = time.perf_counter()
        acoustic_s = vocoder_s = finish_s = 0.0
        samples = 0
        for chunk in chunks:
            a = time.perf_counter()
            mel, _ = synth.acoustic.infer(chunk.ids, prepared.embedding, pitch_level=calibration.pitch_level)
            b = time.perf_counter()
            wav = synth.vocoder(calibration.apply(mel))
            c = time.perf_counter()
            pause = np.zeros(int(chunk.pause_after * synth.sample_rate), np.float32)
            piece = synth._finish(np.concatenate([wav, pause]), prepared, 0.0, samples)
            d = time.perf_counter()
            acoustic_s += b - a
            vocoder_s += c - b
            finish_s += d - c
            samples += len(piece)
        start = time.perf_counter()
        pieces = synth.stream(PARAGRAPH)
        next(pieces)
        first_audio = time.perf_counter() - start
        for _ in pieces:
            pass
        total = time.perf_counter() - start
        audio_s = samples / synth.sample_rate
        run = {"frontend_s": t1 - t0, "acoustic_s": acoustic_s, "vocoder_s": vocoder_s, "finish_s": finish_s,
               "total_s": total,
               "audio_s": audio_s, "first_audio_s": first_audio}
        if best is None or run["total_s"] < best["total_s"]:
            best = run
    assert best is not None
    best.update({"threads": threads, "load_s": load_s, "peak_rss_mb": _peak_rss_mb(),
                 "rtf": best["total_s"] / best["audio_s"], "rtf_acoustic": best["acoustic_s"] / best["audio_s"],
                 "rtf_vocoder": best["vocoder_s"] / best["audio_s"],
                 "rtf_frontend": best["frontend_s"] / best["audio_s"],
                 "rtf_finish": best["finish_s"] / best["audio_s"]})
    return best


def enrollment_audio(seconds: float = ENROLL_SECONDS):
    """`seconds` of real speech: the dev reference clips (sorted) concatenated and cut."""
    import numpy as np

    from tts.audio import load_audio

    clips = sorted(DEV_REFS.glob("*/*.wav"))
    if not clips:
        raise FileNotFoundError(f"no reference clips in {DEV_REFS}")
    pieces, total = [], 0
    for clip in clips:
        pieces.append(load_audio(clip))
        total += len(pieces[-1])
        if total >= seconds * 16000:
            break
    return np.concatenate(pieces)[: int(seconds * 16000)]


def measure_enrollment(threads: int) -> dict:
    """Runs in a child process: SpeakerEncoder load, then embed() of 30 s of speech (the encoder runs on one
    thread), the reference statistics of the same audio, and the calibration a voice gets on first use
    (tts.adaptation) with the synthesis models on `threads` threads; medians of REPEATS."""
    from tts.adaptation import calibrate, reference_stats
    from tts.encoder.ge2e import SpeakerEncoder
    from tts.synthesizer import PreparedVoice, Synthesizer

    wav = enrollment_audio()
    start = time.perf_counter()
    encoder = SpeakerEncoder()
    load_s = time.perf_counter() - start
    encoder.embed(wav[:16000 * 2])  # warm-up
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        encoder.embed(wav)
        times.append(time.perf_counter() - t0)
    stats_times, calibrate_times = [], []
    synth = Synthesizer(threads=threads)
    embedding = encoder.embed(wav)
    render = lambda text, calibration: synth._render_text(text, PreparedVoice(embedding, calibration))
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        stats = reference_stats([wav])
        t1 = time.perf_counter()
        calibrate(render, stats)
        stats_times.append(t1 - t0)
        calibrate_times.append(time.perf_counter() - t1)
    return {"threads": threads, "audio_s": len(wav) / 16000, "embed_s": statistics.median(times),
            "stats_s": statistics.median(stats_times), "calibrate_s": statistics.median(calibrate_times),
            "load_s": load_s, "peak_rss_mb": _peak_rss_mb()}


def measure_piper(threads: int) -> dict:
    """Runs in a child process: the Piper joe voice on the same paragraph, native 22.05 kHz, best of REPEATS."""
    from tts.eval.piper import PiperReference

    start = time.perf_counter()
    piper = PiperReference(threads=threads)
    load_s = time.perf_counter() - start
    list(piper.voice.synthesize("Warm up."))
    best: dict | None = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        samples, first_audio = 0, None
        for chunk in piper.voice.synthesize(PARAGRAPH):
            samples += len(chunk.audio_float_array)
            if first_audio is None:
                first_audio = time.perf_counter() - t0
        total = time.perf_counter() - t0
        run = {"total_s": total, "audio_s": samples / piper.native_rate, "first_audio_s": first_audio}
        if best is None or run["total_s"] < best["total_s"]:
            best = run
    assert best is not None
    best.update({"threads": threads, "load_s": load_s, "peak_rss_mb": _peak_rss_mb(),
                 "rtf": best["total_s"] / best["audio_s"]})
    return best


LONG_WORDS = 1000


def long_text(words: int = LONG_WORDS) -> str:
    """The paragraph repeated and cut to `words` words."""
    base = PARAGRAPH.split()
    return " ".join(base[i % len(base)] for i in range(words))


def busy_machine_rows() -> list[dict]:
    """`tts say` of the 1,000-word text while one other process keeps a core busy: default threads (the idle
    cores, cli/threads.py, with sleeping OpenMP threads, cli/__init__.py), --threads 1, and default threads
    spinning (OMP_WAIT_POLICY=ACTIVE, the OpenMP default) for comparison; wall seconds of each."""
    import tempfile

    cases = (("default threads", [], {}), ("--threads 1", ["--threads", "1"], {}),
             ("default threads, spinning", [], {"OMP_WAIT_POLICY": "ACTIVE"}))
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, args, env in cases:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "tts.cli", "say", long_text(), "-o", str(Path(tmp) / "long.wav"),
                                *args], check=True, capture_output=True, env={**os.environ, **env})
                rows.append({"case": name, "words": LONG_WORDS, "wall_s": time.perf_counter() - t0})
    finally:
        busy.kill()
        busy.wait()
    return rows


def measure_first_audio(threads: int, voice: str) -> dict:
    """Runs in a child process: time from a fresh Synthesizer's first `stream` call in a voice to its first chunk,
    in the default voice or (voice "enrolled") one enrolled from the 30 s of dev speech, as a new `tts say`
    process pays it: voice preparation included (the voice cache as the caller left it); the first calls into
    ONNX Runtime are made before, with another voice, so that both voices start alike."""
    import numpy as np

    from tts.synthesizer import Synthesizer
    from tts.voices import load_voice

    if voice == "enrolled":
        from tts.adaptation import reference_stats
        from tts.encoder.ge2e import SpeakerEncoder
        from tts.eval.runner import DEV_SET_CONSENT
        from tts.voices import VoiceProfile, consent_record

        wav = enrollment_audio()
        profile = VoiceProfile("bench", SpeakerEncoder().embed(wav).tolist(), adaptation=reference_stats([wav]),
                               consent=consent_record(DEV_SET_CONSENT, []))
    else:
        profile = load_voice(None)
    synth = Synthesizer(threads=threads)
    warm_up = np.random.default_rng(int(time.time_ns() % 2**32)).standard_normal(256).astype(np.float32)
    synth.synthesize("Warm up.", voice=warm_up / np.linalg.norm(warm_up))
    start = time.perf_counter()
    next(synth.stream(PARAGRAPH, voice=profile))
    return {"threads": threads, "voice": voice, "first_audio_s": time.perf_counter() - start}


def first_audio_rows(threads: int) -> list[dict]:
    """The default and an enrolled voice, each in the first process that uses it and in a later one."""
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TTS_CACHE_DIR"] = folder
        for voice in ("default", "enrolled"):
            for case in ("first process", "a later process"):
                rows.append({**in_child("first", str(threads), voice), "case": f"{voice}, {case}"})
        del os.environ["TTS_CACHE_DIR"]
    return rows


CHILD_JOBS = {"synth": measure, "enroll": measure_enrollment, "piper": measure_piper, "first": measure_first_audio}


def in_child(job: str, *args: str) -> dict:
    """Run CHILD_JOBS[job](*args) in a fresh Python process; its JSON result."""
    out = subprocess.run([sys.executable, "-m", "bench.speed", "--child", job, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child '{job} {' '.join(args)}' failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def speed_rows(threads: tuple[int, ...] = (1, 2), acoustic: str | None = None,
               vocoder: str | None = None) -> list[dict]:
    extra = [acoustic or "", vocoder or ""]
    return [in_child("synth", str(t), *extra) for t in threads]


def speed_table(rows: list[dict]) -> list[str]:
    lines = [
        "| threads | audio s | RTF end-to-end | RTF frontend | RTF acoustic | RTF vocoder | RTF level + watermark "
        "| first audio s | load s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['threads']} | {r['audio_s']:.1f} | {r['rtf']:.4f} | {r['rtf_frontend']:.4f} | "
                     f"{r['rtf_acoustic']:.4f} | {r['rtf_vocoder']:.4f} | {r['rtf_finish']:.4f} | "
                     f"{r['first_audio_s']:.3f} | "
                     f"{r['load_s']:.2f} | {r['peak_rss_mb']:.0f} |")
    return lines


def main() -> None:
    print("\n".join(speed_table(speed_rows())))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        job, threads, *rest = sys.argv[2:]
        print(json.dumps(CHILD_JOBS[job](int(threads), *[r or None for r in rest])))
    else:
        main()
