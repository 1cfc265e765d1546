"""Training end to end on generated data: the losses fall and the models keep their shapes."""

from __future__ import annotations

import csv
import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import TINY_ACOUSTIC, TINY_VOCODER
from tts.acoustic import AcousticConfig, AcousticModel
from tts.data.cache import FeatureCache
from tts.train.datasets import AcousticDataset
from tts.train.gta import write_gta_mels
from tts.train.loop import Runtime
from tts.train.pack import pack_subset, select_rows
from tts.train.run import export, prepare, train
from tts.models import WeightsError, export_weights, load_acoustic, load_vocoder

TRAIN = "log_every = 5\ncheckpoint_every = 20\nsample_every = 40\nvalidation_fraction = 0.01\n"


def write_config(folder: Path, model: dict, train_extra: str) -> Path:
    body = "[model]\n" + "".join(f"{k} = {v}\n" for k, v in model.items()) + "[train]\n" + TRAIN + train_extra
    path = folder / "config.toml"
    path.write_text(body)
    return path


def logged(path: Path, column: str) -> list[float]:
    with open(path) as handle:
        return [float(row[column]) for row in csv.DictReader(handle) if row.get(column)]


@pytest.fixture(scope="module")
def cache(generated_corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cache")
    kept, skipped = prepare("manifest", generated_corpus, out, workers=1)
    assert kept == 8 and not skipped
    return out


def test_acoustic_model_learns_and_resumes(cache, tmp_path):
    config = write_config(tmp_path, TINY_ACOUSTIC, "batch_size = 4\nlearning_rate = 3e-3\nwarmup_steps = 10\n"
                                                   "binarize_start = 30\n")
    run = tmp_path / "run"
    assert train("acoustic", cache, run, config, max_steps=40, threads=2) == 40
    mel = logged(run / "log.csv", "mel")
    align = logged(run / "log.csv", "align")
    assert mel[-1] < 0.7 * mel[0]
    assert align[-1] < align[0]
    assert (run / "samples" / "acoustic_0000040.wav").is_file()  # periodic samples through the shipped vocoder
    assert (run / "validation.csv").read_text().startswith("40,mel=")
    # resuming continues from the checkpoint instead of starting over
    assert train("acoustic", cache, run, config, max_steps=45, threads=2) == 45
    weights = tmp_path / "acoustic.onnx"
    export("acoustic", run / "last.pt", weights)
    # a new run can start from the exported weights instead of from scratch
    train("acoustic", cache, tmp_path / "from_weights", config, max_steps=5, threads=2, init=weights)
    assert logged(tmp_path / "from_weights" / "log.csv", "mel")[0] < 0.8 * mel[0]
    model = load_acoustic(weights)
    centre = FeatureCache.open(cache).population_mean()  # recorded (fp16) for tts.adaptation
    assert model.speaker_mean is not None and np.allclose(model.speaker_mean.numpy(), centre, atol=1e-3)
    ids = torch.tensor([1, 40, 50, 60, 3, 41, 51, 2])
    mel = model.synthesize(ids, torch.nn.functional.normalize(torch.randn(256), dim=0))
    assert mel.shape[0] == 80 and mel.shape[1] >= len(ids)
    slow = model.synthesize(ids, torch.nn.functional.normalize(torch.randn(256), dim=0), speed=0.5)
    assert slow.shape[1] > mel.shape[1]


def test_vocoder_learns(cache, tmp_path):
    config = write_config(tmp_path, TINY_VOCODER, "batch_size = 4\nsegment_samples = 4096\nlearning_rate = 2e-3\n"
                                                  "gan_start = 36\n")
    run = tmp_path / "run"
    train("vocoder", cache, run, config, max_steps=40, threads=2)
    mel = logged(run / "log.csv", "mel")
    assert mel[-1] < 0.8 * mel[0]
    assert logged(run / "log.csv", "disc")  # the GAN phase ran
    assert (run / "samples" / "vocoder_0000040.wav").is_file()
    weights = tmp_path / "vocoder.onnx"
    export("vocoder", run / "last.pt", weights)
    wav = load_vocoder(weights)(torch.zeros(1, 80, 50))
    assert wav.shape == (1, 49 * 256)


def test_ctrl_c_saves_a_checkpoint(cache, tmp_path, monkeypatch):
    from tts.train.acoustic import AcousticTask

    config = write_config(tmp_path, TINY_ACOUSTIC, "batch_size = 4\n")
    original = AcousticTask.train_step

    def interrupted_at_step_7(self, batch, step):
        if step == 7:
            raise KeyboardInterrupt
        return original(self, batch, step)

    monkeypatch.setattr(AcousticTask, "train_step", interrupted_at_step_7)
    with pytest.raises(KeyboardInterrupt):
        train("acoustic", cache, tmp_path / "run", config, max_steps=40, threads=2)
    assert torch.load(tmp_path / "run" / "last.pt", weights_only=True)["step"] == 7


def test_an_interrupt_outside_the_training_step_saves_a_checkpoint_too(cache, tmp_path, monkeypatch):
    from tts.train.acoustic import AcousticTask

    config = write_config(tmp_path, TINY_ACOUSTIC, "batch_size = 4\n")
    config.write_text(config.read_text().replace("sample_every = 40", "sample_every = 6"))

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(AcousticTask, "validate", interrupted)  # Ctrl-C while validating after step 6
    with pytest.raises(KeyboardInterrupt):
        train("acoustic", cache, tmp_path / "run", config, max_steps=40, threads=2)
    assert torch.load(tmp_path / "run" / "last.pt", weights_only=True)["step"] == 6


def test_sigterm_saves_a_checkpoint_too(cache, tmp_path, monkeypatch):
    from tts.train.acoustic import AcousticTask

    config = write_config(tmp_path, TINY_ACOUSTIC, "batch_size = 4\n")
    original = AcousticTask.train_step

    def killed_at_step_5(self, batch, step):
        if step == 5:
            os.kill(os.getpid(), signal.SIGTERM)
        return original(self, batch, step)

    monkeypatch.setattr(AcousticTask, "train_step", killed_at_step_5)
    with pytest.raises(KeyboardInterrupt):
        train("acoustic", cache, tmp_path / "run", config, max_steps=40, threads=2)
    assert torch.load(tmp_path / "run" / "last.pt", weights_only=True)["step"] == 5
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is only there while training


def test_minority_speakers_are_repeated_each_epoch(cache):
    features = FeatureCache.open(cache)
    uneven = list(range(1, len(features.records)))  # one speaker loses an utterance: 3 against 4
    once = AcousticDataset(features, uneven, max_frames=10_000)
    thrice = AcousticDataset(features, uneven, max_frames=10_000, minority_repeat=3)
    speakers = [features.records[i]["speaker"] for i, _ in once.items]
    largest = max(set(speakers), key=speakers.count)
    assert len(thrice) == len(once) + 2 * sum(s != largest for s in speakers)
    assert sum(features.records[i]["speaker"] == largest for i, _ in thrice.items) == speakers.count(largest)


def test_cpu_bf16_autocast_is_opt_in():
    x = torch.randn(4, 4)
    with Runtime(cpu_bf16=False).autocast():
        assert (x @ x).dtype == torch.float32
    with Runtime(cpu_bf16=True).autocast():
        assert (x @ x).dtype == torch.bfloat16


def test_init_from_an_older_model_adds_speaker_norms_but_rejects_foreign_layers(cache, tmp_path):
    plain = tmp_path / "plain.onnx"
    export_weights(AcousticModel(AcousticConfig(**TINY_ACOUSTIC)), plain, {})
    normed_config = write_config(tmp_path, {**TINY_ACOUSTIC, "speaker_norm": "true"}, "batch_size = 4\n")
    assert train("acoustic", cache, tmp_path / "normed", normed_config, max_steps=2, threads=2, init=plain) == 2
    normed = tmp_path / "normed.onnx"
    export("acoustic", tmp_path / "normed" / "last.pt", normed)
    plain_config = write_config(tmp_path, {**TINY_ACOUSTIC, "speaker_norm": "false"}, "batch_size = 4\n")
    with pytest.raises(WeightsError, match="layers this model lacks"):
        train("acoustic", cache, tmp_path / "plain_run", plain_config, max_steps=2, threads=2, init=normed)


def test_select_rows_lets_every_speaker_in_and_caps_the_largest():
    rows = [{"speaker": "big"}] * 10 + [{"speaker": s} for s in "aabbbc"]
    sizes = [10] * len(rows)
    chosen = select_rows(rows, sizes, max_bytes=80, largest_share=0.375)
    speakers = [rows[i]["speaker"] for i in chosen]
    assert speakers.count("big") == 3  # 30 of the 80 bytes
    assert {"a", "b", "c"} <= set(speakers) and len(chosen) == 8
    assert chosen == sorted(chosen)


def test_pack_copies_a_subset_that_prepare_reads(generated_corpus, tmp_path):
    total = sum((generated_corpus.parent / f"utt{i}.wav").stat().st_size for i in range(8))
    count, size = pack_subset(generated_corpus, tmp_path / "pack", max_mb=total / 2 / 1e6, largest_share=0.5)
    assert 0 < count < 8 and size <= total / 2
    kept, skipped = prepare("manifest", tmp_path / "pack" / "metadata.tsv", tmp_path / "cache", workers=1)
    assert kept == count and not skipped
    with pytest.raises(FileExistsError, match="not empty"):
        pack_subset(generated_corpus, tmp_path / "pack", max_mb=1)


def test_vocoder_fine_tunes_on_teacher_forced_mels(cache, tmp_path):
    acoustic = tmp_path / "acoustic.onnx"
    export_weights(AcousticModel(AcousticConfig(**TINY_ACOUSTIC)), acoustic, {})
    gta_cache = tmp_path / "cache"
    shutil.copytree(cache, gta_cache)
    config = write_config(tmp_path, TINY_VOCODER, "batch_size = 4\nsegment_samples = 4096\ngta_fraction = 1.0\n")
    with pytest.raises(FileNotFoundError, match="tts train gta"):
        train("vocoder", gta_cache, tmp_path / "run", config, max_steps=2, threads=2)
    assert write_gta_mels(gta_cache, acoustic) == 8
    features = FeatureCache.open(gta_cache)
    assert features.gta_mels.shape == features.mels.shape
    assert not np.allclose(features.gta_mel(0), features.mel(0))  # predicted, not copied
    assert train("vocoder", gta_cache, tmp_path / "run", config, max_steps=2, threads=2) == 2


def test_vocoder_crops_pair_each_waveform_with_its_own_mel_frames(cache):
    from tts.audio import LogMelSpectrogram
    from tts.train.datasets import SegmentDataset

    features = FeatureCache.open(cache)
    crops = SegmentDataset(features, list(range(len(features.records))), segment=4096, seed=0)
    for k in range(4):
        wav, mel = crops[k]
        assert wav.shape == (4096,) and mel.shape == (80, 4096 // 256 + 1)
        recomputed = LogMelSpectrogram()(wav[None])[0]
        inner = slice(3, -3)  # edge frames see beyond the crop in the cache
        assert (recomputed[:, inner] - mel[:, inner]).abs().mean() < 0.05
