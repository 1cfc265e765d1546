"""`tts detect`: is this audio from tts? Looks for the watermark (and shows the synthetic-speech tag if any)."""

from __future__ import annotations

from pathlib import Path

import typer

EPILOG = """Examples:

  tts detect out.wav downloaded.mp3

  tts detect *.opus && echo "at least one file is tts output"

Prints one line per file: 'synthetic (score z=18.9)' or 'no watermark found (score z=2.1)',
and the file's text tag when it has one ('tagged: synthetic speech (tts-clone)'). The score
is a z-score: audio without the watermark scores about 0 to 4; 6 or more means watermarked.
Files are read at any rate; stereo is mixed down.

Exit codes: 0 a watermark was found in at least one file; 1 none was found; 2 a file could
not be read (after the results for the others).

Limits: a missing watermark does not prove a recording is real (other tools do not mark their
output, and heavy processing can remove this mark); the tag is only a label any editor can change.
"""


def detect(
    files: list[Path] = typer.Argument(..., help="Audio files to check (wav, flac, ogg, opus, mp3; any rate)."),
    key: str = typer.Option(None, "--key",
                            help="Watermark key to look for (default: the built-in key every tts output carries)."),
) -> None:
    """Check FILEs for the tts watermark: exit code 0 if any has it, 1 if none, 2 if a file cannot be read."""
    from tts.audio.io import AudioError, load_audio, read_tags
    from tts.watermark import DEFAULT_KEY, watermarker

    if key is not None and not key:
        typer.echo("error: the key is empty: leave --key out to use the built-in key", err=True)
        raise typer.Exit(2)
    marker = watermarker(key or DEFAULT_KEY)
    found = unreadable = False
    for path in files:
        try:
            wav = load_audio(path)
            result = marker.detect(wav)
        except AudioError as exc:
            typer.echo(f"error: {exc}", err=True)
            unreadable = True
            continue
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130)
        found |= result.found
        verdict = "synthetic" if result.found else "no watermark found"
        detail = f"score z={result.score:.1f}"
        if result.too_short:
            detail += f"; only {result.active_seconds:.1f} s of sound: too little to tell"
        label = next((text for text in read_tags(path).values() if "synthetic" in text.lower()), None)
        typer.echo(f"{path}: {verdict} ({detail})" + (f"; tagged: {label}" if label else ""))
    raise typer.Exit(2 if unreadable else 0 if found else 1)
