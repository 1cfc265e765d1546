"""`tts eval`: intelligibility, speaker similarity, DNSMOS and speed of the synthesiser."""

from __future__ import annotations

from pathlib import Path

import typer

from tts.cli.errors import check_threads, fail, friendly_errors
from tts.limits import DEFAULT_ADAPT_MINUTES, MAX_ADAPT_MINUTES

EPILOG = """Examples (default sentences: ../shared/eval/dev/sentences.txt):

  tts eval --limit 5 --out eval.json

  tts eval --voice joe --target-clips a.wav --target-clips b.wav

  tts eval --clone-from me1.wav --clone-from me2.wav --target-clips me3.wav

  tts eval --refs-dir ../shared/eval/dev/refs --speakers 2 --limit 3 --out clone.json

  tts eval --refs-dir ../shared/eval/dev/refs --adapt --out personal.json

  tts eval --system piper --limit 5 --out piper.json

  tts eval --compare before.json after.json

Needs the eval extra: pip install '.\\[eval]' ('.\\[piper]' too for --system piper).
"""


@friendly_errors
def evaluate(
    voice: str = typer.Option(None, "--voice", "-v", help="Voice name (default: the bundled voice). "
                              "With --refs-dir: the baseline voice."),
    clone_from: list[Path] = typer.Option(None, "--clone-from", help="Reference clip to clone the voice from "
                                          "(repeat for several clips)."),
    target_clips: list[Path] = typer.Option(None, "--target-clips", help="Held-out real clip of the target speaker "
                                            "for speaker similarity (repeat for several)."),
    refs_dir: Path = typer.Option(None, "--refs-dir", help="Cloning mode: folder of <speaker>/ folders of clips; "
                                  "the first 3 clips (sorted) are cloned, the rest held out."),
    sentences: Path = typer.Option(None, "--sentences", help="Sentence file, one per line "
                                   "(default: ../shared/eval/dev/sentences.txt)."),
    limit: int = typer.Option(None, "--limit", min=1, help="Use only the first N sentences."),
    speakers: int = typer.Option(None, "--speakers", min=1, help="Cloning mode: at most N speakers."),
    out: Path = typer.Option(None, "--out", "-o", help="Write the full result as JSON."),
    save_audio: Path = typer.Option(None, "--save-audio", help="Also save each synthesised sentence under DIR."),
    threads: int = typer.Option(None, "--threads", callback=check_threads,
                                help="CPU threads for synthesis, ASR and DNSMOS (default: all cores)."),
    system: str = typer.Option("ours", "--system", help="ours, or piper for the Piper joe reference system."),
    acoustic: Path = typer.Option(None, "--acoustic", help="Acoustic model file (default: the shipped one)."),
    vocoder: Path = typer.Option(None, "--vocoder", help="Vocoder file (default: the shipped one)."),
    calibrate: bool = typer.Option(True, "--calibrate/--no-calibrate", help="Cloned and enrolled voices with "
                                   "their pitch and spectrum matched to the clips, as tts enroll makes them "
                                   "(--no-calibrate: the speaker embedding alone)."),
    adapt: bool = typer.Option(False, "--adapt", help="With --refs-dir: personal voices, each clone fine-tuned on "
                               "its enrolment clips as tts enroll --adapt does (words from the dev set's refs.tsv, "
                               "CLIP.txt or speech recognition)."),
    minutes: float = typer.Option(DEFAULT_ADAPT_MINUTES, "--minutes", min=0.1, max=MAX_ADAPT_MINUTES,
                                  help="With --adapt: most minutes of fine-tuning per voice."),
    compare: tuple[Path, Path] = typer.Option(None, "--compare", metavar="A.json B.json",
                                              show_default=False, help="Compare two result files instead of running."),
) -> None:
    """Synthesise the evaluation sentences and report WER/CER, speaker similarity, DNSMOS, speed."""
    from tts.eval.report import format_compare, format_result, load_result, write_result

    if compare:
        a, b = load_result(compare[0]), load_result(compare[1])
        typer.echo(format_compare(a, b, str(compare[0]), str(compare[1])))
        return

    from tts.eval.runner import DEFAULT_SENTENCES, EvalOptions, run

    if out and out.is_dir():
        fail(f"--out {out} is a folder: give a file name for the JSON result")

    options = EvalOptions(sentences_file=sentences or DEFAULT_SENTENCES, voice=voice, clone_from=list(clone_from or []),
                          target_clips=list(target_clips or []), refs_dir=refs_dir, limit=limit, speakers=speakers,
                          threads=threads, save_audio=save_audio, system=system, acoustic=acoustic, vocoder=vocoder,
                          calibrate=calibrate, personal=adapt, adapt_minutes=minutes)
    result = run(options)
    typer.echo(format_result(result))
    if out:
        write_result(result, out)
        typer.echo(f"wrote {out}", err=True)
