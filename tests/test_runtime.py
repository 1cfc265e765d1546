"""The light runtime: the ONNX model files on ONNX Runtime give what the torch models give, personal voices
included, and speaking, enrolling and detecting never import torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from tests.conftest import SENTENCES, tone_speech
from tts.audio.features import LogMelSpectrogram
from tts.audio.spectrum import istft, log_mel
from tts.finetune.adapter import AdapterError
from tts.finetune.lowrank import ADAPTED, Adaptable, to_arrays
from tts.models import load_acoustic, load_vocoder
from tts.runtime.acoustic import AcousticRuntime
from tts.runtime.vocoder import VocoderRuntime

IDS = [1, *range(5, 40), 2]
SPEAKER = (np.ones(256) / 16).astype(np.float32)


def torch_voice(acoustic, vocoder, speed=1.0, shift=0.0, level=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mel, durations = acoustic.infer(torch.tensor(IDS), torch.from_numpy(SPEAKER), speed, shift, level)
    with torch.inference_mode():
        wav = vocoder(mel[None])[0]
    return mel.numpy(), durations.numpy(), wav.numpy()


def onnx_voice(acoustic, vocoder, speed=1.0, shift=0.0, level=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mel, durations = acoustic.infer(IDS, SPEAKER, speed, shift, level)
    return mel, durations, vocoder(mel)


@pytest.mark.parametrize("controls", [(1.0, 0.0, None), (1.6, -3.0, 0.4), (0.5, 5.0, -0.2)])
def test_the_onnx_models_give_the_torch_models_mel_durations_and_waveform(tiny_models, controls):
    expected = torch_voice(load_acoustic(tiny_models[0]), load_vocoder(tiny_models[1]), *controls)
    got = onnx_voice(AcousticRuntime(tiny_models[0], 1), VocoderRuntime(tiny_models[1], 1), *controls)
    assert np.array_equal(got[1], expected[1])  # the same frames for every phoneme
    assert got[0].shape == expected[0].shape and np.abs(got[0] - expected[0]).max() < 1e-3
    assert got[2].shape == expected[2].shape and np.abs(got[2] - expected[2]).max() < 1e-3


def test_a_personal_voices_changes_give_what_the_changed_torch_models_give(tiny_models):
    torch.manual_seed(1)
    acoustic, vocoder = load_acoustic(tiny_models[0]), load_vocoder(tiny_models[1])
    changed, arrays = {}, {}
    for kind, model in (("acoustic", acoustic), ("vocoder", vocoder)):
        trainable = Adaptable(model, *ADAPTED[kind])
        with torch.no_grad():  # a change of every adapted parameter, as training would make
            for param in trainable.parameters():
                param.add_(0.05 * torch.randn_like(param))
        changed[kind] = trainable.model.eval()
        arrays.update(to_arrays(kind, trainable.deltas()))
    parameters = {kind: {} for kind in changed}
    for key, array in arrays.items():
        kind, rest = key.split("/", 1)
        name, part = rest.split("#")
        parameters[kind].setdefault(name, {})[part] = array
    base = AcousticRuntime(tiny_models[0], 1), VocoderRuntime(tiny_models[1], 1)
    personal = [model.with_changes(parameters[kind], "test voice") for kind, model in zip(changed, base)]
    expected = torch_voice(changed["acoustic"], changed["vocoder"])
    got = onnx_voice(*personal)
    assert np.abs(got[0] - expected[0]).max() < 2e-2 and np.abs(got[2] - expected[2]).max() < 2e-2
    assert np.abs(onnx_voice(*base)[0] - expected[0]).max() > 0.1  # the changes matter, and only to this voice
    wrong = {"decoder.blocks.0.conv1.weight": {"full": np.zeros((3, 3), np.float16)}}
    with pytest.raises(AdapterError, match="does not fit the loaded models"):
        base[0].with_changes(wrong, "test voice")


def test_numpy_spectra_match_the_torch_ones_used_in_training():
    wav = tone_speech("The cat sat.", 0)
    expected = LogMelSpectrogram()(torch.from_numpy(wav)[None])[0].numpy()
    assert np.allclose(log_mel(wav), expected, rtol=1e-3, atol=1e-3)
    spectrum = torch.randn(513, 30, dtype=torch.complex64)
    expected = torch.istft(spectrum, 1024, 256, 1024, torch.hann_window(1024), center=True).numpy()
    assert np.abs(istft(spectrum.real.numpy(), spectrum.imag.numpy()) - expected).max() < 1e-5


# the `tts` entry point run without torch and onnx: importing either fails, as in an install without the train extra
WITHOUT_TORCH = """
import sys
sys.modules["torch"] = sys.modules["onnx"] = None
from tts.cli.main import main
sys.argv = ["tts", *sys.argv[1:]]
main()
"""


def tts_without_torch(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_TORCH, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env={**os.environ, "TTS_VOICES_DIR": str(cwd / "voices")})


def test_speaking_enrolling_and_detecting_need_no_torch(tmp_path):
    text = "Hello there. This is a sentence long enough to stand in for a clip of a speaker's voice."
    said = tts_without_torch("say", text, "-o", "hello.wav", cwd=tmp_path)
    assert said.returncode == 0, said.stderr
    wav, rate = sf.read(tmp_path / "hello.wav")
    assert rate == 16000 and len(wav) > 8000
    sf.write(tmp_path / "clip.wav", wav, 16000)
    consent = ["--consent", "Generated test speaker: nobody's voice"]
    enrolled = tts_without_torch("enroll", "ann", "clip.wav", *consent, cwd=tmp_path)
    assert enrolled.returncode == 0, enrolled.stderr
    assert tts_without_torch("say", "Hi.", "--voice", "ann", "-o", "ann.wav", cwd=tmp_path).returncode == 0
    detected = tts_without_torch("detect", "hello.wav", cwd=tmp_path)
    assert detected.returncode == 0 and "hello.wav" in detected.stdout


def test_fine_tuning_without_torch_names_the_extra(tmp_path):
    sf.write(tmp_path / "clip.wav", np.concatenate([tone_speech(text, 0) for text in SENTENCES]), 16000)
    result = tts_without_torch("enroll", "ann", "clip.wav", "--consent", "Generated test speaker", "--adapt",
                               cwd=tmp_path)
    assert result.returncode == 1 and "pip install 'tts-clone[train]'" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "voices" / "ann.json").exists()
    trained = tts_without_torch("train", "vocoder", "--cache", "cache", "--out", "run", cwd=tmp_path)
    assert trained.returncode == 1 and "training needs torch: pip install 'tts-clone[train]'" in trained.stderr
    assert "Traceback" not in trained.stderr


def test_the_runtime_modules_do_not_import_torch():
    modules = ("tts.synthesizer", "tts.batch.render", "tts.encoder.enroll", "tts.watermark", "tts.adaptation",
               "tts.consent.verify", "tts.cli.main", "tts.cli.say", "tts.cli.batch", "tts.cli.enroll")
    code = f"import sys, {', '.join(modules)}; print(sorted({{'torch', 'onnx'}} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_int8_files_are_smaller_and_give_what_their_torch_model_gives(tiny_models, tmp_path):
    from tts.export import export_weights

    acoustic = load_acoustic(tiny_models[0])
    small = tmp_path / "acoustic.onnx"
    export_weights(acoustic, small, {"steps": 0}, int8=True)
    assert small.stat().st_size < tiny_models[0].stat().st_size  # (the shipped models: 40% smaller)
    mel, durations = AcousticRuntime(small, 1).infer(IDS, SPEAKER)
    expected, expected_durations = load_acoustic(small).infer(torch.tensor(IDS), torch.from_numpy(SPEAKER))
    assert np.array_equal(durations, expected_durations.numpy())
    assert np.abs(mel - expected.numpy()).max() < 1e-3
