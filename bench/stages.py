"""Where quality is lost: real held-out speech, the vocoder alone (copy-synthesis of its real mel) and the whole
pipeline (the same text in the voice cloned from the speaker's other clips: its embedding alone, and adapted as
tts enroll's profiles are), scored alike.

Usage: python -m bench.stages [--refs DIR] [--acoustic A.onnx --vocoder V.onnx] [--stages real,vocoder]
[--out bench/STAGES.md] (needs the eval extra: pip install '.[eval]'). For each speaker folder of the dev refs (with
refs.tsv beside it for the texts), the first 3 clips are enrolled and the other clips held out. A vocoder that loses
little against real speech and a pipeline that loses much point at the acoustic model, and the other way round.
The vocoder stage has a second judge beside DNSMOS: PESQ (ITU-T P.862.2 wide band) against the real clip.
"""

from __future__ import annotations

import argparse
import csv
from datetime import date
from pathlib import Path

import numpy as np

from bench.speed import DEV_REFS
from tts.audio import load_audio
from tts.audio.spectrum import log_mel
from tts.encoder import SpeakerEncoder
from tts.eval.dnsmos import DnsMos
from tts.eval.runner import DEV_SET_CONSENT, ENROL_CLIPS, cpu_name, enrolled_voice, speaker_folders
from tts.synthesizer import Synthesizer
from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE, model_meta

STAGES = ("real", "vocoder", "pipeline", "adapted")


def transcripts(refs: Path) -> dict[str, str]:
    """Clip file name -> text, from refs.tsv beside the refs folder."""
    with open(refs.parent / "refs.tsv", encoding="utf-8", newline="") as handle:
        return {Path(row["path"]).name: row["text"] for row in csv.DictReader(handle, delimiter="\t")}


def measure(refs: Path, acoustic: Path, vocoder: Path, threads: int,
            stages: tuple[str, ...] = STAGES) -> dict[str, dict[str, list[float]]]:
    """Per stage: DNSMOS OVRL / SIG of each held-out clip, its speaker similarity to the enrolled voice, and for the
    vocoder stage its PESQ against the real clip."""
    from pesq import pesq

    synth = Synthesizer(acoustic, vocoder, threads=threads)
    encoder, mos = SpeakerEncoder(), DnsMos(threads)
    texts = transcripts(refs)
    scores: dict[str, dict[str, list[float]]] = {s: {"ovrl": [], "sig": [], "similarity": [], "pesq": []}
                                                 for s in stages}
    for _, clips in speaker_folders(refs):
        enrol, heldout = clips[:ENROL_CLIPS], clips[ENROL_CLIPS:]
        voice = encoder.embed_many([load_audio(p) for p in enrol])
        profile, _ = enrolled_voice(enrol, encoder, "reference", True, DEV_SET_CONSENT)
        for clip in heldout:
            wav = load_audio(clip)
            make = {"real": lambda: wav,
                    "vocoder": lambda: synth.vocoder(log_mel(wav)),
                    "pipeline": lambda: synth.synthesize(texts[clip.name], voice=voice),
                    "adapted": lambda: synth.synthesize(texts[clip.name], voice=profile)}
            for stage in stages:
                audio = make[stage]()
                quality = mos.score(audio)
                scores[stage]["ovrl"].append(quality["ovrl"])
                scores[stage]["sig"].append(quality["sig"])
                scores[stage]["similarity"].append(float(encoder.embed(audio) @ voice))
                if stage == "vocoder":
                    n = min(len(wav), len(audio))
                    scores[stage]["pesq"].append(pesq(16000, wav[:n], audio[:n].astype(np.float32), "wb"))
    return scores


def table(scores: dict[str, dict[str, list[float]]]) -> str:
    lines = ["| stage | DNSMOS OVRL | DNSMOS SIG | similarity to the enrolled voice | PESQ against the real clip |",
             "|---|---:|---:|---:|---:|"]
    for stage, s in scores.items():
        pesq_mean = f"{np.mean(s['pesq']):.2f}" if s["pesq"] else "-"
        lines.append(f"| {stage} | {np.nanmean(s['ovrl']):.2f} | {np.nanmean(s['sig']):.2f} | "
                     f"{np.mean(s['similarity']):.3f} | {pesq_mean} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refs", type=Path, default=DEV_REFS)
    parser.add_argument("--acoustic", type=Path, default=ACOUSTIC_FILE)
    parser.add_argument("--vocoder", type=Path, default=VOCODER_FILE)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("STAGES.md"))
    args = parser.parse_args()
    stages = tuple(args.stages.split(","))
    if not set(stages) <= set(STAGES):
        parser.error(f"--stages: choose from {','.join(STAGES)}")
    scores = measure(args.refs, args.acoustic, args.vocoder, args.threads, stages)
    n = len(next(iter(scores.values()))["ovrl"])
    steps = ", ".join(f"{kind} step {model_meta(path).get('steps', '?')}"
                      for kind, path in (("acoustic", args.acoustic), ("vocoder", args.vocoder)))
    body = (f"# Quality by pipeline stage\n\n`python -m bench.stages` on {date.today()}, {cpu_name()}; "
            f"{n} held-out clips of the speakers in `{args.refs.name}/` ({steps}). "
            f"*real*: the clips; *vocoder*: each clip's mel through the vocoder; *pipeline*: the clip's text in the "
            f"voice enrolled from the speaker's first {ENROL_CLIPS} clips, its embedding alone; *adapted*: the same "
            f"with the voice's adaptation (tts/adaptation.py), as tts enroll makes it.\n\n{table(scores)}\n")
    print(body)
    part = args.out.with_suffix(".part")
    part.write_text(body)
    part.replace(args.out)


if __name__ == "__main__":
    main()
