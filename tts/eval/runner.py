"""One evaluation run: synthesise sentences, score them, return the result as a JSON-able dict.

Result schema (schema_version 1; see README.md beside this file):

  schema_version  1
  created_at      ISO 8601 UTC time
  machine         {cpu, cores, threads, load_avg_1min, platform, python, onnxruntime}
  config          {mode ("voice" | "clone"), system ("ours" | "piper"), voice, clone_from, target_clips,
                   refs_dir, sentences_file, n_sentences, sentences_sha256 (of the sentences used),
                   n_speakers, calibrate (cloned/enrolled voices with tts.adaptation), personal (clones
                   fine-tuned on their enrolment clips, tts.finetune), threads, asr, dnsmos,
                   models: {acoustic|vocoder|piper: {file, size_mb, meta}}}
  metrics         {wer, cer, dnsmos_sig, dnsmos_bak, dnsmos_ovrl, dnsmos_p808, rtf, first_audio_s,
                   audio_s, similarity (null without target clips), loudness_lufs (mean over items),
                   clipped_samples (at 16-bit full scale, all items), and in clone mode (else null)
                   baseline_similarity, real_similarity (enrolment clips vs held-out clips: the
                   ceiling), baseline_wer, baseline_cer}
  per_speaker     clone mode only: {speaker: {enrol_clips, heldout_clips, similarity,
                   baseline_similarity, real_similarity, wer, cer, dnsmos_ovrl, loudness_lufs, and with personal
                   voices: adapt_seconds, adapt_steps {acoustic, vocoder}, adapt_loss [before, after],
                   transcripts (where the enrolment clips' words came from: refs.tsv, file or asr)}}
  items           per synthesised sentence: {voice, speaker, index, text, transcript, wer, cer,
                   word_errors, ref_words, char_errors, ref_chars, dnsmos_sig, dnsmos_bak, dnsmos_ovrl,
                   dnsmos_p808, audio_s, synth_s, rtf, first_audio_s, similarity, loudness_lufs (ITU-R
                   BS.1770), clipped_samples, audio_file}

wer/cer are corpus-level (all errors / all reference words or characters); DNSMOS and similarity
are means over items (similarity in clone mode: mean over speakers of their item means); rtf is
total synthesis time / total audio duration; first_audio_s is the median over sentences.
"""

from __future__ import annotations

import hashlib
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from tts.audio.loudness import loudness
from tts.errors import InvalidInput
from tts.eval.wer import char_errors, word_errors
from tts.limits import DEFAULT_ADAPT_MINUTES

SCHEMA_VERSION = 1
ENV_EVAL_DIR = "TTS_EVAL_DIR"


def default_eval_dir() -> Path:
    """The dev evaluation set: $TTS_EVAL_DIR, else ../shared/eval/dev from the working directory (the
    repository root), else shared/eval/dev below it."""
    if os.environ.get(ENV_EVAL_DIR):
        return Path(os.environ[ENV_EVAL_DIR]).expanduser()
    for base in (Path.cwd().parent, Path.cwd()):
        if (base / "shared" / "eval" / "dev").is_dir():
            return base / "shared" / "eval" / "dev"
    return Path.cwd().parent / "shared" / "eval" / "dev"


DEFAULT_EVAL_DIR = default_eval_dir()
DEFAULT_SENTENCES = DEFAULT_EVAL_DIR / "sentences.txt"
DEFAULT_REFS = DEFAULT_EVAL_DIR / "refs"
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".opus", ".mp3")
ENROL_CLIPS = 3
# the consent declared for the in-memory voices cloned for an evaluation or a benchmark (nothing is saved)
DEV_SET_CONSENT = "evaluation of licensed dev-set recordings (tts eval and the benchmarks)"
CLONE_FROM_CONSENT = "evaluation of the --clone-from recordings (tts eval)"
FULL_SCALE = 32767 / 32768  # a sample at or beyond this is clipped once written as 16-bit PCM

StreamFn = Callable[[str], Iterator[np.ndarray]]


