"""The learned grapheme-to-phoneme model: the shipped file on held-out words, the export, no torch at run time."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

from tts.text.en.g2p_model import LETTERS, G2PModel
from tts.text.en.symbols import PHONES
from tts.train import g2p as g2p_training
from tts.train.g2p import G2PConfig, G2PNet, g2p_graph, lexicon, score


@pytest.fixture(scope="module")
def model() -> G2PModel:
    return G2PModel()


def test_shipped_model_reads_held_out_words(model: G2PModel) -> None:
    held_out = lexicon("test")[::40]  # 148 words the model was never trained on
    result = score([(model(word), phones) for word, phones in held_out])
    assert result["word_accuracy"] > 0.6 and result["per"] < 0.12, result


@pytest.mark.parametrize(("word", "phones"), [  # held-out words
    ("frazzled", "F R AE1 Z AH0 L D"),
    ("companionship", "K AH0 M P AE1 N Y AH0 N SH IH2 P"),
    ("stubblefield", "S T AH1 B AH0 L F IY2 L D"),
    ("spartacus", "S P AA1 R T AH0 K AH0 S"),
    ("reviewing", "R IY0 V Y UW1 IH0 NG"),
    ("argentinians", "AA2 R JH AH0 N T IH1 N IY0 AH0 N Z"),
])
def test_held_out_examples(model: G2PModel, word: str, phones: str) -> None:
    assert model(word) == phones.split()


@pytest.mark.parametrize("word", ["qwrtpz", "aaaaaaaa", "brrrmph", "x" * 80, "a", "Zorbling", "ab3c"])
def test_output_is_valid_arpabet(model: G2PModel, word: str) -> None:
    phones = model(word)
    assert phones and set(phones) <= set(PHONES)


def test_no_letters_no_phones(model: G2PModel) -> None:
    assert model("'-3") == []


def test_exported_graph_decodes_like_torch(tmp_path: Path) -> None:
    torch.manual_seed(1)
    config = G2PConfig(embedding=8, encoder=12, encoder_layers=2, decoder=16)
    net = G2PNet(config).eval()
    with torch.no_grad():  # float16 values, as the file stores them: both sides then compute on equal weights
        for parameter in net.parameters():
            parameter.copy_(parameter.half().float() * 3)
    path = tmp_path / "g2p.onnx"
    onnx.save(g2p_graph(net.state_dict(), config, {}), path)
    onnx_model = G2PModel(path)
    for word in ["cat", "abductors", "q", "internationalization"]:
        ids = torch.tensor([[LETTERS.index(c) + 1 for c in word]])
        assert onnx_model(word) == net.greedy(ids)[0], word
    description = json.loads(onnx.load(path).metadata_props[0].value)
    assert description["kind"] == "g2p" and description["config"]["encoder"] == 12


def test_int8_export_stores_large_matrices_in_int8_per_output_channel(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(g2p_training, "INT8_MIN_SIZE", 250)  # the tiny model's matrices count as large
    torch.manual_seed(1)
    config = G2PConfig(embedding=8, encoder=12, encoder_layers=2, decoder=16)
    net = G2PNet(config).eval()
    int8 = g2p_graph(net.state_dict(), config, {}, int8=True)
    float16 = {t.name: numpy_helper.to_array(t) for t in g2p_graph(net.state_dict(), config, {}).graph.initializer}
    arrays = {t.name: numpy_helper.to_array(t) for t in int8.graph.initializer}
    quantized = [name for name, array in arrays.items() if array.dtype == np.int8 and "::" not in name]
    assert set(quantized) == {"encoder0.W", "encoder0.R", "encoder1.W", "encoder1.R", "bridge.weight",
                              "attention.weight", "combine.context", "recurrent", "step_inputs", "out.weight"}
    axes = {node.input[0]: node.attribute[0].i for node in int8.graph.node if node.op_type == "DequantizeLinear"}
    assert set(axes) == set(quantized)
    for name in quantized:  # within half a step of the weight, a step per output channel
        array, scale, axis = arrays[name].astype(np.float32), arrays[f"{name}::scale"], axes[name]
        assert not arrays[f"{name}::zero"].any() and np.abs(array).max() == 127
        reference = float16[name].astype(np.float32).reshape(array.shape)
        step = scale[:, None] if axis == 0 else scale[None, :]
        assert np.all(np.abs(array * step - reference) <= step / 2 + np.abs(reference) / 1024), name
    assert {arrays[name].dtype for name in ["letters", "encoder0.B", "r.bias", "out.bias"]} == {np.dtype(np.float16)}
    path = tmp_path / "g2p.onnx"
    onnx.save(int8, path)
    assert len(G2PModel(path)("internationalization")) > 5


def test_g2p_pronounces_unknown_words_without_torch_and_loads_the_model_lazily() -> None:
    script = """
import sys
sys.modules["torch"] = None  # any import of torch fails
from tts.text.en import G2P
g2p = G2P()
g2p.word("hello")
assert "tts.text.en.g2p_model" not in sys.modules and "onnxruntime" not in sys.modules
print(" ".join(g2p.word("blorptastic")))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    phones = result.stdout.split()
    assert phones and set(phones) <= set(PHONES)
