"""Weights files describe themselves: audio settings, language and symbols are checked when they load."""

from __future__ import annotations

import pytest
import torch

from tts.models import MODEL_KINDS, WeightsError, load_acoustic, load_model, load_vocoder


def rewrite(source, target, change) -> None:
    data = torch.load(source, weights_only=True)
    change(data)
    torch.save(data, target)


def test_files_record_their_settings_and_the_registry_loads_every_kind(tiny_models):
    acoustic = torch.load(tiny_models[0], weights_only=True)
    assert acoustic["format"] == 2 and acoustic["audio"]["hop_length"] == 256
    assert acoustic["text"]["language"] == "en-us" and "AA1" in acoustic["text"]["symbols"]
    assert "speaker_centre" in acoustic["state"]
    for kind, path in zip(MODEL_KINDS, tiny_models):
        assert isinstance(load_model(kind, path), MODEL_KINDS[kind].model)


def test_a_vocoder_made_for_another_hop_is_refused(tiny_models, tmp_path):
    rewrite(tiny_models[1], tmp_path / "v.pt", lambda d: d["audio"].update(hop_length=200))
    with pytest.raises(WeightsError, match="hop_length 200 \\(this version: 256\\)") as error:
        load_vocoder(tmp_path / "v.pt")
    assert "\n" not in str(error.value)


def test_an_acoustic_model_of_another_symbol_list_or_language_is_refused(tiny_models, tmp_path):
    rewrite(tiny_models[0], tmp_path / "a.pt", lambda d: d["text"]["symbols"].reverse())
    with pytest.raises(WeightsError, match="another phoneme symbol list"):
        load_acoustic(tmp_path / "a.pt")
    rewrite(tiny_models[0], tmp_path / "b.pt", lambda d: d["text"].update(language="xx"))
    with pytest.raises(WeightsError, match="language 'xx'"):
        load_acoustic(tmp_path / "b.pt")


def test_format_1_files_still_load_with_their_centre(tiny_models, tmp_path):
    def legacy(data):
        for key in ("format", "audio", "text"):
            del data[key]
        data["state"].pop("speaker_centre")
        data["meta"]["speaker_mean"] = [0.5] * 256

    rewrite(tiny_models[0], tmp_path / "old.pt", legacy)
    model = load_acoustic(tmp_path / "old.pt")
    assert torch.allclose(model.speaker_mean, torch.full((256,), 0.5))
