"""Model files describe themselves: audio settings, language and symbols are checked when they load, by the
runtime (ONNX Runtime) and by training (torch) alike."""

from __future__ import annotations

import json

import onnx
import pytest

from tts.models import MODEL_KINDS, WeightsError, load_acoustic, load_model, load_vocoder
from tts.runtime.acoustic import AcousticRuntime
from tts.runtime.model_file import METADATA_KEY
from tts.runtime.vocoder import VocoderRuntime


def description(path) -> dict:
    entries = {entry.key: entry.value for entry in onnx.load(str(path)).metadata_props}
    return json.loads(entries[METADATA_KEY])


def rewrite(source, target, change) -> None:
    """A copy of model file `source` at `target` whose description `change` edited."""
    proto = onnx.load(str(source))
    data = description(source)
    change(data)
    del proto.metadata_props[:]
    proto.metadata_props.append(onnx.StringStringEntryProto(key=METADATA_KEY, value=json.dumps(data)))
    onnx.save(proto, str(target))


def test_files_record_their_settings_and_the_registry_loads_every_kind(tiny_models):
    acoustic = description(tiny_models[0])
    assert acoustic["format"] == 3 and acoustic["audio"]["hop_length"] == 256
    assert acoustic["text"]["language"] == "en-us" and "AA1" in acoustic["text"]["symbols"]
    assert acoustic["slots"]["decoder.blocks.0.conv1.weight"][1] == 16  # a personal voice's low-rank change
    for kind, path in zip(MODEL_KINDS, tiny_models):
        assert isinstance(load_model(kind, path), MODEL_KINDS[kind].model)


def test_a_vocoder_made_for_another_hop_is_refused(tiny_models, tmp_path):
    rewrite(tiny_models[1], tmp_path / "v.onnx", lambda d: d["audio"].update(hop_length=200))
    for load in (VocoderRuntime, load_vocoder):
        with pytest.raises(WeightsError, match="hop_length 200 \\(this version: 256\\)") as error:
            load(tmp_path / "v.onnx")
        assert "\n" not in str(error.value)


def test_an_acoustic_model_of_another_symbol_list_or_language_is_refused(tiny_models, tmp_path):
    rewrite(tiny_models[0], tmp_path / "a.onnx", lambda d: d["text"]["symbols"].reverse())
    rewrite(tiny_models[0], tmp_path / "b.onnx", lambda d: d["text"].update(language="xx"))
    for load in (AcousticRuntime, load_acoustic):
        with pytest.raises(WeightsError, match="another phoneme symbol list"):
            load(tmp_path / "a.onnx")
    with pytest.raises(WeightsError, match="language 'xx'"):
        AcousticRuntime(tmp_path / "b.onnx")


def test_files_of_earlier_versions_are_refused_with_the_way_out(tiny_models, tmp_path):
    rewrite(tiny_models[0], tmp_path / "old.onnx", lambda d: d.update(format=2))
    with pytest.raises(WeightsError, match="format 2 .*tts train export"):
        AcousticRuntime(tmp_path / "old.onnx")
    torch_file = tmp_path / "acoustic.pt"
    torch_file.write_bytes(b"PK\x03\x04 an old torch weights file")
    with pytest.raises(WeightsError, match="tts train export"):
        AcousticRuntime(torch_file)
