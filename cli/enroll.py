"""`tts enroll`: make a voice from a few recordings of a speaker."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tts.cli.adapt import ADAPT_HELP, MINUTES_HELP, check_minutes
from tts.cli.errors import fail, friendly_errors
from tts.limits import DEFAULT_ADAPT_MINUTES, MAX_TEXT_CHARS
from tts.voices import printable

VOICES_DIR_HELP = "Folder of enrolled voices (default: $TTS_VOICES_DIR or the user data folder)."

CONSENT_HELP = ("Statement that the speaker agreed to have their voice cloned (stored with the voice). "
                "Without it, tts asks at a terminal and refuses otherwise.")
CONSENT_EXAMPLE = "Recorded with Jane's written consent on 2026-11-27"

EPILOG = """Examples:

  tts enroll alice alice1.wav alice2.flac alice3.mp3 --description "Alice, studio mic" \\
      --consent "Alice agreed in writing on 2026-11-27 (signed form in the project folder)"

  tts enroll alice --challenge          # prints a sentence for Alice to read aloud (valid 30 min)
  tts enroll alice alice1.wav alice2.flac alice3.mp3 --consent-recording alice-consent.wav

  tts say "Hello from Alice." --voice alice -o hello.wav

  tts enroll bob bob1.wav bob2.wav bob3.wav --consent "..." --adapt   # personal voice: fine-tuned, 1-2 min

About 10-30 s of clean speech over 3 or more clips works best; at least 3 s is needed.
Each clip may last at most 60 s: cut longer recordings into clips.

