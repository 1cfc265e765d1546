"""`tts batch`: render a whole script, one audio file per line, resumable and in parallel."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tts.cli.enroll import QUIET_HELP, VERIFIED_ONLY_HELP, check_library_voice
from tts.cli.errors import check_threads, fail, friendly_errors
from tts.limits import MAX_PITCH_SHIFT, MAX_SPEED, MAX_VOLUME_DB, MIN_SPEED, MIN_VOLUME_DB
from tts.voices import VoiceError

EPILOG = f"""Script formats (UTF-8, chosen by the extension; # comments are ignored).

\b
Text (.txt or any other extension), one utterance per line,
files named by line number (0007.wav):
  # a comment
  @voice joe              voice of the lines that follow
  @speed 1.1              speed of the lines that follow ({MIN_SPEED:g} to {MAX_SPEED:g})
  Welcome to lesson one.
  @pause 1.5s             silence in the --combine file (also 500ms)
  @gap 0.2s               silence between the lines that follow
  [alice] Hello.          this line only, in voice alice
  [alice speed=0.9] Now.  voice and speed for this line
  [speed=1.3] Faster.     speed for this line, in the current voice
  \\@home is read as is    a leading backslash escapes @ [ #
  Note: a colon is ordinary text, never a voice.

Tables (.tsv): id|text or id|voice|text per line (tab or |), or a header line such as id|voice|speed|text. CSV (.csv): the same columns separated by commas, as spreadsheets save them: intro,"Hello, world." JSON Lines (.jsonl): one {{"id": "intro", "voice": "joe", "text": "Hello.", "speed": 1.0, "pause": 0.5}} per line ("pause": seconds after this line).

In the --combine file lines are 0.35 s apart (@gap), 0.75 s after a blank line (a paragraph, as in tts say), or as long as @pause or "pause" says. Pauses only change the --combine file: no line is rendered again.

Output: OUTDIR/ID.wav per line and OUTDIR/manifest.jsonl (id, line, voice, text, file, duration, file_sha256, hash). Running again skips lines whose file is intact and whose text, voice and settings are unchanged (--force redoes them); Ctrl-C keeps only finished files. One run at a time per folder; the --combine file goes outside it. A bad line is reported as FILE:LINE: reason, the others still render, and the exit code is 1 (--strict stops at the first error).

\b
Examples:
  tts batch lesson.txt -o lesson/ --combine lesson.mp3
  tts batch chapter.txt -o chapter/ --combine chapter.mp3
  tts batch lines.csv -o lines/ --format flac --workers 2
  tts batch dialogue.jsonl -o out/ --strict
"""


def _escape_markup(text: str) -> str:
    """Typer renders help with rich markup, where [name] would be read as a style."""
    try:
        from rich.markup import escape
    except ImportError:
        return text
    return escape(text)


EPILOG = _escape_markup(EPILOG)


class _Progress:
    """A progress bar with ETA on standard error (only on a terminal); messages go around it."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, event: str, payload: object) -> None:
        if event == "plan":
            to_render, skipped = payload
            if skipped:
                self.echo(f"{skipped} line(s) unchanged since the last run: skipped (--force redoes them)")
            if to_render:
                from tqdm import tqdm

                self.bar = tqdm(total=to_render, unit="line", file=sys.stderr, disable=None, dynamic_ncols=True)
        elif event == "error":
            self.echo(f"{payload}")
            self.advance()
        elif event == "done":
            self.advance()

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def echo(self, message: str) -> None:
        if self.bar is not None and not self.bar.disable:
            self.bar.write(message, file=sys.stderr)
        else:
            typer.echo(message, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@friendly_errors
def batch(
    script: Path = typer.Argument(..., help="Script file: text (.txt), table (.tsv .csv) or JSON Lines (.jsonl)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output folder (created if missing)."),
    fmt: str = typer.Option("wav", "--format", "-f", help="Audio format of each file: wav, flac, ogg, opus or mp3."),
    combine: Path = typer.Option(None, "--combine",
                                 help="Also write every line, with the script's pauses, into this one file."),
    workers: int = typer.Option(1, "--workers", "-j", min=1, help="Processes rendering in parallel, each loading "
                                                                  "the models once."),
    force: bool = typer.Option(False, "--force", help="Render every line again, even the unchanged ones."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad line."),
    voice: str = typer.Option(None, "--voice", "-v",
                              help="Voice of lines that name none (default: the bundled voice)."),
    speed: float = typer.Option(1.0, "--speed", help="Speed of lines that set none: 0.5 is half speed, 2 is double."),
    pitch: float = typer.Option(0.0, "--pitch", help=f"Pitch shift in semitones (-{MAX_PITCH_SHIFT:g} to "
                                                     f"{MAX_PITCH_SHIFT:g}), for every line."),
    volume: float = typer.Option(0.0, "--volume", help=f"Level in dB against the standard -23 LUFS ({MIN_VOLUME_DB:g} "
                                                       f"to {MAX_VOLUME_DB:g}), for every line."),
    lexicon: Path = typer.Option(None, "--lexicon", help="Pronunciation file: lines 'WORD  PH1 PH2 ...' (ARPAbet)."),
    threads: int = typer.Option(None, "--threads", callback=check_threads,
                                help="CPU threads of each worker (default: cores / workers, at least 1)."),
    acoustic: Path = typer.Option(None, "--acoustic", hidden=True, help="Acoustic model file (testing)."),
    vocoder: Path = typer.Option(None, "--vocoder", hidden=True, help="Vocoder model file (testing)."),
    verified_only: bool = typer.Option(False, "--verified-only", envvar="TTS_VERIFIED_ONLY", help=VERIFIED_ONLY_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Render a script (dialogue, lesson, chapter): one audio file per line, resumable, in parallel."""
    from tts.batch import BatchInterrupted, parse_script, render_batch
    from tts.voices import load_voice

    if not -MAX_PITCH_SHIFT <= pitch <= MAX_PITCH_SHIFT:
        fail(f"pitch shift {pitch} is out of range: use -{MAX_PITCH_SHIFT:g} to {MAX_PITCH_SHIFT:g} semitones")
    if voice:
        load_voice(voice)  # an unknown --voice is an error for the whole run, not for each line
    parsed = parse_script(script, default_voice=voice, default_speed=speed)
    for name in sorted({item.voice for item in parsed.items}):
        try:
            check_library_voice(name, None, verified_only, quiet)
        except VoiceError:
            pass  # an unknown voice is reported on its lines
    progress = _Progress()
    try:
        result = render_batch(parsed, output, fmt=fmt, combine=combine, workers=workers, force=force, strict=strict,
                              pitch=pitch, volume=volume, acoustic=acoustic, vocoder=vocoder, lexicon=lexicon, threads=threads,
                              report=progress)
    except BatchInterrupted as stop:
        progress.close()
        done = stop.result
        fail(f"interrupted: {done.done} of {done.total} lines done (finished files kept, nothing partial); "
             "run the same command again to resume", code=130)
    finally:
        progress.close()
    failed = len(result.errors)
    typer.echo(f"{len(result.rendered)} rendered, {len(result.skipped)} unchanged, {failed} failed of "
               f"{result.total} lines; {result.audio_seconds:.1f} s of audio in {result.outdir} "
               f"(list: {result.manifest})", err=True)
    if result.combined:
        typer.echo(f"wrote {result.combined}", err=True)
    elif result.combine_skipped:
        typer.echo(f"combined file not written: {result.combine_skipped}", err=True)
    if failed:
        raise typer.Exit(1)
