"""Speed and memory of `tts say`: per-stage and end-to-end real-time factor, time to first audio, peak RSS.

Usage: python -m bench.speed            (writes bench/RESULTS.md)
Each thread count runs in a fresh process so that peak memory is that of one synthesis session.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

PARAGRAPH = (
    "The old lighthouse stood at the edge of the cliff for more than a hundred years. Every night its beam swept "
    "across the water, guiding fishing boats safely back to the harbour. In 1987, a storm damaged the lamp, and the "
    "town raised $12,500 to repair it. Today, visitors can climb the 154 steps to the top, where the view stretches "
    "for miles on a clear day. Dr. Ellis, who has studied the coast since the 1990s, says the lighthouse is still "
    "one of the best places to watch the sunset."
)
RESULTS = Path(__file__).with_name("RESULTS.md")
REPEATS = 5


def measure(threads: int) -> dict:
    """Runs in a child process: load, warm up, then time each stage over REPEATS runs (best run kept)."""
    import numpy as np
    import torch

    from tts.synthesizer import Synthesizer

    start = time.perf_counter()
    synth = Synthesizer(threads=threads)
    load_s = time.perf_counter() - start
    speaker = synth.speaker_vector(None)
    synth.synthesize("Warm up.")
    best: dict | None = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        chunks = synth.frontend.chunks(PARAGRAPH)
        t1 = time.perf_counter()
        acoustic_s = vocoder_s = 0.0
        samples = 0
        first_audio = None
        with torch.inference_mode():
            for chunk in chunks:
                a = time.perf_counter()
                mel = synth.acoustic.synthesize(torch.tensor(chunk.ids), speaker)
                b = time.perf_counter()
                wav = synth.vocoder(mel[None])[0]
                c = time.perf_counter()
                acoustic_s += b - a
                vocoder_s += c - b
                samples += len(wav) + int(chunk.pause_after * synth.sample_rate)
                if first_audio is None:
                    first_audio = c - t0
        total = time.perf_counter() - t0
        audio_s = samples / synth.sample_rate
        run = {"frontend_s": t1 - t0, "acoustic_s": acoustic_s, "vocoder_s": vocoder_s, "total_s": total,
               "audio_s": audio_s, "first_audio_s": first_audio}
        if best is None or run["total_s"] < best["total_s"]:
            best = run
    assert best is not None
    best.update({"threads": threads, "load_s": load_s,
                 "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                 "rtf": best["total_s"] / best["audio_s"], "rtf_acoustic": best["acoustic_s"] / best["audio_s"],
                 "rtf_vocoder": best["vocoder_s"] / best["audio_s"], "rtf_frontend": best["frontend_s"] / best["audio_s"]})
    return best


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    import os

    rows = []
    for threads in (1, 2):
        out = subprocess.run([sys.executable, "-m", "bench.speed", "--child", str(threads)], capture_output=True,
                             text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    lines = [
        "# Benchmark results",
        "",
        f"Measured {date.today().isoformat()} with `python -m bench.speed` on {cpu_name()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. Paragraph of {len(PARAGRAPH)} characters "
        f"(in bench/speed.py), default voice, best of {REPEATS} runs after a warm-up.",
        "",
        "| threads | audio s | RTF end-to-end | RTF frontend | RTF acoustic | RTF vocoder | first audio s | load s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['threads']} | {r['audio_s']:.1f} | {r['rtf']:.4f} | {r['rtf_frontend']:.4f} | "
                     f"{r['rtf_acoustic']:.4f} | {r['rtf_vocoder']:.4f} | {r['first_audio_s']:.3f} | "
                     f"{r['load_s']:.2f} | {r['peak_rss_mb']:.0f} |")
    lines += ["", "RTF = processing time / audio duration (lower is faster). First audio = time from text to the "
              "first chunk's waveform.", ""]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main()
