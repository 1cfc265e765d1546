"""`tts say`: speak text into a file, standard output or the speakers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import typer

from cli.errors import check_threads, fail, friendly_errors
from tts.audio.io import AudioFileWriter, check_output, pcm16, streaming_wav_header

MAX_TEXT_CHARS = 1_000_000

EPILOG = """Examples:

  tts say "Dr. Smith paid $3.50 on May 5th, 2024." -o out.wav

  tts say "Slower and lower." --speed 0.8 --pitch -2 -o slow.flac

  tts say "Quieter than the standard level." --volume -6 -o quiet.wav

  cat chapter.txt | tts say - -o chapter.ogg

  tts say "Straight to a pipe." -o - | aplay

  tts say "In an enrolled voice." --voice alice -o alice.wav

  tts say "In the voice of these clips, saving nothing." --ref a.wav --ref b.flac -o once.wav \\
      --consent "Jane agreed by e-mail on 2026-11-27"

Every voice speaks at one loudness (-20 LUFS, ITU-R BS.1770) unless --volume moves it.
Cloning with --ref needs the speaker's consent, as tts enroll does (--consent, or a yes at a
terminal). All output carries an inaudible watermark and, in files, a tag naming it synthetic
(see tts detect).
"""


def read_text(text: str) -> str:
    """The text to speak: `text` itself, or standard input for '-' (read no further than the limit)."""
    if text == "-":
        text = sys.stdin.read(MAX_TEXT_CHARS + 1)
    if len(text) > MAX_TEXT_CHARS:
        fail(f"text is over the limit of {MAX_TEXT_CHARS:,} characters: split it into several files or use tts batch")
    if not text.strip():
        fail("no text given: pass the text to speak, or - to read it from standard input")
    return text


def load_voice(name: str | None, voices_dir: Path | None):
    from tts.voices import VoiceLibrary

    return VoiceLibrary(voices_dir).get(name)


def reference_voice(clips: list[Path]):
    """Zero-shot: a voice profile made from `clips` now and not saved."""
    from tts.encoder.enroll import analyse_clips

    enrollment = analyse_clips(clips)
    for warning in enrollment.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return enrollment.profile("reference")


@friendly_errors
def say(
    text: str = typer.Argument(..., help="Text to speak, or - to read standard input."),
    output: str = typer.Option(None, "-o", "--output",
                               help="Output file (.wav .flac .ogg .opus .mp3), or - for WAV on stdout. "
                                    "Without it the speech is played."),
    voice: str = typer.Option(None, "--voice", "-v", help="Voice name (default: the bundled voice)."),
    ref: list[Path] = typer.Option(None, "--ref",
                                   help="Reference recording of a speaker to imitate, once (repeatable; "
                                        "nothing is saved). Not with --voice."),
    consent: str = typer.Option(None, "--consent",
                                help="With --ref: statement that the speaker agreed to have their voice cloned "
                                     "(asked at a terminal if missing; nothing is saved)."),
    voices_dir: Path = typer.Option(None, "--voices-dir",
                                    help="Folder of enrolled voices (default: $TTS_VOICES_DIR or the user data folder)."),
    speed: float = typer.Option(1.0, "--speed", help="Speaking rate: 0.5 is half speed, 2 is double."),
    pitch: float = typer.Option(0.0, "--pitch", help="Pitch shift in semitones (-12 to 12)."),
    volume: float = typer.Option(0.0, "--volume", help="Level in dB against the standard -20 LUFS (-30 to 6); "
                                                       "peaks stay below full scale."),
    lexicon: Path = typer.Option(None, "--lexicon", help="Pronunciation file: lines 'WORD  PH1 PH2 ...' (ARPAbet)."),
    threads: int = typer.Option(None, "--threads", callback=check_threads,
                                help="CPU threads to use (default: all cores)."),
) -> None:
    """Speak TEXT in the default or a chosen voice."""
    from tts.synthesizer import Synthesizer

    if ref and voice:
        fail("use either --voice (an enrolled voice) or --ref (clips for a one-off voice), not both")
    if consent is not None and not ref:
        fail("--consent goes with --ref (an enrolled voice's consent was recorded by tts enroll)")
    if ref:
        from cli.enroll import confirm_consent

        confirm_consent("the speaker of the --ref clips", consent, action="cloning with --ref")
    text = read_text(text)
    if output not in (None, "-"):
        check_output(Path(output))  # reject an unknown extension or a missing folder before any work
    speaker = reference_voice(ref) if ref else load_voice(voice, voices_dir)
    synth = Synthesizer(lexicon=lexicon, threads=threads)
    pieces = synth.stream(text, voice=speaker, speed=speed, pitch=pitch, volume=volume)
    first = next(pieces)  # validates text and voice before anything is written
    if output == "-":
        out = sys.stdout.buffer
        out.write(streaming_wav_header())
        out.write(pcm16(first))
        for piece in pieces:
            out.write(pcm16(piece))
        out.flush()
    elif output is None:
        from tts.audio.playback import play

        play(np.concatenate([first, *pieces]))
    else:
        with AudioFileWriter(output) as writer:
            writer.write(first)
            for piece in pieces:
                writer.write(piece)
        typer.echo(f"wrote {output}", err=True)
