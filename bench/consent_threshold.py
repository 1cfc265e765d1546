"""Calibration of the consent checks (tts/consent/verify.py): the speaker-similarity bar on the training corpus, the
word-error bar on real dev speech, and the dev matrix of consent recordings against every speaker's clips.

Usage: python -m bench.consent_threshold [--cache cache/corpus] [--dev-matrix] [--out bench/CONSENT.md]
(--dev-matrix needs the asr extra: pip install 'tts-clone[asr]').

Corpus trials (the cache's per-utterance GE2E embeddings, read-only; 'joe', the synthetic teacher voice, left out):
for every speaker with 4 or more utterances, TRIALS draws of 3 utterances (their normalised mean: the voice) and a
4th (same speaker), and for each draw DIFFERENT utterances of other speakers (different speaker). Prints and writes
the false-accept / false-reject curve. Dev matrix: each dev speaker's longest clip, with its own transcript as the
prompt, checked against the voice enrolled from each speaker's other clips (its own) or all 5 (another's), plus
the same sentence said by tts in the speaker's cloned voice, and the word error rate of Whisper tiny.en on all dev
clips with their own transcripts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

import numpy as np

from tts.consent.verify import MAX_WER, MIN_SIMILARITY
from tts.eval.runner import DEV_SET_CONSENT, cpu_name

TRIALS, DIFFERENT, SEED = 20, 5, 0
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
CURVE = [round(x, 2) for x in np.arange(0.70, 0.905, 0.02)] + [MIN_SIMILARITY]


def corpus_trials(cache_dir: Path, close: bool = False) -> tuple[np.ndarray, np.ndarray, int]:
    """(same-speaker scores, different-speaker scores, speakers used) of mean-of-3 vs 1 utterance trials; the other
    speakers are any but joe, or with `close` only those with 4 or more utterances (most from one corpus and accent:
    harder to tell apart)."""
    from tts.data.cache import FeatureCache

    cache = FeatureCache.open(cache_dir)
    rows: dict[str, list[int]] = {}
    for i, record in enumerate(cache.records):
        rows.setdefault(record["speaker"], []).append(i)
    speakers = sorted(s for s, idx in rows.items() if len(idx) >= 4 and s != "joe")
    others = speakers if close else sorted(s for s in rows if s != "joe")
    vectors = np.asarray(cache.speakers, dtype=np.float32)
    rng = np.random.default_rng(SEED)
    same, different = [], []
    for speaker in speakers:
        for _ in range(TRIALS):
            pick = rng.choice(rows[speaker], 4, replace=False)
            voice = vectors[pick[:3]].mean(axis=0)
            voice /= np.linalg.norm(voice)
            same.append(float(vectors[pick[3]] @ voice))
            for other in rng.choice([s for s in others if s != speaker], DIFFERENT, replace=False):
                different.append(float(vectors[rng.choice(rows[other])] @ voice))
    return np.array(same), np.array(different), len(speakers)


def curve_lines(same: np.ndarray, different: np.ndarray) -> list[str]:
    lines = ["| similarity bar | false accepts (different speakers) | false rejects (same speaker) |",
             "|---:|---:|---:|"]
    for bar in sorted(set(CURVE)):
        mark = " **(used)**" if bar == MIN_SIMILARITY else ""
        lines.append(f"| {bar:.2f}{mark} | {np.mean(different >= bar):.2%} | {np.mean(same < bar):.2%} |")
    lowest = next(b for b in np.arange(0.5, 1.0, 0.005) if np.mean(different >= b) < 0.01)
    lines.append(f"\nLowest bar with under 1% false accepts: {lowest:.3f}. Different-speaker scores: 99th percentile "
                 f"{np.quantile(different, 0.99):.3f}, highest {different.max():.3f}. Same-speaker scores: median "
                 f"{np.median(same):.3f}, 5th percentile {np.quantile(same, 0.05):.3f}.")
    return lines


class CachedAsr:
    """The recogniser, transcribing each distinct audio once (the matrix checks each recording 10 times)."""

    def __init__(self) -> None:
        from tts.consent.verify import transcriber

        self.asr = transcriber()
        self.name = self.asr.name
        self.seen: dict[str, str] = {}

    def transcribe(self, wav: np.ndarray) -> str:
        key = hashlib.sha256(np.asarray(wav, dtype=np.float32).tobytes()).hexdigest()
        if key not in self.seen:
            self.seen[key] = self.asr.transcribe(wav)
        return self.seen[key]


def dev_matrix(out_dir: Path) -> list[str]:
    """Markdown: ASR word error rates on the dev clips, then the consent matrix and the synthetic recordings."""
    import soundfile as sf

    from tts.audio import load_audio
    from tts.consent import verify_enrollment
    from tts.encoder import SpeakerEncoder
    from tts.encoder.enroll import analyse_clips, consent_for
    from tts.eval.wer import word_errors
    from tts.synthesizer import Synthesizer

    clips = list(csv.DictReader((DEV / "refs.tsv").open(encoding="utf-8"), delimiter="\t"))
    asr, encoder = CachedAsr(), SpeakerEncoder()
    errors = [(c, word_errors(c["text"], asr.transcribe(load_audio(DEV / c["path"])))) for c in clips]
    pooled = sum(e.errors for _, e in errors) / sum(e.total for _, e in errors)
    long_ones = [e.rate for _, e in errors if e.total >= 8]
    lines = ["## Word error rate of the recogniser on real speech", "",
             f"{asr.name} on the {len(clips)} dev clips with their own transcripts (tts.eval's normalisation): "
             f"{pooled:.1%} of words overall; per clip median {np.median([e.rate for _, e in errors]):.1%}, highest "
             f"{max(e.rate for _, e in errors):.0%} (a clip of {max(errors, key=lambda x: x[1].rate)[1].total} words), "
             f"highest on clips of 8 or more words {max(long_ones):.0%}. The bar is {MAX_WER:.0%}.", ""]
    speakers = list(dict.fromkeys(c["speaker"] for c in clips))
    held = {s: max((c for c in clips if c["speaker"] == s), key=lambda c: float(c["duration_s"])) for s in speakers}
    own = {s: analyse_clips([DEV / c["path"] for c in clips if c["speaker"] == s and c is not held[s]], encoder)
           for s in speakers}
    full = {s: analyse_clips([DEV / c["path"] for c in clips if c["speaker"] == s], encoder) for s in speakers}
    lines += ["## Dev matrix", "", "Rows: consent recording (each speaker's longest clip, its own transcript as "
              "--consent-text). Columns: the voice's clips (the speaker's 4 other clips on the diagonal, all 5 "
              "elsewhere). Cells: speaker similarity, and whether the recording was accepted (ok) or refused (-).", "",
              "| recording \\ clips | " + " | ".join(s.split("_")[-1] for s in speakers) + " |",
              "|---|" + "---:|" * len(speakers)]
    accepted_own = refused_other = 0
    same_scores, other_scores = [], []
    for reader in speakers:
        cells = []
        for voice in speakers:
            enrollment = own[voice] if voice == reader else full[voice]
            v = verify_enrollment(enrollment, DEV / held[reader]["path"], held[reader]["text"], encoder=encoder,
                                  asr=asr)
            cells.append(f"{v.similarity:.2f} {'ok' if v.passed else '-'}")
            if voice == reader:
                accepted_own += v.passed
                same_scores.append(v.similarity)
            else:
                refused_other += not v.passed
                other_scores.append(v.similarity)
        lines.append(f"| {reader} | " + " | ".join(cells) + " |")
    n = len(speakers)
    lines += ["", f"Own clips: {accepted_own} of {n} accepted (similarity {min(same_scores):.2f} to "
              f"{max(same_scores):.2f}). Other speakers' clips: {refused_other} of {n * (n - 1)} refused (similarity "
              f"{min(other_scores):.2f} to {max(other_scores):.2f}).", "",
              "## Synthetic speech", "", "The same sentence said by tts in the speaker's cloned voice (the voice "
              "enrolled from the 4 other clips, adapted as tts say does), checked against those clips:", "",
              "| speaker | word error rate | similarity | watermark z | result |", "|---|---:|---:|---:|---|"]
    synth = Synthesizer(threads=1)
    refused = 0
    for speaker in speakers:
        path = out_dir / f"{speaker}.wav"
        profile = own[speaker].profile(speaker, consent=consent_for(own[speaker], DEV_SET_CONSENT))
        sf.write(path, synth.synthesize(held[speaker]["text"], voice=profile), 16000)
        v = verify_enrollment(own[speaker], path, held[speaker]["text"], encoder=encoder, asr=asr)
        refused += not v.passed
        checks = ", ".join(f.split(":")[0] for f in v.failures()) or "accepted"
        lines.append(f"| {speaker} | {v.wer:.0%} | {v.similarity:.2f} | {v.watermark_z:.1f} | "
                     f"{'refused (' + checks + ')' if not v.passed else 'ACCEPTED'} |")
    lines += ["", f"{refused} of {n} refused."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("cache/corpus"))
    parser.add_argument("--dev-matrix", action="store_true", help="also the dev matrix (needs the asr extra)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("CONSENT.md"))
    args = parser.parse_args()
    same, different, speakers = corpus_trials(args.cache)
    _, close, _ = corpus_trials(args.cache, close=True)
    lines = ["# Consent checks: calibration", "",
             f"Written by `python -m bench.consent_threshold{' --dev-matrix' if args.dev_matrix else ''}` on "
             f"{cpu_name()}. Bars in use: speaker similarity >= {MIN_SIMILARITY:.2f}, word error rate <= "
             f"{MAX_WER:.0%} (tts/consent/verify.py).", "",
             "## Speaker similarity on the training corpus", "",
             f"GE2E embeddings of the feature cache ({args.cache}): {speakers} speakers with 4 or more utterances "
             f"('joe', the synthetic teacher, left out); {len(same)} same-speaker trials (mean of 3 utterances vs a "
             f"4th) and {len(different)} different-speaker trials (the same means vs an utterance of another "
             "speaker). The corpus audio went through Opus and its utterances are short (a few seconds), so its "
             "scores run lower than those of clean WAV recordings such as the dev refs below.", ""]
    lines += curve_lines(same, different)
    lines += ["", f"The same trials with the other speakers drawn only among those {speakers} (mostly one corpus and "
              "accent: closer voices, the harder case):", ""]
    lines += curve_lines(same, close)
    print("\n".join(lines), flush=True)
    if args.dev_matrix:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            matrix = dev_matrix(Path(folder))
        print("\n".join(matrix))
        lines += [""] + matrix
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