@dataclass
class EvalOptions:
    """What to evaluate; see `tts eval --help`."""

    sentences_file: Path = DEFAULT_SENTENCES
    voice: str | None = None
    clone_from: list[Path] = field(default_factory=list)
    target_clips: list[Path] = field(default_factory=list)
    refs_dir: Path | None = None
    limit: int | None = None
    speakers: int | None = None
    threads: int | None = None
    save_audio: Path | None = None
    system: str = "ours"
    acoustic: Path | None = None
    vocoder: Path | None = None
    calibrate: bool = True  # cloned and enrolled voices with their pitch and spectrum matching (tts.adaptation)
    personal: bool = False  # --refs-dir clones fine-tuned on their enrolment clips (tts.finetune)
    adapt_minutes: float = DEFAULT_ADAPT_MINUTES
    progress: bool = True


# The model loaders are module functions so that tests can replace them with fakes.
def load_asr(threads: int) -> Any:
    """An object with `.name` and `.transcribe(wav16k) -> str`."""
    from tts.eval.asr import Transcriber

    return Transcriber(threads=threads)


def load_mos(threads: int) -> Any:
    """An object with `.score(wav16k) -> {"sig", "bak", "ovrl", "p808"}`."""
    from tts.eval.dnsmos import DnsMos

    return DnsMos(threads=threads)


def read_sentences(path: Path, limit: int | None = None) -> list[str]:
    """Non-empty lines of a text file, the first `limit` of them."""
    path = Path(path)
    if not path.is_file():
        if path == DEFAULT_SENTENCES:
            raise FileNotFoundError(f"no evaluation set found (looked for {path}): pass --sentences FILE, one "
                                    "sentence per line, or run from a checkout that has shared/eval/dev beside it")
        raise FileNotFoundError(f"sentence file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"sentence file {path} is not UTF-8 text: save it as UTF-8") from None
    sentences = [line.strip() for line in text.splitlines() if line.strip()]
    if not sentences:
        raise InvalidInput(f"sentence file {path} has no sentences: write one per line")
    return sentences[:limit] if limit else sentences


def speaker_folders(refs_dir: Path, limit: int | None = None) -> list[tuple[str, list[Path]]]:
    """(speaker, sorted clips) for each sub-folder of `refs_dir` with at least 2 audio clips."""
    refs_dir = Path(refs_dir)
    if not refs_dir.is_dir():
        raise FileNotFoundError(f"reference folder not found: {refs_dir}")
    found = []
    for folder in sorted(p for p in refs_dir.iterdir() if p.is_dir()):
        clips = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
        if len(clips) >= 2:
            found.append((folder.name, clips))
    if not found:
        raise InvalidInput(f"no speaker folders with 2 or more clips in {refs_dir}: expected {refs_dir}/<speaker>/*.wav")
    return found[:limit] if limit else found


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_info(threads: int) -> dict:
    import onnxruntime

    return {"cpu": cpu_name(), "cores": os.cpu_count(), "threads": threads,
            "load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
            "platform": platform.platform(), "python": platform.python_version(),
            "onnxruntime": onnxruntime.__version__}


def model_info(path: Path) -> dict:
    """File name, size and the metadata stored with a model file."""
    from tts.runtime.model_file import model_meta

    path = Path(path)
    meta = model_meta(path) if path.suffix == ".onnx" else {}
    return {"file": str(path), "size_mb": round(path.stat().st_size / 1e6, 2),
            "meta": {k: v for k, v in meta.items() if isinstance(v, (str, int, float, bool, type(None)))}}


def _mean(values: list[float | None]) -> float | None:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(clean)) if clean else None


def speak(stream: StreamFn, text: str) -> tuple[np.ndarray, float, float]:
    """(audio, synthesis seconds, seconds to the first chunk)."""
    start = time.perf_counter()
    chunks: list[np.ndarray] = []
    first = None
    for chunk in stream(text):
        if first is None:
            first = time.perf_counter() - start
        chunks.append(chunk)
    total = time.perf_counter() - start
    return np.concatenate(chunks).astype(np.float32), total, first if first is not None else total


