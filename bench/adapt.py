"""Personal-voice fine-tuning cost: `python -m bench.adapt [--threads 2] [--out bench/ADAPT.md]`.

For dev speakers with the shortest and the longest reference clips, each in a fresh process: the wall time of
`tts.finetune.personal.adapt_profile` on the first 3 clips (sorted) with the default 5-minute budget, model
loading included, its steps, and the process's peak resident memory. Part of `python -m bench.run`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from tts.eval.runner import DEFAULT_EVAL_DIR, DEV_SET_CONSENT, cpu_name

SPEAKERS = ("vctk_p225", "libritts_1089")  # about 10 s and 60 s of speech in their first 3 clips
CLIPS = 3


def measure(speaker: str, threads: int) -> dict:
    """Adapt `speaker`'s first clips in this process; the numbers as a dict."""
    import torch

    torch.set_num_threads(threads)
    from tts.audio import load_audio
    from tts.encoder.enroll import analyse_clips, consent_for, sha256_file
    from tts.finetune.personal import adapt_profile

    with open(DEFAULT_EVAL_DIR / "refs.tsv", encoding="utf-8", newline="") as handle:
        rows = sorted((r for r in csv.DictReader(handle, delimiter="\t") if r["speaker"] == speaker),
                      key=lambda r: r["path"])[:CLIPS]
    paths = [DEFAULT_EVAL_DIR / r["path"] for r in rows]
    enrollment = analyse_clips(paths)
    profile = enrollment.profile(speaker.replace("_", "-"), consent=consent_for(enrollment, DEV_SET_CONSENT))
    start = time.perf_counter()
    adapted, result = adapt_profile(profile, [load_audio(p) for p in paths], [r["text"] for r in rows],
                                    [sha256_file(p) for p in paths])
    return {"speaker": speaker, "threads": threads, "speech_s": adapted.personal["speech_seconds"],
            "wall_s": time.perf_counter() - start, "steps": result.steps,
            "loss": [result.loss_before, result.loss_after], "size_mb": len(result.adapter.to_bytes()) / 1e6,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def adapt_rows(threads: int) -> list[dict]:
    """`measure` for each of SPEAKERS, each in a fresh process."""
    rows = []
    for speaker in SPEAKERS:
        out = subprocess.run([sys.executable, "-m", "bench.adapt", "--child", speaker, str(threads)],
                             capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": str(threads)})
        if out.returncode != 0:
            raise RuntimeError(f"bench.adapt child failed:\n{out.stderr[-2000:]}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return rows


def adapt_table(rows: list[dict]) -> list[str]:
    return [
        "| speaker | threads | speech s | wall s | acoustic + vocoder steps | mel error on the clips | weights MB | "
        "peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {r['speaker']} | {r['threads']} | {r['speech_s']:.1f} | {r['wall_s']:.0f} | "
          f"{r['steps']['acoustic']} + {r['steps']['vocoder']} | {r['loss'][0]:.3f} -> {r['loss'][1]:.3f} | "
          f"{r['size_mb']:.2f} | {r['peak_rss_mb']:.0f} |" for r in rows],
        "",
        "`adapt_profile` (what `tts enroll --adapt` and `tts voices adapt` run) on the speaker's first 3 dev "
        "reference clips (../shared/eval/dev/refs) with their refs.tsv transcripts and the default 5-minute budget, "
        "in a fresh process, model loading included; peak RSS is the whole process.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure personal-voice fine-tuning time and memory.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    parser.add_argument("--child", nargs=2, metavar=("SPEAKER", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    lines = ["# Personal-voice fine-tuning", "",
             f"Measured with `python -m bench.adapt --threads {args.threads}` on {cpu_name()}, {os.cpu_count()} cores; "
             f"load average (1 min) {os.getloadavg()[0]:.1f} at the end.", "",
             *adapt_table(adapt_rows(args.threads))]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
