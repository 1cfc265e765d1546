"""`tts enroll`: make a voice from a few recordings of a speaker."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cli.errors import fail, friendly_errors
from tts.voices import MAX_TEXT_CHARS, printable

VOICES_DIR_HELP = "Folder of enrolled voices (default: $TTS_VOICES_DIR or the user data folder)."

CONSENT_HELP = ("Statement that the speaker agreed to have their voice cloned (stored with the voice). "
                "Without it, tts asks at a terminal and refuses otherwise.")
CONSENT_EXAMPLE = "Recorded with Jane's written consent on 2026-11-27"

EPILOG = """Examples:

  tts enroll alice alice1.wav alice2.flac alice3.mp3 --description "Alice, studio mic" \\
      --consent "Alice agreed in writing on 2026-11-27 (signed form in the project folder)"

  tts say "Hello from Alice." --voice alice -o hello.wav

About 10-30 s of clean speech over 3 or more clips works best; at least 3 s is needed.
Each clip may last at most 60 s: cut longer recordings into clips.

Consent: clone only voices whose owners agreed. The statement, the time and the clip
fingerprints are kept in the voice (tts voices show NAME). Everything tts says carries a
watermark, and files a tag naming them synthetic (see tts detect).
"""


def _interactive() -> bool:
    return sys.stdin.isatty()


def confirm_consent(speaker: str, statement: str | None, action: str = "enrollment") -> tuple[str, str]:
    """(statement, method): the --consent text, or a yes at the terminal; anything else stops the command."""
    if statement is not None:
        if not statement.strip():
            fail(f'the consent statement is empty: say who agreed and how, e.g. --consent "{CONSENT_EXAMPLE}"')
        check_length("consent statement", statement.strip())
        return statement.strip(), "flag"
    if not _interactive():
        fail(f'{action} needs the speaker\'s consent: pass --consent "..." (e.g. "{CONSENT_EXAMPLE}")')
    if not typer.confirm(f"Has {speaker} agreed to have their voice cloned?", default=False):
        fail("stopped: clone a voice only with its speaker's consent")
    return f"{speaker} agreed to have their voice cloned (confirmed at the interactive prompt)", "prompt"


def check_length(label: str, text: str) -> None:
    """Stop the command if `text` is longer than a voice profile may hold (checked before any audio work)."""
    if len(text) > MAX_TEXT_CHARS:
        fail(f"the {label} has {len(text)} characters; the limit is {MAX_TEXT_CHARS}: shorten it")


def print_clip_table(enrollment) -> None:
    """Per-clip length, speech and consistency, then the warnings and notes (file names with control characters
    escaped)."""
    names = [printable(c.path.name) for c in enrollment.clips]
    width = max(12, *map(len, names))
    typer.echo(f"{'clip':<{width}}  {'length':>7}  {'speech':>7}  {'consistency':>11}")
    for name, clip in zip(names, enrollment.clips):
        consistency = f"{clip.consistency:.2f}" if clip.consistency is not None else ("-" if clip.used else "left out")
        typer.echo(f"{name:<{width}}  {clip.seconds:6.1f}s  {clip.speech_seconds:6.1f}s  {consistency:>11}")
    used = sum(c.used for c in enrollment.clips)
    typer.echo(f"total speech {enrollment.speech_seconds:.1f} s from {used} clip(s)")
    for warning in enrollment.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for note in enrollment.notes:
        typer.echo(f"note: {note}", err=True)


@friendly_errors
def enroll(
    name: str = typer.Argument(..., help="Name for the new voice (letters, digits, '-', '_', '.')."),
    clips: list[Path] = typer.Argument(..., help="Recordings of the speaker (wav, flac, ogg, opus, mp3; any rate; "
                                                  "at most 60 s each)."),
    description: str = typer.Option("", "--description", "-d", help="Free text stored with the voice."),
    consent: str = typer.Option(None, "--consent", help=CONSENT_HELP),
    force: bool = typer.Option(False, "--force", help="Replace an existing voice of that name."),
    voices_dir: Path = typer.Option(None, "--voices-dir", help=VOICES_DIR_HELP),
) -> None:
    """Enroll a voice NAME from one or more CLIPs of one speaker (3 or more clips are better), with the speaker's
    consent."""
    from tts.encoder.enroll import analyse_clips, consent_for
    from tts.voices import VoiceLibrary

    library = VoiceLibrary(voices_dir)
    library.check_can_save(name, force)  # a bad or taken name fails before any audio work
    check_length("description", description)
    statement, method = confirm_consent(name, consent)  # ... and so does missing consent
    enrollment = analyse_clips(clips)
    print_clip_table(enrollment)
    profile = enrollment.profile(name, description, consent_for(enrollment, statement, method))
    path = library.save(profile, force=force)
    typer.echo(f"saved voice '{name}' to {path}")
    typer.echo(f"use it with: tts say \"Hello.\" --voice {name}" +
               (f" --voices-dir {voices_dir}" if voices_dir else ""))