class Evaluator:
    """Holds the scoring models; `run_sentences` synthesises and scores a list of sentences."""

    def __init__(self, asr: Any, mos: Any, encoder: Any, options: EvalOptions, sample_rate: int = 16000) -> None:
        self.asr, self.mos, self.encoder, self.options, self.sample_rate = asr, mos, encoder, options, sample_rate

    def run_sentences(self, stream: StreamFn, sentences: list[str], label: str, speaker: str | None = None,
                      target: np.ndarray | None = None) -> tuple[list[dict], list[np.ndarray]]:
        """Score each sentence; also return the speaker embedding of each synthesised clip."""
        from tqdm import tqdm

        items, embeddings = [], []
        for i, text in enumerate(tqdm(sentences, desc=label, unit="sentence", disable=not self.options.progress,
                                      file=sys.stderr, leave=False)):
            wav, synth_s, first_s = speak(stream, text)
            transcript = self.asr.transcribe(wav)
            words, chars = word_errors(text, transcript), char_errors(text, transcript)
            mos = self.mos.score(wav)
            embedding = self.encoder.embed(wav)
            embeddings.append(embedding)
            audio_s = len(wav) / self.sample_rate
            audio_file = None
            if self.options.save_audio:
                from tts.audio import save_audio

                folder = Path(self.options.save_audio) / label.replace(":", "_")
                folder.mkdir(parents=True, exist_ok=True)
                audio_file = str(folder / f"{i + 1:03d}.wav")
                save_audio(audio_file, wav, self.sample_rate)
            items.append({
                "voice": label, "speaker": speaker, "index": i, "text": text, "transcript": transcript,
                "wer": words.rate, "cer": chars.rate, "word_errors": words.errors, "ref_words": words.total,
                "char_errors": chars.errors, "ref_chars": chars.total,
                **{f"dnsmos_{k}": _nan_to_none(mos[k]) for k in ("sig", "bak", "ovrl", "p808")},
                "audio_s": audio_s, "synth_s": synth_s, "rtf": synth_s / max(audio_s, 1e-9),
                "first_audio_s": first_s,
                "similarity": float(embedding @ target) if target is not None else None,
                "loudness_lufs": loudness(wav, self.sample_rate),
                "clipped_samples": int(np.count_nonzero(np.abs(wav) >= FULL_SCALE)),
                "audio_file": audio_file,
            })
        return items, embeddings


