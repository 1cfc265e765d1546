"""Model building blocks: alignment search, frame expansion, shapes, weight files."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import TINY_ACOUSTIC
from tts.acoustic import AcousticConfig, AcousticModel
from tts.acoustic.alignment import beta_binomial_prior, monotonic_alignment
from tts.acoustic.model import average_by_durations, expand_by_durations
from tts.vocoder import Vocoder, VocoderConfig
from tts.models import WeightsError, export_weights, load_acoustic


def test_monotonic_alignment_finds_the_planted_path():
    durations = torch.tensor([3, 1, 4, 2])
    frames = int(durations.sum())
    planted = torch.repeat_interleave(torch.arange(4), durations)
    log_probs = torch.full((1, frames, 4), -5.0)
    log_probs[0, torch.arange(frames), planted] = 0.0
    path = monotonic_alignment(log_probs, torch.tensor([4]), torch.tensor([frames]))
    assert torch.equal(path[0].sum(0), durations.float())
    assert torch.equal(path[0].argmax(1), planted)


def test_alignment_is_monotonic_and_covers_every_phoneme_with_padding():
    torch.manual_seed(0)
    log_probs = torch.randn(2, 30, 8)
    text_lens, mel_lens = torch.tensor([8, 5]), torch.tensor([30, 12])
    path = monotonic_alignment(log_probs, text_lens, mel_lens)
    for b in range(2):
        durations = path[b].sum(0)
        assert durations.sum() == mel_lens[b]
        assert (durations[: text_lens[b]] >= 1).all() and durations[text_lens[b] :].sum() == 0
        index = path[b, : mel_lens[b]].argmax(1)
        assert (index[1:] - index[:-1]).ge(0).all() and (index[1:] - index[:-1]).le(1).all()


def test_prior_favours_the_diagonal():
    prior = beta_binomial_prior(torch.tensor([5]), torch.tensor([50]))[0]
    assert prior[0].argmax() == 0 and prior[-1].argmax() == 4 and prior[25].argmax() == 2


def test_expand_and_average_by_durations():
    x = torch.arange(3.0).view(1, 3, 1)
    frames, lens = expand_by_durations(x, torch.tensor([[2, 0, 3]]))
    assert lens.tolist() == [5] and frames[0, :, 0].tolist() == [0, 0, 2, 2, 2]
    pitch = torch.tensor([[100.0, 0.0, 200.0, 220.0, 0.0]])
    assert average_by_durations(pitch, torch.tensor([[2, 3]])).tolist() == [[100.0, 210.0]]


def test_model_sizes_and_shapes():
    acoustic = AcousticModel(AcousticConfig())
    assert 5e6 <= sum(p.numel() for p in acoustic.parameters()) <= 15e6
    vocoder = Vocoder(VocoderConfig()).eval()
    with torch.inference_mode():
        assert vocoder(torch.randn(2, 80, 40)).shape == (2, 39 * 256)


def test_weight_files_fail_clearly(tmp_path):
    with pytest.raises(WeightsError, match="missing"):
        load_acoustic(tmp_path / "none.onnx")
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"\x00garbage")
    with pytest.raises(WeightsError, match="corrupt"):
        load_acoustic(corrupt)
    vocoder_file = tmp_path / "vocoder.onnx"
    export_weights(Vocoder(VocoderConfig(dim=16, intermediate_dim=16, layers=1)), vocoder_file, {})
    with pytest.raises(WeightsError, match="holds no acoustic model"):
        load_acoustic(vocoder_file)
    good = tmp_path / "acoustic.onnx"
    export_weights(AcousticModel(AcousticConfig(**TINY_ACOUSTIC)), good, {"steps": 1})
    assert isinstance(load_acoustic(good), AcousticModel)


def test_speaker_norms_start_as_the_plain_model_and_then_depend_on_the_speaker():
    plain = AcousticModel(AcousticConfig(**TINY_ACOUSTIC)).eval()
    normed = AcousticModel(AcousticConfig(**TINY_ACOUSTIC, speaker_norm=True)).eval()
    missing, unexpected = normed.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and all(".cond." in k for k in missing)
    ids = torch.tensor([1, 40, 50, 60, 3, 41, 51, 2])
    speaker = torch.nn.functional.normalize(torch.randn(256), dim=0)
    torch.testing.assert_close(normed.synthesize(ids, speaker), plain.synthesize(ids, speaker))
    with torch.no_grad():
        normed.decoder.blocks[0].norm2.cond.weight.normal_()
    assert not torch.allclose(normed.synthesize(ids, speaker), plain.synthesize(ids, speaker))
