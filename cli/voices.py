"""`tts voices`: list, inspect, remove, rename, export and import voices."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from tts.cli.adapt import MINUTES_HELP, check_minutes, make_personal
from tts.cli.enroll import VOICES_DIR_HELP, confirm_consent
from tts.cli.errors import fail, friendly_errors
from tts.limits import DEFAULT_ADAPT_MINUTES
from tts.voices import DEFAULT_VOICE, VOICE_VERIFIED, VoiceError, VoiceLibrary, VoiceProfile, consent_method, printable

app = typer.Typer(help="Manage voices: the packaged ones (read-only) and those you enrolled.",
                  no_args_is_help=True)

VOICES_DIR = typer.Option(None, "--voices-dir", help=VOICES_DIR_HELP)


@app.command("list")
@friendly_errors
def list_voices(voices_dir: Path = VOICES_DIR) -> None:
    """List the available voices and their consent (voice-verified, declared or none); files in the voices folder
    that are not valid voices are skipped with a warning."""
    library = VoiceLibrary(voices_dir)
    entries = library.list()
    width = max(8, *(len(e.name) for e in entries)) if entries else 8
    for entry in entries:
        try:
            profile = VoiceProfile.from_file(entry.path)
        except VoiceError as exc:
            typer.echo(f"warning: skipped {entry.name}: {printable(str(exc))}", err=True)
            continue
        default = " (default)" if entry.name == DEFAULT_VOICE else ""
        consent = "-" if entry.read_only else consent_method(profile.consent) or "none"
        typer.echo(f"{entry.name:<{width}}  {entry.source:<8}  {profile.created_at[:10]:<10}  {consent:<14}  "
                   f"{printable(profile.description) or '-'}{default}")
    if not library.user():
        typer.echo(f"no enrolled voices in {library.user_dir}: add one with 'tts enroll NAME CLIP...'", err=True)


@app.command("show")
@friendly_errors
def show(name: str = typer.Argument(..., help="Voice name."), voices_dir: Path = VOICES_DIR) -> None:
    """Show a voice's details (not the whole embedding; control characters in its text escaped)."""
    library = VoiceLibrary(voices_dir)
    entry = library.find(name)
    profile = library.get(name)
    embedding = profile.embedding
    first = ", ".join(f"{x:.4f}" for x in embedding[:5])
    lines = [
        ("name", profile.name),
        ("source", f"{entry.source}{' (read-only)' if entry.read_only else ''}"),
        ("file", str(entry.path)),
        ("description", profile.description or "-"),
        ("created", profile.created_at),
        ("encoder", profile.encoder),
        ("schema", str(profile.schema_version)),
        ("embedding", f"{len(embedding)} values, norm {math.hypot(*embedding):.4f}, first [{first}, ...]"),
        ("clips", str(len(profile.clips)) + (f" ({sum(c.get('seconds', 0) for c in profile.clips):.1f} s)"
                                             if profile.clips else "")),
    ]
    lines += [("", f"{c['sha256'][:16]}...  {c['seconds']:.1f} s") for c in profile.clips]
    lines += consent_lines(profile.consent)
    lines += [("adaptation", "none (speaker embedding only)"
               if profile.adaptation is None else
               f"pitch and spectrum matched to the clips (median F0 {profile.adaptation['f0_hz']:.0f} Hz)")]
    lines += personal_lines(profile.personal)
    for key, value in lines:
        typer.echo(f"{key:<12} {printable(value)}")


def personal_lines(record: dict | None) -> list[tuple[str, str]]:
    """Whether the voice is personal (fine-tuned): on what, how long it took, for which model files."""
    if record is None:
        return [("personal", "no (zero-shot: tts voices adapt NAME CLIP... fine-tunes it)")]
    from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE
    from tts.voices import sha256_file

    models = record["models"]
    current = models == {"acoustic": sha256_file(ACOUSTIC_FILE), "vocoder": sha256_file(VOCODER_FILE)}
    rows = [("personal", f"yes: fine-tuned on {record['speech_seconds']:.1f} s of speech from {len(record['clips'])} "
                         f"clip(s) in {record['train_seconds']:.0f} s ({record['steps']['acoustic']} acoustic + "
                         f"{record['steps']['vocoder']} vocoder steps), {record['created_at']}"),
            ("", f"for model files acoustic {models['acoustic'][:12]}, vocoder {models['vocoder'][:12]} "
                 + ("(the installed ones)" if current else "(not the installed ones: the voice speaks with its "
                                                           "embedding alone until adapted again)")),
            ("", f"weights {record['file']}")]
    rows += [("", f"  \"{text}\"") for text in record["transcripts"][:8]]
    return rows