def _nan_to_none(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def summarize(items: list[dict]) -> dict:
    """Corpus-level WER/CER, mean DNSMOS and similarity, overall RTF, median time to first audio."""
    audio_s = sum(it["audio_s"] for it in items)
    return {
        "wer": sum(it["word_errors"] for it in items) / max(sum(it["ref_words"] for it in items), 1),
        "cer": sum(it["char_errors"] for it in items) / max(sum(it["ref_chars"] for it in items), 1),
        **{f"dnsmos_{k}": _mean([it[f"dnsmos_{k}"] for it in items]) for k in ("sig", "bak", "ovrl", "p808")},
        "rtf": sum(it["synth_s"] for it in items) / max(audio_s, 1e-9),
        "first_audio_s": statistics.median(it["first_audio_s"] for it in items),
        "audio_s": audio_s,
        "similarity": _mean([it["similarity"] for it in items]),
        "loudness_lufs": _mean([it.get("loudness_lufs") for it in items]),
        "clipped_samples": sum(it.get("clipped_samples", 0) for it in items),
    }


def _voice_stream(synth: Any, voice: Any) -> StreamFn:
    return lambda text: synth.stream(text, voice=voice)


def enrolled_voice(clips: list[Path], encoder: Any, name: str, adapt: bool, consent: str) -> tuple[Any, np.ndarray]:
    """(the voice `tts enroll` would make from `clips` (without its minimum of speech) with the `consent` statement
    declared for them, or its bare embedding without `adapt`; the embedding)."""
    from tts.encoder.enroll import analyse_clips, consent_for
    from tts.voices import VoiceProfile

    enrollment = analyse_clips(clips, encoder)
    if enrollment.embedding is None:
        raise InvalidInput(f"no usable speech in {', '.join(str(p) for p in clips)}")
    if not adapt:
        return enrollment.embedding, enrollment.embedding
    voice = VoiceProfile(name, enrollment.embedding.tolist(), adaptation=enrollment.adaptation,
                         consent=consent_for(enrollment, consent))
    return voice, enrollment.embedding


def clip_texts(clips: list[Path], wavs: list[np.ndarray], asr: Any) -> tuple[list[str], str]:
    """(what each clip says, where that came from): the dev set's refs.tsv (beside the refs folder) when it lists
    them all, else CLIP.txt files or speech recognition (tts.finetune.transcripts)."""
    import csv

    from tts.finetune.transcripts import transcripts

    table = Path(clips[0]).parent.parent.parent / "refs.tsv"
    if table.is_file():
        with open(table, encoding="utf-8", newline="") as handle:
            texts = {Path(row["path"]).name: row["text"] for row in csv.DictReader(handle, delimiter="\t")}
        if all(Path(c).name in texts for c in clips):
            return [texts[Path(c).name] for c in clips], "refs.tsv"
    found = transcripts(clips, wavs, transcriber=asr)
    return [text for text, _ in found], "+".join(sorted({source for _, source in found}))


def personal_voice(voice: Any, clips: list[Path], asr: Any, synth: Any, minutes: float) -> tuple[Any, dict]:
    """`voice` fine-tuned on `clips` as tts enroll --adapt does, and what that took."""
    from tts.audio import load_audio
    from tts.encoder.enroll import sha256_file
    from tts.finetune.personal import adapt_profile

    wavs = [load_audio(p) for p in clips]
    texts, source = clip_texts(clips, wavs, asr)
    adapted, result = adapt_profile(voice, wavs, texts, [sha256_file(p) for p in clips], minutes,
                                    acoustic=synth.acoustic_file, vocoder=synth.vocoder_file)
    return adapted, {"adapt_seconds": round(result.seconds, 1), "adapt_steps": result.steps,
                     "adapt_loss": [round(result.loss_before, 4), round(result.loss_after, 4)], "transcripts": source}


def evaluate_cloning(evaluator: Evaluator, synth: Any, encoder: Any, speakers: list[tuple[str, list[Path]]],
                     sentences: list[str], baseline_embeddings: list[np.ndarray],
                     options: EvalOptions) -> tuple[list[dict], dict[str, dict]]:
    """Clone each speaker from its first clips, score against the held-out rest; also the baseline's similarity."""
    from tts.audio import load_audio

    items: list[dict] = []
    per_speaker: dict[str, dict] = {}
    for speaker, clips in speakers:
        n_enrol = min(ENROL_CLIPS, len(clips) - 1)
        enrol, heldout = clips[:n_enrol], clips[n_enrol:]
        voice, embedding = enrolled_voice(enrol, encoder, speaker, options.calibrate or options.personal,
                                          DEV_SET_CONSENT)
        adaptation = {}
        if options.personal:
            voice, adaptation = personal_voice(voice, enrol, evaluator.asr, synth, options.adapt_minutes)
        target = encoder.embed_many([load_audio(p) for p in heldout])
        cloned, _ = evaluator.run_sentences(_voice_stream(synth, voice), sentences, f"clone:{speaker}",
                                            speaker=speaker, target=target)
        summary = summarize(cloned)
        per_speaker[speaker] = {
            "enrol_clips": [p.name for p in enrol], "heldout_clips": [p.name for p in heldout],
            "similarity": summary["similarity"],
            "baseline_similarity": float(np.mean([e @ target for e in baseline_embeddings])),
            "real_similarity": float(embedding @ target),
            "wer": summary["wer"], "cer": summary["cer"], "dnsmos_ovrl": summary["dnsmos_ovrl"],
            "loudness_lufs": summary["loudness_lufs"], **adaptation,
        }
        items += cloned
    return items, per_speaker


def run(options: EvalOptions) -> dict:
    """Run one evaluation as configured; returns the result dict (schema in the module docstring)."""
    from tts.audio import load_audio
    from tts.encoder.ge2e import SpeakerEncoder

    if options.system not in ("ours", "piper"):
        raise InvalidInput(f"unknown system '{options.system}': use ours or piper")
    if options.system == "piper" and (options.refs_dir or options.voice or options.clone_from):
        raise InvalidInput("the Piper reference has one fixed voice: --voice, --clone-from and --refs-dir do not apply")
    if options.personal and not options.refs_dir:
        raise InvalidInput("--adapt fine-tunes the clones of --refs-dir: give --refs-dir (tts voices adapt makes an "
                         "enrolled voice personal)")
    if options.refs_dir and (options.clone_from or options.target_clips):
        raise InvalidInput("--refs-dir takes the voices and target clips from its folders: "
                         "leave out --clone-from and --target-clips")
    sentences = read_sentences(options.sentences_file, options.limit)
    speakers = speaker_folders(options.refs_dir, options.speakers) if options.refs_dir else []
    threads = options.threads or os.cpu_count() or 1

    asr, mos = load_asr(threads), load_mos(threads)  # fail early when the eval extra is missing
    encoder = SpeakerEncoder()
    models: dict[str, dict] = {}
    if options.system == "piper":
        from tts.eval.piper import PiperReference

        piper = PiperReference(threads=threads)
        stream: StreamFn = piper.stream
        label = "en_US-joe-medium"
        models["piper"] = model_info(piper.model_path)
    else:
        from tts.synthesizer import Synthesizer
        from tts.voices import DEFAULT_VOICE, load_voice
        from tts.runtime.model_file import ACOUSTIC_FILE, VOCODER_FILE

        acoustic, vocoder = options.acoustic or ACOUSTIC_FILE, options.vocoder or VOCODER_FILE
        synth = Synthesizer(acoustic=acoustic, vocoder=vocoder, threads=threads)
        models = {"acoustic": model_info(acoustic), "vocoder": model_info(vocoder)}
        if options.clone_from:
            voice, _ = enrolled_voice(options.clone_from, encoder, "clone", options.calibrate, CLONE_FROM_CONSENT)
            label = "clone"
        else:
            profile = load_voice(options.voice)  # validates the name before any work
            voice = profile if options.calibrate else profile.vector
            label = options.voice or DEFAULT_VOICE
        stream = _voice_stream(synth, voice)

    evaluator = Evaluator(asr, mos, encoder, options)
    target = encoder.embed_many([load_audio(p) for p in options.target_clips]) if options.target_clips else None
    items, baseline_embeddings = evaluator.run_sentences(stream, sentences, label, target=target)
    metrics = {**summarize(items), "baseline_similarity": None, "real_similarity": None,
               "baseline_wer": None, "baseline_cer": None}
    per_speaker: dict[str, dict] = {}

    if speakers:
        cloned, per_speaker = evaluate_cloning(evaluator, synth, encoder, speakers, sentences, baseline_embeddings,
                                               options)
        baseline = metrics
        items += cloned
        metrics = summarize(cloned)
        metrics.update({
            "similarity": _mean([s["similarity"] for s in per_speaker.values()]),
            "baseline_similarity": _mean([s["baseline_similarity"] for s in per_speaker.values()]),
            "real_similarity": _mean([s["real_similarity"] for s in per_speaker.values()]),
            "baseline_wer": baseline["wer"], "baseline_cer": baseline["cer"],
        })

    result = {
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(threads),
        "config": {
            "mode": "clone" if speakers else "voice", "system": options.system, "voice": label,
            "clone_from": [str(p) for p in options.clone_from], "target_clips": [str(p) for p in options.target_clips],
            "refs_dir": str(options.refs_dir) if options.refs_dir else None,
            "sentences_file": str(options.sentences_file), "n_sentences": len(sentences),
            "sentences_sha256": hashlib.sha256("\n".join(sentences).encode()).hexdigest(),
            "n_speakers": len(speakers), "calibrate": options.calibrate,
            "personal": options.personal, "threads": threads, "asr": getattr(asr, "name", type(asr).__name__),
            "dnsmos": "DNSMOS P.835 sig_bak_ovr + P.808 (speechmos ONNX models)", "models": models,
        },
        "metrics": metrics,
        "items": items,
    }
    if speakers:
        result["per_speaker"] = per_speaker
    return result