Consent: clone only voices whose owners agreed. With --consent the statement is declared: tts
cannot check it. With --consent-recording the speaker reads the challenge (or --consent-text)
aloud, and tts checks, before saving anything, that the recording says it (speech recognition:
pip install 'tts-clone[asr]'), that the reader is the speaker of the clips, that it is not
tts output (watermark) and not one of the clips: the voice is then voice-verified. The record,
the time and the clip fingerprints are kept in the voice (tts voices show NAME). Everything tts
says carries a watermark, and files a tag naming them synthetic (see tts detect).
"""


def _interactive() -> bool:
    return sys.stdin.isatty()


def confirm_consent(speaker: str, statement: str | None, action: str = "enrollment") -> str:
    """The declared consent statement: the --consent text, or a yes at the terminal; anything else stops the
    command."""
    if statement is not None:
        if not statement.strip():
            fail(f'the consent statement is empty: say who agreed and how, e.g. --consent "{CONSENT_EXAMPLE}"')
        check_length("consent statement", statement.strip())
        return statement.strip()
    if not _interactive():
        fail(f'{action} needs the speaker\'s consent: pass --consent "..." (e.g. "{CONSENT_EXAMPLE}"), or have the '
             "speaker read a challenge aloud (tts enroll NAME --challenge, then --consent-recording)")
    if not typer.confirm(f"Has {speaker} agreed to have their voice cloned?", default=False):
        fail("stopped: clone a voice only with its speaker's consent")
    return f"{speaker} agreed to have their voice cloned (confirmed at the interactive prompt)"


VERIFIED_ONLY_HELP = ("Refuse cloned voices whose consent is not voice-verified (also TTS_VERIFIED_ONLY=1); "
                      "packaged voices clone nobody and are allowed.")
QUIET_HELP = "Do not note on standard error that a voice's consent is only declared."


def check_voice_consent(label: str, method: str | None, verified_only: bool, quiet: bool) -> None:
    """For a cloned voice (`method`: its consent method, see tts.voices.consent_method): stop if `verified_only`
    and it is not voice-verified, else note on standard error that its consent is only declared (unless `quiet`)."""
    from tts.voices import VOICE_VERIFIED

    if method == VOICE_VERIFIED:
        return
    what = "only declared" if method else "not recorded"
    if verified_only:
        fail(f"{label} is not voice-verified (its consent is {what}) and only voice-verified voices are accepted "
             "(--verified-only or TTS_VERIFIED_ONLY): enroll it with --consent-recording")
    if not quiet:
        typer.echo(f"note: {label}: consent {what}, not verified by the speaker's voice (tts enroll NAME --challenge; "
                   "--quiet hides this)", err=True)


def check_library_voice(name: str | None, voices_dir: Path | None, verified_only: bool, quiet: bool) -> None:
    """check_voice_consent for voice `name` of the library (the default voice when None); packaged voices pass."""
    from tts.voices import DEFAULT_VOICE, VoiceLibrary, consent_method

    library = VoiceLibrary(voices_dir)
    if library.find(name or DEFAULT_VOICE).read_only:
        return
    check_voice_consent(f"voice '{name}'", consent_method(library.get(name).consent), verified_only, quiet)


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


def issue_challenge(name: str, library) -> None:
    """Print a fresh consent sentence for voice `name` to read aloud, and remember it."""
    from tts.consent import CHALLENGE_MINUTES, MAX_WER, ChallengeStore

    library.check_can_save(name, force=True)  # a bad or packaged name fails now, not after the recording
    challenge = ChallengeStore(library.user_dir).issue(name, MAX_WER)
    typer.echo(f"Have the speaker read this aloud and record it (valid for {CHALLENGE_MINUTES} minutes):\n\n"
               f"  {challenge.text}\n")
    typer.echo(f"then: tts enroll {name} CLIP... --consent-recording RECORDING", err=True)


def consent_prompt(name: str, text: str | None, library) -> tuple[str, bool]:
    """(prompt, is_challenge): --consent-text, else the pending challenge for `name`; stops the command if none."""
    from tts.consent import CHALLENGE_MINUTES, ChallengeStore

    if text is not None:
        if not text.strip():
            fail("the --consent-text is empty: give the text the speaker read aloud")
        check_length("consent text", text.strip())
        return text.strip(), False
    challenge = ChallengeStore(library.user_dir).get(name)
    if challenge is None:
        fail(f"no pending consent challenge for '{name}' (none issued, or over {CHALLENGE_MINUTES} minutes old): "
             f"run 'tts enroll {name} --challenge', record the speaker reading it, then enroll; or pass "
             "--consent-text")
    return challenge.text, True


@friendly_errors
def enroll(
    name: str = typer.Argument(..., help="Name for the new voice (letters, digits, '-', '_', '.')."),
    clips: list[Path] = typer.Argument(None, help="Recordings of the speaker (wav, flac, ogg, opus, mp3; any rate; "
                                                   "at most 60 s each)."),
    description: str = typer.Option("", "--description", "-d", help="Free text stored with the voice."),
    consent: str = typer.Option(None, "--consent", help=CONSENT_HELP),
    challenge: bool = typer.Option(False, "--challenge", help="Print a consent sentence for the speaker to read "
                                                              "aloud (valid 30 minutes), then stop."),
    recording: Path = typer.Option(None, "--consent-recording",
                                   help="The speaker reading the challenge (or --consent-text) aloud: checked "
                                        "before saving; the voice is then voice-verified."),
    consent_text: str = typer.Option(None, "--consent-text",
                                     help="With --consent-recording: the text read aloud, instead of the challenge."),
    adapt: bool = typer.Option(False, "--adapt", help=ADAPT_HELP),
    minutes: float = typer.Option(DEFAULT_ADAPT_MINUTES, "--minutes", callback=check_minutes, help=MINUTES_HELP),
    force: bool = typer.Option(False, "--force", help="Replace an existing voice of that name."),
    voices_dir: Path = typer.Option(None, "--voices-dir", help=VOICES_DIR_HELP),
) -> None:
    """Enroll a voice NAME from one or more CLIPs of one speaker (3 or more clips are better), with the speaker's
    consent: declared (--consent) or read aloud (--challenge, then --consent-recording)."""
    from tts.voices import VoiceLibrary

    library = VoiceLibrary(voices_dir)
    if challenge:
        if clips or recording or consent_text is not None or consent is not None:
            fail("--challenge only prints the sentence to read: run it alone, then enroll with --consent-recording")
        issue_challenge(name, library)
        return
    if consent_text is not None and recording is None:
        fail("--consent-text goes with --consent-recording (the text the recording says)")
    if not clips:
        fail("no clips given: pass one or more recordings of the speaker")
    library.check_can_save(name, force)  # a bad or taken name fails before any audio work
    check_length("description", description)
    statement = None
    if recording is None or consent is not None:
        statement = confirm_consent(name, consent)  # ... and so does missing consent
    if recording is not None:
        from tts.consent import require_asr

        prompt, is_challenge = consent_prompt(name, consent_text, library)
        require_asr()
    from tts.encoder.enroll import analyse_clips, consent_for

    enrollment = analyse_clips(clips)
    print_clip_table(enrollment)
    if recording is None:
        record = consent_for(enrollment, statement)
    else:
        from tts.consent import ChallengeStore, verified_consent

        record, verification = verified_consent(enrollment, recording, prompt, challenge=is_challenge,
                                                statement=statement)
        typer.echo(f"consent verified by the speaker's voice: {verification.summary()}")
    profile = enrollment.profile(name, description, record)
    if adapt:
        from tts.cli.adapt import make_personal

        profile = make_personal(profile, [c.path for c in enrollment.clips if c.used], minutes)
    path = library.save(profile, force=force)
    if recording is not None and is_challenge:
        ChallengeStore(library.user_dir).forget(name)
    typer.echo(f"saved voice '{name}' to {path}")
    typer.echo(f"use it with: tts say \"Hello.\" --voice {name}" +
               (f" --voices-dir {voices_dir}" if voices_dir else ""))
