"""The voice library: names, packaged vs user voices, atomic saves, export/import, and `tts voices`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tts.cli.main import app
from tts.voices import (DEFAULT_VOICE, ENV_VOICES_DIR, VoiceError, VoiceLibrary, VoiceProfile, check_name,
                        load_voice)

runner = CliRunner()


def make_profile(name: str, seed: int = 0) -> VoiceProfile:
    vector = np.abs(np.random.default_rng(seed).standard_normal(256))
    vector /= np.linalg.norm(vector)
    return VoiceProfile(name=name, embedding=[float(x) for x in vector], description=f"voice {name}",
                        clips=[{"sha256": "ab" * 32, "seconds": 4.2, "speech_seconds": 3.9}])


@pytest.fixture
def library(tmp_path) -> VoiceLibrary:
    return VoiceLibrary(tmp_path / "voices")


def cli(*args: str, voices_dir: Path):
    return runner.invoke(app, [*args, "--voices-dir", str(voices_dir)])


# --- names -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("../x", "must not contain"), ("a/b", "must not contain"), ("a\\b", "must not contain"), ("", "empty"),
    ("x" * 65, "65 characters, the limit is 64"), (".hidden", "starting with a letter"), ("a b", "letters"),
    ("con", "reserved"), ("trailing.", "not ending"),
])
def test_bad_names_are_refused(name, message):
    with pytest.raises(VoiceError, match="invalid voice name") as error:
        check_name(name)
    assert message in str(error.value)


def test_good_names_pass():
    for name in ("alice", "Bob-2", "v1.0_final", "x" * 64):
        assert check_name(name) == name


# --- the library -------------------------------------------------------------------------------------------

def test_save_get_list_remove(library):
    path = library.save(make_profile("alice"))
    assert path == library.user_dir / "alice.json"
    assert not [p for p in library.user_dir.iterdir() if p.name != "alice.json"]  # no temp file left
    assert np.allclose(library.get("alice").vector, make_profile("alice").vector)
    assert {(e.name, e.source) for e in library.list()} >= {("alice", "user"), (DEFAULT_VOICE, "packaged")}
    assert library.remove("alice") == path and not path.exists()
    with pytest.raises(VoiceError, match="unknown voice 'alice'"):
        library.get("alice")


def test_existing_voice_is_replaced_only_with_force(library):
    library.save(make_profile("alice", seed=1))
    with pytest.raises(VoiceError, match="already exists.*--force"):
        library.save(make_profile("alice", seed=2))
    assert np.allclose(library.get("alice").vector, make_profile("alice", seed=1).vector)
    library.save(make_profile("alice", seed=2), force=True)
    assert np.allclose(library.get("alice").vector, make_profile("alice", seed=2).vector)


def test_packaged_voices_are_read_only_and_not_shadowed(library):
    with pytest.raises(VoiceError, match="read-only"):
        library.remove(DEFAULT_VOICE)
    with pytest.raises(VoiceError, match="read-only"):
        library.rename(DEFAULT_VOICE, "other")
    for name in (DEFAULT_VOICE, DEFAULT_VOICE.upper()):
        with pytest.raises(VoiceError, match="packaged voice"):
            library.save(make_profile(name))
    library.save(make_profile("alice"))
    with pytest.raises(VoiceError, match="packaged voice"):
        library.rename("alice", DEFAULT_VOICE)
    # a file dropped into the user folder under a packaged name is ignored, never used instead
    (library.user_dir / f"{DEFAULT_VOICE}.json").write_text(make_profile(DEFAULT_VOICE).to_json())
    assert library.find(DEFAULT_VOICE).source == "packaged"
    assert [e.source for e in library.list() if e.name == DEFAULT_VOICE] == ["packaged"]


def test_rename(library):
    library.save(make_profile("alice", seed=1))
    library.save(make_profile("bob", seed=2))
    with pytest.raises(VoiceError, match="already exists"):
        library.rename("alice", "bob")
    path = library.rename("alice", "carol")
    assert path.name == "carol.json" and not (library.user_dir / "alice.json").exists()
    assert library.get("carol").name == "carol"
    library.rename("carol", "Carol")  # only the case changes
    assert library.get("Carol").name == "Carol"
    assert sorted(p.name for p in library.user_dir.glob("*.json")) == ["Carol.json", "bob.json"]


def test_invalid_profiles_are_refused(library):
    library.user_dir.mkdir(parents=True)
    good = make_profile("bad").to_dict()
    cases = [
        ({**good, "schema_version": 2}, "schema version 2"),
        ({**good, "embedding": good["embedding"][:10]}, "10 values"),
        ({**good, "embedding": [x * 2 for x in good["embedding"]]}, "length is 2.0000"),
        ({**good, "embedding": [float("nan")] * 256}, "NaN"),
        ({**good, "encoder": "other-encoder"}, "speaker encoder 'other-encoder'"),
        ({**good, "extra": 1}, "unknown field"),
        ({**good, "clips": [{"sha256": "x"}]}, "clips"),
    ]
    for data, message in cases:
        (library.user_dir / "bad.json").write_text(json.dumps(data))
        with pytest.raises(VoiceError, match=message):
            library.get("bad")
    (library.user_dir / "bad.json").write_text("{not json")
    with pytest.raises(VoiceError, match="not valid JSON"):
        library.get("bad")


def test_user_dir_from_flag_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VOICES_DIR, str(tmp_path / "env"))
    assert VoiceLibrary().user_dir == tmp_path / "env"
    assert VoiceLibrary(tmp_path / "flag").user_dir == tmp_path / "flag"
    VoiceLibrary().save(make_profile("alice"))
    assert load_voice("alice").name == "alice"  # the synthesizer's lookup finds enrolled voices
    assert load_voice(None).name == DEFAULT_VOICE
    monkeypatch.delenv(ENV_VOICES_DIR)
    assert VoiceLibrary().user_dir.name == "voices" and "tts" in str(VoiceLibrary().user_dir)


# --- export / import ---------------------------------------------------------------------------------------

def test_export_import_round_trip(library, tmp_path):
    library.save(make_profile("alice"))
    shared = library.export("alice", tmp_path / "alice.voice.json")
    other = VoiceLibrary(tmp_path / "other")
    imported = other.import_(shared)
    assert imported.to_dict() == library.get("alice").to_dict()
    assert other.get("alice").to_dict() == library.get("alice").to_dict()
    other.import_(shared, name="alice2")
    assert other.get("alice2").name == "alice2"
    with pytest.raises(VoiceError, match="already exists"):
        library.export("alice", shared)
    library.export(DEFAULT_VOICE, tmp_path / "joe.voice.json")  # packaged voices can be shared too


def tampered(path: Path, change) -> Path:
    document = json.loads(path.read_text())
    change(document)
    out = path.with_name("tampered.json")
    out.write_text(json.dumps(document))
    return out


def test_tampered_or_foreign_files_are_refused(library, tmp_path):
    library.save(make_profile("alice"))
    shared = library.export("alice", tmp_path / "alice.voice.json")
    other = VoiceLibrary(tmp_path / "other")

    def bump_embedding(d):
        d["profile"]["embedding"][0] += 0.01

    def rename(d):
        d["profile"]["name"] = "mallory"

    def drop_hash(d):
        del d["sha256"]

    def newer(d):
        d["format_version"] = 9

    for change, message in ((bump_embedding, "integrity check"), (rename, "integrity check"),
                            (drop_hash, "damaged"), (newer, "format version 9")):
        with pytest.raises(VoiceError, match=message):
            other.import_(tampered(shared, change))

    def bad_name_rehashed(d):  # hash recomputed by hand: the contents are still checked
        from tts.voices import canonical_hash
        d["profile"]["name"] = "../evil"
        d["sha256"] = canonical_hash(d["profile"])

    with pytest.raises(VoiceError, match="invalid voice name"):
        other.import_(tampered(shared, bad_name_rehashed))
    foreign = tmp_path / "foreign.json"
    for content, message in (('{"hello": 1}', "not a tts voice file"), ("\x00\x01binary", "not valid JSON"),
                             (library.get("alice").to_json(), "bare voice profile")):
        foreign.write_text(content)
        with pytest.raises(VoiceError, match=message):
            other.import_(foreign)
    assert not other.user_dir.exists() or not list(other.user_dir.iterdir())  # nothing was written


def test_import_never_overwrites_without_force(library, tmp_path):
    library.save(make_profile("alice", seed=1))
    shared = library.export("alice", tmp_path / "alice.voice.json")
    other = VoiceLibrary(tmp_path / "other")
    other.save(make_profile("alice", seed=2))
    before = (other.user_dir / "alice.json").read_bytes()
    with pytest.raises(VoiceError, match="already exists.*--force"):
        other.import_(shared)
    assert (other.user_dir / "alice.json").read_bytes() == before
    other.import_(shared, force=True)
    assert np.allclose(other.get("alice").vector, make_profile("alice", seed=1).vector)


# --- the command line --------------------------------------------------------------------------------------

def test_voices_commands(tmp_path):
    voices_dir = tmp_path / "voices"
    VoiceLibrary(voices_dir).save(make_profile("alice"))

    result = cli("voices", "list", voices_dir=voices_dir)
    assert result.exit_code == 0, result.output
    assert "alice" in result.output and "user" in result.output and DEFAULT_VOICE in result.output

    result = cli("voices", "show", "alice", voices_dir=voices_dir)
    assert result.exit_code == 0, result.output
    assert "norm 1.0000" in result.output and "voice alice" in result.output and "ababab" in result.output
    assert len(result.output.splitlines()) < 20  # not 256 numbers

    shared = tmp_path / "alice.voice.json"
    assert cli("voices", "export", "alice", str(shared), voices_dir=voices_dir).exit_code == 0
    result = cli("voices", "import", str(shared), voices_dir=voices_dir)
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert cli("voices", "import", str(shared), "--force", voices_dir=voices_dir).exit_code == 0

    result = cli("voices", "rename", "alice", "bob", voices_dir=voices_dir)
    assert result.exit_code == 0, result.output
    assert cli("voices", "show", "bob", voices_dir=voices_dir).exit_code == 0
    assert cli("voices", "remove", "bob", voices_dir=voices_dir).exit_code == 0
    result = cli("voices", "show", "bob", voices_dir=voices_dir)
    assert result.exit_code == 1 and "unknown voice 'bob'" in result.output


def test_voices_commands_give_one_line_errors(tmp_path):
    voices_dir = tmp_path / "voices"
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    cases = [
        (("voices", "remove", DEFAULT_VOICE), "read-only"),
        (("voices", "rename", DEFAULT_VOICE, "x"), "read-only"),
        (("voices", "show", "../x"), "invalid voice name"),
        (("voices", "remove", "nobody"), "unknown voice"),
        (("voices", "import", str(bad)), "not a tts voice file"),
        (("voices", "import", str(tmp_path / "missing.json")), "not found"),
        (("voices", "export", "nobody", str(tmp_path / "x.json")), "unknown voice"),
    ]
    for args, message in cases:
        result = cli(*args, voices_dir=voices_dir)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
