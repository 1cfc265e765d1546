"""`tts say`: speak text into a file, standard output or the speakers."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tts.cli.adapt import MINUTES_HELP, check_minutes, make_personal
from tts.cli.enroll import VERIFIED_ONLY_HELP, VOICES_DIR_HELP, check_library_voice, check_voice_consent
from tts.cli.errors import check_threads, fail, friendly_errors
from tts.cli.threads import idle_cores
from tts.audio.config import SAMPLE_RATE
from tts.limits import (DEFAULT_ADAPT_MINUTES, MAX_PITCH_SHIFT, MAX_SAY_CHARS, MAX_SILENCE, MAX_VOLUME_DB,
                        MIN_VOLUME_DB, PARAGRAPH_PAUSE, SENTENCE_PAUSE)

if TYPE_CHECKING:
    import numpy as np

    from tts.synthesizer import SpeechChunk

PROGRESS_MIN_CHUNKS = 5  # shorter texts get no progress bar
MARKDOWN_SUFFIXES = (".md", ".markdown")

EPILOG = """Examples:

  tts say "Dr. Smith paid $3.50 on May 5th, 2024." -o out.wav

  tts say "Slower and lower." --speed 0.8 --pitch -2 -o slow.flac

  tts say "Quieter than the standard level." --volume -6 -o quiet.wav

  tts say -f chapter.md -o chapter.mp3 --bitrate 64

  tts say -f chapter.md -o chapter.mp3

  tts say -f notes.txt --paragraph-silence 1 --sentence-silence 0.5 -o notes.wav

  cat chapter.txt | tts say -f - -o chapter.ogg

  tts say "Straight to a pipe." -o - | aplay

  tts say -f talk.txt -o talk.mp3 --subtitles talk.srt --timestamps talk.json

  tts say "In an enrolled voice." --voice alice -o alice.wav

  tts say "In the voice of these clips, saving nothing." --ref a.wav --ref b.flac -o once.wav \\
      --consent "Jane agreed by e-mail on 2026-11-27"

A blank line ends a paragraph. Markdown (.md, .markdown or --markdown) is read as a person
reads it: headings, list items, emphasis and link texts are spoken without their marks; list
numbers, images, code blocks and HTML tags are skipped; each heading and paragraph is followed
by the paragraph silence. Pauses get shorter with a higher --speed.

