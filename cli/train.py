"""`tts train`: prepare features, train the acoustic model or the vocoder, export shipped weights."""

from __future__ import annotations

from pathlib import Path

import typer

from tts.cli.errors import check_threads, friendly_errors

app = typer.Typer(help="Train the models on a corpus.", no_args_is_help=True)


@app.callback()
@friendly_errors
def needs_torch() -> None:
    """Train the models on a corpus (needs the train extra: pip install 'tts-clone[train]')."""
    from tts.extras import require_training

    require_training("training")


@app.command()
@friendly_errors
def prepare(
    corpus: Path = typer.Argument(..., help="Manifest TSV (path, speaker, text) or corpus folder."),
    out: Path = typer.Option(Path("cache/corpus"), "--out", help="Feature cache folder to write."),
    kind: str = typer.Option("manifest", "--kind", help="manifest, ljspeech, vctk or libritts."),
    workers: int = typer.Option(2, "--workers", help="Parallel processes."),
    limit: int = typer.Option(None, "--limit", help="Use only the first N utterances."),
) -> None:
    """Compute mels, pitch, audio and speaker embeddings of a corpus into a feature cache.

    Example: tts train prepare ../shared/data/corpus/metadata.tsv --out cache/corpus
    """
    from tts.train.run import prepare as run_prepare

    kept, skipped = run_prepare(kind, corpus, out, workers, limit)
    typer.echo(f"{kept} utterances cached in {out}; {len(skipped)} skipped")
    for reason in skipped[:20]:
        typer.echo(f"  skipped: {reason}")


@app.command()
@friendly_errors
def pack(
    corpus: Path = typer.Argument(..., help="Manifest TSV (path, speaker, text) with audio beside it."),
    out: Path = typer.Option(Path("pack"), "--out", help="Empty folder to fill with the subset."),
    max_mb: float = typer.Option(30.0, "--max-mb", help="Audio size limit in MB."),
    largest_share: float = typer.Option(0.35, "--largest-share", help="Share of the size the largest speaker may take."),
) -> None:
    """Copy a size-capped subset of a corpus, every speaker first, for a machine reached over a size-limited link.

    Example: tts train pack ../shared/data/corpus/metadata.tsv --out pack --max-mb 30
    """
    from tts.train.pack import pack_subset

    count, size = pack_subset(corpus, out, max_mb, largest_share)
    typer.echo(f"{count} utterances ({size / 1e6:.1f} MB) copied to {out}; manifest {out / 'metadata.tsv'}")


@app.command()
@friendly_errors
def gta(
    cache: Path = typer.Option(Path("cache/corpus"), "--cache", help="Feature cache from `tts train prepare`."),
    acoustic: Path = typer.Option(None, "--acoustic", help="Acoustic model file (default: the shipped one)."),
    threads: int = typer.Option(None, "--threads", callback=check_threads, help="CPU threads."),
) -> None:
    """Add the acoustic model's teacher-forced mels to a cache, to fine-tune the vocoder on them.

    Example: tts train gta --cache cache/corpus && tts train vocoder --config tts/train/configs/vocoder-gta.toml
    """
    import torch

    from tts.train.gta import write_gta_mels
    from tts.runtime.model_file import ACOUSTIC_FILE

    if threads:
        torch.set_num_threads(threads)
    count = write_gta_mels(cache, acoustic or ACOUSTIC_FILE)
    typer.echo(f"teacher-forced mels of {count} utterances written to {cache}")


def _train(model: str, cache: Path, out: Path, config: Path | None, max_steps: int | None,
           max_minutes: float | None, threads: int | None, workers: int, init: Path | None,
           cpu_bf16: bool) -> None:
    from tts.train.run import train

    step = train(model, cache, out, config, max_steps, max_minutes, threads, workers, init, cpu_bf16)
    typer.echo(f"{model} training stopped at step {step}; checkpoint {out / 'last.pt'}")