@app.command("adapt")
@friendly_errors
def adapt(
    name: str = typer.Argument(..., help="Enrolled voice to make personal."),
    clips: list[Path] = typer.Argument(..., help="Clips of the speaker: those it was enrolled with, or new ones "
                                                 "(with --consent)."),
    consent: str = typer.Option(None, "--consent", help="For clips the voice was not enrolled with: statement that "
                                                       "the speaker agreed (as at enrollment)."),
    minutes: float = typer.Option(DEFAULT_ADAPT_MINUTES, "--minutes", callback=check_minutes, help=MINUTES_HELP),
    voices_dir: Path = VOICES_DIR,
) -> None:
    """Fine-tune the models on a voice's clips: a personal voice, closer to its speaker. The words of each clip
    come from CLIP.txt beside it, else from speech recognition.

    Example: tts voices adapt alice alice1.wav alice2.flac alice3.mp3"""
    from tts.encoder.enroll import check_length, sha256_file
    from tts.voices import consent_record

    library = VoiceLibrary(voices_dir)
    if library.find(name).read_only:
        raise VoiceError(f"voice '{name}' ships with the package and is read-only: enroll your own voice to adapt")
    profile = library.get(name)
    for clip in clips:
        check_length(clip)
    hashes = [sha256_file(clip) for clip in clips]
    covered = list((profile.consent or {}).get("clips") or [])
    new = [clip for clip, digest in zip(clips, hashes) if digest not in covered]
    if new:
        if consent is None:
            fail(f"{printable(new[0].name)} is not one of the clips '{name}' was enrolled with, which its consent "
                 "covers: pass --consent \"...\" for the new clips, as at enrollment")
        statement = confirm_consent(name, consent)
        if consent_method(profile.consent) == VOICE_VERIFIED:
            typer.echo(f"note: the new clips' consent is declared: '{name}' is no longer voice-verified", err=True)
        profile.consent = consent_record(statement, covered + hashes)
    adapted = make_personal(profile, clips, minutes)
    path = library.save(adapted, force=True)
    typer.echo(f"voice '{name}' is now personal: {path}")


def consent_lines(consent: dict | None) -> list[tuple[str, str]]:
    """The consent record as (label, text) rows: statement, when and how it was given, the clips it covers."""
    if consent is None:
        return [("consent", "none recorded")]
    method = consent_method(consent)
    how = ("voice-verified: the speaker read a prompt aloud" if method == VOICE_VERIFIED
           else "declared (not verified by the speaker's voice)")
    clips = consent.get("clips") or []
    rows = [("consent", f"\"{consent['statement']}\""),
            ("", f"{consent.get('confirmed_at', '-')}, {how}"),
            ("", f"for {len(clips)} clip file(s)" + (":" if clips else ""))]
    rows += [("", f"  {str(h)[:16]}...") for h in clips[:8]]
    if len(clips) > 8:
        rows.append(("", f"  ... and {len(clips) - 8} more"))
    if method == VOICE_VERIFIED:
        v = consent["verification"]
        rows += [("", f"prompt ({'fresh challenge' if v['challenge'] else 'given with --consent-text'}): "
                      f"\"{v['prompt']}\""),
                 ("", f"heard: \"{v['transcript']}\" ({v['asr']})"),
                 ("", f"word error rate {v['wer']:.1%} (at most {v['max_wer']:.0%}), speaker similarity "
                      f"{v['similarity']:.2f} (at least {v['min_similarity']:.2f}), "
                      f"watermark z={v['watermark_z']:.1f}"),
                 ("", f"recording sha256 {v['recording_sha256']}")]
    return rows


@app.command("remove")
@friendly_errors
def remove(name: str = typer.Argument(..., help="Enrolled voice to delete."), voices_dir: Path = VOICES_DIR) -> None:
    """Delete an enrolled voice (packaged voices cannot be removed)."""
    path = VoiceLibrary(voices_dir).remove(name)
    typer.echo(f"removed voice '{name}' ({path})")


@app.command("rename")
@friendly_errors
def rename(
    old: str = typer.Argument(..., help="Current name."),
    new: str = typer.Argument(..., help="New name."),
    force: bool = typer.Option(False, "--force", help="Replace an existing voice called NEW."),
    voices_dir: Path = VOICES_DIR,
) -> None:
    """Rename an enrolled voice."""
    path = VoiceLibrary(voices_dir).rename(old, new, force=force)
    typer.echo(f"renamed voice '{old}' to '{new}' ({path})")


@app.command("export")
@friendly_errors
def export(
    name: str = typer.Argument(..., help="Voice to export."),
    file: Path = typer.Argument(..., help="File to write, e.g. alice.voice.json."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
    voices_dir: Path = VOICES_DIR,
) -> None:
    """Write a voice to one shareable file (with an integrity hash)."""
    path = VoiceLibrary(voices_dir).export(name, file, force=force)
    typer.echo(f"exported voice '{name}' to {path}")


@app.command("import")
@friendly_errors
def import_voice(
    file: Path = typer.Argument(..., help="A file written by 'tts voices export'."),
    name: str = typer.Option(None, "--name", help="Import under this name instead of the one in the file "
                                                 "(not empty)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing voice of the same name."),
    voices_dir: Path = VOICES_DIR,
) -> None:
    """Add a voice from an exported file, after checking it."""
    library = VoiceLibrary(voices_dir)
    profile = library.import_(file, force=force, name=name)
    typer.echo(f"imported voice '{profile.name}' into {library.user_dir}")


@app.command("verify")
@friendly_errors
def verify(
    name: str = typer.Argument(..., help="Voice to check."),
    recording: Path = typer.Argument(..., help="The consent recording (the speaker reading the prompt aloud)."),
    consent_text: str = typer.Option(None, "--consent-text",
                                     help="The text read aloud (default: the prompt stored with the voice)."),
    voices_dir: Path = VOICES_DIR,
) -> None:
    """Re-run the consent checks of RECORDING against voice NAME and report the scores: exit code 0 if they pass
    and agree with the stored record, 1 otherwise."""
    from tts.consent import verify_voice

    profile = VoiceLibrary(voices_dir).get(name)
    verification, mismatches = verify_voice(profile, recording, consent_text)
    typer.echo(f"{printable(str(recording))}: {verification.summary()}")
    problems = verification.failures() + mismatches
    for problem in problems:
        typer.echo(f"failed: {problem}")
    if problems:
        raise typer.Exit(1)
    typer.echo(f"passed: the reader of {printable(str(recording))} is the speaker of voice '{name}'")
