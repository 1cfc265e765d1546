"""Throughput of `tts batch`: seconds of audio made per wall-clock second on a generated script, 1 and 2 workers.

Usage: python -m bench.batch [--lines 200] [--workers 1 2] [--acoustic A.onnx --vocoder V.onnx]
(`python -m bench.run` includes it in bench/RESULTS.md). Each worker count runs in a fresh process, from an empty
output folder, and its wall time includes starting the workers and loading the models: what a user waits for.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = 200
WORKERS = (1, 2)
OPENINGS = ["", "Today, ", "In the morning, ", "After lunch, ", "Later that week, ", "Without a word, ",
            "On Tuesday, ", "By 1987, ", "Before the storm, ", "Every year, "]
SUBJECTS = ["the teacher", "my neighbour", "a small boy", "the old captain", "Dr. Ellis", "our team", "the pilot",
            "a friendly dog", "the whole village", "her brother"]
VERBS = ["opened", "painted", "carried", "explained", "found", "repaired", "described", "sold", "counted", "followed"]
OBJECTS = ["the heavy wooden door", "three red apples", "a map of the coast", "the broken lamp",
           "$12.50 worth of bread",
           "the long history of the harbour", "twenty-one letters", "a quiet path through the hills",
           "the lesson on fractions", "every boat in the bay"]
ENDINGS = [".", ".", ".", "?", "!", ", and then everyone went home.", ", which surprised nobody.",
           ", just as the rain began to fall.", " before the sun went down.", "; it took almost an hour."]


def script_lines(count: int = LINES, seed: int = 0) -> list[str]:
    """`count` varied sentences (4 to 25 words, numbers, questions), the same for a given seed."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        opening = rng.choice(OPENINGS)
        subject = rng.choice(SUBJECTS)
        sentence = f"{opening}{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(ENDINGS)}"
        lines.append(sentence[0].upper() + sentence[1:])
    return lines


def measure(workers: int, lines: int = LINES, acoustic: str | None = None, vocoder: str | None = None) -> dict:
    """Runs in a child process: render a generated `lines`-line script with `workers` workers."""
    from tts.batch import render_batch

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "script.txt"
        script.write_text("\n".join(script_lines(lines)) + "\n", encoding="utf-8")
        start = time.perf_counter()
        result = render_batch(script, Path(folder) / "out", workers=workers, acoustic=acoustic, vocoder=vocoder)
        wall = time.perf_counter() - start
    if result.errors:
        raise RuntimeError(f"benchmark script had errors: {result.errors[0]}")
    return {"workers": workers, "lines": lines, "audio_s": result.audio_seconds, "wall_s": wall,
            "throughput": result.audio_seconds / wall}


def in_child(workers: int, lines: int, acoustic: str | None, vocoder: str | None) -> dict:
    command = [sys.executable, "-m", "bench.batch", "--child", str(workers), str(lines), acoustic or "", vocoder or ""]
    out = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if out.returncode != 0:
        raise RuntimeError(f"batch benchmark with {workers} worker(s) failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def batch_rows(workers: tuple[int, ...] = WORKERS, lines: int = LINES, acoustic: str | None = None,
               vocoder: str | None = None) -> list[dict]:
    return [in_child(w, lines, acoustic, vocoder) for w in workers]


def batch_table(rows: list[dict]) -> list[str]:
    lines = ["| workers | lines | audio s | wall s | audio s per wall s | speed-up |",
             "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['workers']} | {row['lines']} | {row['audio_s']:.1f} | {row['wall_s']:.1f} | "
                     f"{row['throughput']:.2f} | {row['throughput'] / rows[0]['throughput']:.2f} |")
    count = rows[0]["lines"] if rows else LINES
    lines += ["", f"`python -m bench.batch`: `tts batch` on a generated script of {count} "
              "varied sentences (bench/batch.py), default voice, WAV, empty output folder; wall time includes "
              "starting the workers and loading the models (each worker uses cores / workers threads)."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure tts batch throughput.")
    parser.add_argument("--lines", type=int, default=LINES)
    parser.add_argument("--workers", type=int, nargs="+", default=list(WORKERS))
    parser.add_argument("--acoustic")
    parser.add_argument("--vocoder")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = batch_rows(tuple(args.workers), args.lines, args.acoustic, args.vocoder)
    print("\n".join(batch_table(rows)))
    print(f"\n{os.cpu_count()} cores; load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        workers, lines, *rest = sys.argv[2:]
        print(json.dumps(measure(int(workers), int(lines), *[r or None for r in rest])))
    else:
        main()
