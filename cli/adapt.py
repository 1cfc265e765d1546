"""Personal-voice fine-tuning as the commands run it: transcripts shown, a progress bar with an ETA, a summary."""

from __future__ import annotations

from pathlib import Path

import typer

from tts.limits import DEFAULT_ADAPT_MINUTES, MAX_ADAPT_MINUTES
from tts.voices import printable

MINUTES_HELP = (f"With --adapt: most minutes of fine-tuning (default {DEFAULT_ADAPT_MINUTES:g}; 3 clips take about 1-2 "
                "minutes on 2 cores).")
ADAPT_HELP = ("Fine-tune the models on the clips for this voice (a personal voice: closer to the speaker; about "
              "1-2 minutes on 2 cores). Each clip's words come from CLIP.txt beside it, else speech recognition "
              "(pip install 'tts-clone[asr]').")


def check_minutes(minutes: float) -> float:
    """Typer callback: a positive time budget of at most an hour."""
    if not 0 < minutes <= MAX_ADAPT_MINUTES:
        raise typer.BadParameter(f"{minutes} is out of range: give 0.1 to {MAX_ADAPT_MINUTES:g} minutes")
    return minutes


def make_personal(profile, clips: list[Path], minutes: float, quiet: bool = False):
    """`profile` fine-tuned on `clips` (not saved): transcripts printed, progress on standard error.
    Ctrl-C stops it with nothing changed."""
    from tts.extras import require_training

    require_training("fine-tuning a personal voice")  # before the imports that need torch
    from tqdm import tqdm

    from tts.audio import load_audio
    from tts.encoder.enroll import sha256_file
    from tts.finetune.personal import adapt_profile
    from tts.finetune.train import ACOUSTIC_STEPS, CLEAR_SPEECH_SECONDS, VOCODER_STEPS
    from tts.finetune.transcripts import transcripts

    wavs = [load_audio(path) for path in clips]
    found = transcripts(clips, wavs)
    for path, (text, source) in zip(clips, found):
        typer.echo(f"{printable(path.name)} ({'transcript file' if source == 'file' else 'heard'}): "
                   f"{printable(text)}", err=True)
    bar = tqdm(total=ACOUSTIC_STEPS + VOCODER_STEPS, desc="adapting", unit="step", disable=quiet, leave=False,
               bar_format="{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]")

    def progress(phase: str, done: int, total: int) -> None:
        bar.set_description(f"adapting ({phase})")
        bar.update((done if phase == "acoustic" else ACOUSTIC_STEPS + done) - bar.n)

    try:
        adapted, result = adapt_profile(profile, wavs, [text for text, _ in found],
                                        [sha256_file(path) for path in clips], minutes, progress)
    finally:
        bar.close()
    record = adapted.personal
    typer.echo(f"adapted on {record['speech_seconds']:.1f} s of speech in {record['train_seconds']:.0f} s "
               f"({result.steps['acoustic']} + {result.steps['vocoder']} steps); mel error on the clips "
               f"{result.loss_before:.3f} -> {result.loss_after:.3f}", err=True)
    if record["speech_seconds"] < CLEAR_SPEECH_SECONDS:
        typer.echo(f"warning: only {record['speech_seconds']:.0f} s of speech: a voice fine-tuned on under "
                   f"{CLEAR_SPEECH_SECONDS:.0f} s can be harder to understand than the zero-shot one; give a minute or "
                   "more over several clips", err=True)
    return adapted