Every voice speaks at one loudness (-23 LUFS, ITU-R BS.1770) unless --volume moves it.
Cloning with --ref needs the speaker's consent, as tts enroll does (--consent, or a yes at a
terminal). All output carries an inaudible watermark and, in files, a tag naming it synthetic
(see tts detect).
"""


def read_file(name: str) -> str:
    """The text of file `name`, or of standard input for '-' (read no further than the limit)."""
    if name == "-":
        return sys.stdin.read(MAX_SAY_CHARS + 1)
    if Path(name).is_dir():
        fail(f"{name} is a folder: give a text or Markdown file")
    try:
        with open(name, encoding="utf-8-sig") as handle:
            return handle.read(MAX_SAY_CHARS + 1)
    except FileNotFoundError:
        fail(f"file not found: {name}")
    except UnicodeDecodeError:
        fail(f"{name} is not UTF-8 text: save it as UTF-8")


def read_text(text: str | None, file: str | None, markdown: bool | None) -> str:
    """The text to speak: `text` itself, standard input for '-', or the text of `file`; Markdown made plain text
    when `markdown` says so, or by default for a .md or .markdown file."""
    if text is not None and file is not None:
        fail("give the text to speak or -f FILE, not both")
    if text is None and file is None:
        fail("no text given: pass the text to speak, - to read standard input, or -f FILE to read a file")
    if file is None and text.lower().endswith((".txt", *MARKDOWN_SUFFIXES)) and os.path.isfile(text):
        fail(f"'{text}' is a file: use -f {text} to read it aloud")
    if file is not None:
        text = read_file(file)
    elif text == "-":
        text = read_file("-")
    if len(text) > MAX_SAY_CHARS:
        fail(f"text is over the limit of {MAX_SAY_CHARS:,} characters: split it into several files or use tts batch")
    if not text.strip():
        fail("no text given: pass the text to speak, or - to read it from standard input" if file is None
             else f"{'standard input' if file == '-' else file} has no text to speak")
    if markdown or (markdown is None and file is not None and file.lower().endswith(MARKDOWN_SUFFIXES)):
        from tts.text.markdown import markdown_to_text

        text = markdown_to_text(text)
    return text


def load_voice(name: str | None, voices_dir: Path | None):
    from tts.voices import VoiceLibrary

    return VoiceLibrary(voices_dir).get(name)


def reference_voice(clips: list[Path], statement: str):
    """Zero-shot: a voice profile made from `clips` now and not saved, with the consent `statement` declared for
    them."""
    from tts.encoder.enroll import analyse_clips, consent_for

    enrollment = analyse_clips(clips)
    for warning in enrollment.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return enrollment.profile("reference", consent=consent_for(enrollment, statement))


@friendly_errors
def say(
    text: str = typer.Argument(None, help="Text to speak, or - to read standard input (or use -f FILE)."),
    file: str = typer.Option(None, "-f", "--file",
                             help="Read the text from this file (- for standard input): plain text, or Markdown "
                                  "for .md and .markdown."),
    markdown: bool = typer.Option(None, "--markdown/--plain",
                                  help="Read the text as Markdown, or as plain text (default: Markdown for .md and "
                                       ".markdown files)."),
    sentence_silence: float = typer.Option(SENTENCE_PAUSE, "--sentence-silence",
                                           help="Seconds of silence after each sentence."),
    paragraph_silence: float = typer.Option(PARAGRAPH_PAUSE, "--paragraph-silence",
                                            help="Seconds of silence after each paragraph and heading."),
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
    adapt: bool = typer.Option(False, "--adapt", help="With --ref: fine-tune the models on the clips first "
                                                      "(closer to the speaker; 1-2 minutes; nothing is saved)."),
    minutes: float = typer.Option(DEFAULT_ADAPT_MINUTES, "--minutes", callback=check_minutes, help=MINUTES_HELP),
    voices_dir: Path = typer.Option(None, "--voices-dir", help=VOICES_DIR_HELP),
    speed: float = typer.Option(1.0, "--speed", help="Speaking rate: 0.5 is half speed, 2 is double."),
    pitch: float = typer.Option(0.0, "--pitch",
                                help=f"Pitch shift in semitones (-{MAX_PITCH_SHIFT:g} to {MAX_PITCH_SHIFT:g})."),
    volume: float = typer.Option(0.0, "--volume", help=f"Level in dB against the standard -23 LUFS ({MIN_VOLUME_DB:g} "
                                                       f"to {MAX_VOLUME_DB:g}); peaks stay below full scale."),
    lexicon: Path = typer.Option(None, "--lexicon", help="Pronunciation file: lines 'WORD  PH1 PH2 ...' (ARPAbet)."),
    threads: int = typer.Option(None, "--threads", callback=check_threads,
                                help="CPU threads to use (default: the cores other processes leave idle)."),
    verified_only: bool = typer.Option(False, "--verified-only", envvar="TTS_VERIFIED_ONLY", help=VERIFIED_ONLY_HELP),
    sample_rate: int = typer.Option(SAMPLE_RATE, "--sample-rate",
                                    help="Sample rate of the written audio in Hz, 8000 to 48000 (resampled)."),
    bitrate: float = typer.Option(None, "--bitrate",
                                  help="kbit/s of .mp3, .opus and .ogg files (about: the nearest the encoder offers)."),
    subtitles: Path = typer.Option(None, "--subtitles",
                                   help="Also write subtitles timed to the speech: .srt (SubRip) or .vtt (WebVTT)."),
    timestamps: Path = typer.Option(None, "--timestamps",
                                    help="Also write each word's start and end in seconds, as JSON "
                                         '([{"word", "start", "end"}, ...]).'),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="No progress bar, and no note that a voice's consent is only declared."),
) -> None:
    """Speak TEXT, or a text or Markdown file, in the default or a chosen voice."""
    from tts.audio.io import AudioFileWriter, Resampler, pcm16, streaming_wav_header
    from tts.synthesizer import Synthesizer

    for option, seconds in (("--sentence-silence", sentence_silence), ("--paragraph-silence", paragraph_silence)):
        if not 0 <= seconds <= MAX_SILENCE:
            fail(f"{option} {seconds:g} is out of range: give 0 to {MAX_SILENCE:g} seconds")
    if ref and voice:
        fail("use either --voice (an enrolled voice) or --ref (clips for a one-off voice), not both")
    if consent is not None and not ref:
        fail("--consent goes with --ref (an enrolled voice's consent was recorded by tts enroll)")
    if adapt and not ref:
        fail("--adapt goes with --ref; an enrolled voice is made personal once with: tts voices adapt NAME CLIP...")
    if ref:
        from tts.cli.enroll import confirm_consent
        from tts.voices import DECLARED

        check_voice_consent("the voice of the --ref clips", DECLARED, verified_only, quiet)
        statement = confirm_consent("the speaker of the --ref clips", consent, action="cloning with --ref")
    else:
        check_library_voice(voice, voices_dir, verified_only, quiet)
    check_timing_files(subtitles, timestamps)
    text = read_text(text, file, markdown)
    resample = Resampler(sample_rate)  # reject a bad rate, an unknown extension or a missing folder before any work
    if output not in (None, "-"):
        writer = AudioFileWriter(output, sample_rate=resample.rate, bitrate=bitrate)
    elif bitrate is not None:
        fail("--bitrate applies to .mp3, .opus and .ogg files written with -o")
    speaker = reference_voice(ref, statement) if ref else load_voice(voice, voices_dir)
    if adapt:
        speaker = make_personal(speaker, ref, minutes, quiet)
    if threads is None:  # the cores other processes left idle while this command loaded
        threads = idle_cores()
    synth = Synthesizer(lexicon=lexicon, threads=threads, sentence_pause=sentence_silence,
                        paragraph_pause=paragraph_silence)
    chunks = synth.chunks(text, voice=speaker, speed=speed, pitch=pitch, volume=volume)
    first = next(chunks)  # validates text and voice before anything is written
    words: list[tuple[str, float, float]] = []
    pieces = with_progress(audio_of(itertools.chain([first], chunks), words), synth, text, quiet)
    if output == "-":
        out = sys.stdout.buffer
        out.write(streaming_wav_header(resample.rate))
        for piece in itertools.chain(pieces, [None]):
            out.write(pcm16(resample.finish() if piece is None else resample(piece)))
        out.flush()
    elif output is None:
        from tts.audio.playback import play

        play(pieces)  # sound starts with the first sentence
    else:
        with writer:
            for piece in pieces:
                writer.write(piece)
        typer.echo(f"wrote {output}", err=True)
    write_timings(words, subtitles, timestamps)


def check_timing_files(subtitles: Path | None, timestamps: Path | None) -> None:
    """Refuse a subtitle file of an unknown format, or a folder for either file, before any work."""
    from tts.subtitles import SUBTITLE_SUFFIXES

    if subtitles is not None and subtitles.suffix.lower() not in SUBTITLE_SUFFIXES:
        fail(f"--subtitles {subtitles}: give a .srt or .vtt file")
    for path in (subtitles, timestamps):
        if path is not None and path.is_dir():
            fail(f"{path} is a folder: give a file name")


def audio_of(chunks: Iterator[SpeechChunk], words: list[tuple[str, float, float]]) -> Iterator[np.ndarray]:
    """The audio of each chunk, adding its (word, start s, end s) to `words` as it goes."""
    for chunk in chunks:
        words.extend(chunk.words)
        yield chunk.audio


def write_timings(words: list[tuple[str, float, float]], subtitles: Path | None, timestamps: Path | None) -> None:
    """Write the subtitles and the JSON word timings that were asked for."""
    from tts.subtitles import subtitles as subtitle_text, timings_json
    from tts.voices import write_atomic

    if subtitles is not None:
        write_atomic(subtitles, subtitle_text(words, subtitles.suffix))
        typer.echo(f"wrote {subtitles}", err=True)
    if timestamps is not None:
        write_atomic(timestamps, timings_json(words))
        typer.echo(f"wrote {timestamps}", err=True)


def with_progress(pieces: Iterator[np.ndarray], synth, text: str, quiet: bool) -> Iterator[np.ndarray]:
    """`pieces`, with a progress bar (sentences, ETA) on standard error when it is a terminal, the text is longer
    than a few sentences and `quiet` is off."""
    if quiet or not sys.stderr.isatty():
        yield from pieces
        return
    total = sum(1 for _ in synth.frontend.iter_chunks(text))
    if total <= PROGRESS_MIN_CHUNKS:
        yield from pieces
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="chunk", file=sys.stderr, leave=False) as bar:
        for piece in pieces:
            yield piece
            bar.update()
