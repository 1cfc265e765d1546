"""Shared fixtures: a small generated corpus and tiny model files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from tts.acoustic import AcousticConfig, AcousticModel
from tts.vocoder import Vocoder, VocoderConfig
from tts.models import export_weights

SENTENCES = [
    "The cat sat on the mat.", "A dog ran in the park.", "She sells sea shells.", "We like red apples.",
    "The sun is very hot.", "Birds sing in the morning.", "My hat is blue.", "Big ships sail far away.",
]
TINY_ACOUSTIC = dict(dim=32, heads=2, ff_dim=64, encoder_layers=1, decoder_layers=1, predictor_dim=32, dropout=0.0)
TINY_VOCODER = dict(dim=32, intermediate_dim=64, layers=1)


def tone_speech(text: str, seed: int) -> np.ndarray:
    """A stand-in for speech: one tone per letter, each letter's pitch fixed, with small gaps."""
    rng = np.random.default_rng(seed)
    pieces = []
    for ch in text.lower():
        n = int(16000 * rng.uniform(0.06, 0.09))
        if ch.isalpha():
            freq = 120 + 12 * (ord(ch) - ord("a"))
            pieces.append(0.3 * np.sin(2 * np.pi * freq * np.arange(n) / 16000))
        else:
            pieces.append(0.001 * rng.standard_normal(n))
    return np.concatenate(pieces).astype(np.float32)


@pytest.fixture(scope="session", autouse=True)
def private_voice_cache(tmp_path_factory):
    """Prepared voices are cached in a folder of the test session, never in the user's cache."""
    import os

    os.environ["TTS_CACHE_DIR"] = str(tmp_path_factory.mktemp("voice-cache"))


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory) -> Path:
    """A manifest TSV with eight generated utterances from two speakers."""
    root = tmp_path_factory.mktemp("corpus")
    lines = ["path\tspeaker\ttext"]
    for i, text in enumerate(SENTENCES):
        speaker = f"spk{i % 2}"
        sf.write(root / f"utt{i}.wav", tone_speech(text, i), 16000)
        lines.append(f"utt{i}.wav\t{speaker}\t{text}")
    (root / "metadata.tsv").write_text("\n".join(lines) + "\n")
    return root / "metadata.tsv"


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> tuple[Path, Path]:
    """Randomly initialised tiny acoustic model and vocoder files (fast, not meant to sound like speech)."""
    folder = tmp_path_factory.mktemp("weights")
    torch.manual_seed(0)
    acoustic, vocoder = folder / "acoustic.onnx", folder / "vocoder.onnx"
    export_weights(AcousticModel(AcousticConfig(**TINY_ACOUSTIC)), acoustic, {"steps": 0})
    export_weights(Vocoder(VocoderConfig(**TINY_VOCODER)), vocoder, {"steps": 0})
    return acoustic, vocoder