CACHE = typer.Option(Path("cache/corpus"), "--cache", help="Feature cache from `tts train prepare`.")
CONFIG = typer.Option(None, "--config", help="TOML config overriding the built-in one.")
STEPS = typer.Option(None, "--max-steps", help="Stop at this step (default: the config's max_steps).")
MINUTES = typer.Option(None, "--max-minutes", help="Stop after this many minutes.")
THREADS = typer.Option(None, "--threads", callback=check_threads, help="CPU threads.")
WORKERS = typer.Option(0, "--workers", help="Data-loading processes.")
INIT = typer.Option(None, "--init", help="Weights file to start from when OUT has no checkpoint (e.g. the shipped one).")
CPU_BF16 = typer.Option(False, "--cpu-bf16", help="bf16 mixed precision on a CPU too (faster with AVX512-BF16 or AMX).")


@app.command()
@friendly_errors
def acoustic(cache: Path = CACHE, out: Path = typer.Option(Path("runs/acoustic"), "--out"), config: Path = CONFIG,
             max_steps: int = STEPS, max_minutes: float = MINUTES, threads: int = THREADS,
             workers: int = WORKERS, init: Path = INIT, cpu_bf16: bool = CPU_BF16) -> None:
    """Train the acoustic model; resumes from OUT/last.pt. Several GPUs: torchrun --nproc_per_node N -m tts.cli ..."""
    _train("acoustic", cache, out, config, max_steps, max_minutes, threads, workers, init, cpu_bf16)


@app.command()
@friendly_errors
def vocoder(cache: Path = CACHE, out: Path = typer.Option(Path("runs/vocoder"), "--out"), config: Path = CONFIG,
            max_steps: int = STEPS, max_minutes: float = MINUTES, threads: int = THREADS,
            workers: int = WORKERS, init: Path = INIT, cpu_bf16: bool = CPU_BF16) -> None:
    """Train the vocoder; resumes from OUT/last.pt."""
    _train("vocoder", cache, out, config, max_steps, max_minutes, threads, workers, init, cpu_bf16)


@app.command()
@friendly_errors
def export(
    model: str = typer.Argument(..., help="acoustic or vocoder"),
    checkpoint: Path = typer.Argument(..., help="Training checkpoint (last.pt)."),
    out: Path = typer.Option(None, "--out", help="Model file (default: MODEL.onnx beside the checkpoint, in the "
                                                 "run folder)."),
    int8: bool = typer.Option(False, "--int8", help="Store the large weights in int8 (per-channel scales) rather "
                                                    "than fp16: about 40% smaller; the shipped models use it."),
) -> None:
    """Write a checkpoint's model as the ONNX model file synthesis runs (fp16 weights, no optimizer state); to ship
    it, copy MODEL.onnx (and for the acoustic model MODEL.aligner.npz) over tts/weights/ in the repository."""
    from tts.train.run import export as run_export
    from tts.models import model_kind

    model_kind(model)  # an unknown kind fails before any work
    target = out or checkpoint.parent / f"{model}.onnx"
    meta = run_export(model, checkpoint, target, int8)
    typer.echo(f"wrote {target} (step {meta['steps']}, {target.stat().st_size / 1e6:.1f} MB)")


@app.command("export-voice")
@friendly_errors
def export_voice(
    speaker: str = typer.Argument(..., help="Speaker id in the feature cache, e.g. joe."),
    name: str = typer.Option(None, "--name", help="Voice name (default: the speaker id)."),
    cache: Path = CACHE,
    out_dir: Path = typer.Option(Path("."), "--out-dir", help="Folder for the profile (default: the current one)."),
) -> None:
    """Write a voice profile from the mean speaker embedding of a training speaker."""
    from tts.data.cache import FeatureCache
    from tts.voices import VoiceProfile, check_name, write_atomic
    features = FeatureCache.open(cache)
    profile = VoiceProfile(name=check_name(name or speaker),
                           embedding=[round(float(x), 6) for x in features.speaker_mean(speaker)],
                           description=f"mean speaker embedding of training speaker '{speaker}'")
    target = out_dir / f"{profile.name}.json"
    write_atomic(target, profile.to_json() + "\n")
    typer.echo(f"wrote {target}")
