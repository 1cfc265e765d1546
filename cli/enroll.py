"""`tts enroll`: make a voice from a few recordings of a speaker."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.errors import friendly_errors

VOICES_DIR_HELP = "Folder of enrolled voices (default: $TTS_VOICES_DIR or the user data folder)."

EPILOG = """Examples:

  tts enroll alice alice1.wav alice2.flac alice3.mp3 --description "Alice, studio mic"

  tts say "Hello from Alice." --voice alice -o hello.wav

About 10-30 s of clean speech over 3 or more clips works best; at least 3 s is needed.
"""


def print_clip_table(enrollment) -> None:
    """Per-clip length, speech and consistency, then the warnings and notes."""
    width = max(12, *(len(c.path.name) for c in enrollment.clips))
    typer.echo(f"{'clip':<{width}}  {'length':>7}  {'speech':>7}  {'consistency':>11}")
    for clip in enrollment.clips:
        consistency = f"{clip.consistency:.2f}" if clip.consistency is not None else ("-" if clip.used else "left out")
        typer.echo(f"{clip.path.name:<{width}}  {clip.seconds:6.1f}s  {clip.speech_seconds:6.1f}s  {consistency:>11}")
    used = sum(c.used for c in enrollment.clips)
    typer.echo(f"total speech {enrollment.speech_seconds:.1f} s from {used} clip(s)")
    for warning in enrollment.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for note in enrollment.notes:
        typer.echo(f"note: {note}", err=True)


@friendly_errors
def enroll(
    name: str = typer.Argument(..., help="Name for the new voice (letters, digits, '-', '_', '.')."),
    clips: list[Path] = typer.Argument(..., help="Recordings of the speaker (wav, flac, ogg, opus, mp3; any rate)."),
    description: str = typer.Option("", "--description", "-d", help="Free text stored with the voice."),
    force: bool = typer.Option(False, "--force", help="Replace an existing voice of that name."),
    voices_dir: Path = typer.Option(None, "--voices-dir", help=VOICES_DIR_HELP),
) -> None:
    """Enroll a voice NAME from one or more CLIPs of one speaker (3 or more clips are better)."""
    from tts.encoder.enroll import analyse_clips
    from tts.voices import VoiceLibrary

    library = VoiceLibrary(voices_dir)
    library.check_can_save(name, force)  # a bad or taken name fails before any audio work
    enrollment = analyse_clips(clips)
    print_clip_table(enrollment)
    profile = enrollment.profile(name, description)
    path = library.save(profile, force=force)
    typer.echo(f"saved voice '{name}' to {path}")
    typer.echo(f"use it with: tts say \"Hello.\" --voice {name}" +
               (f" --voices-dir {voices_dir}" if voices_dir else ""))
