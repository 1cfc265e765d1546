"""Property-based tests of the voice-profile validator: whatever the input, the outcome is a valid profile or a
VoiceError, never another exception. About 10^4 generated inputs in the default run (each example checks several,
as hypothesis' own cost per example dominates); 10x more with -m slow."""

from __future__ import annotations

import functools
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_voice_hardening import good_profile
from tts.voices import VoiceError, VoiceLibrary, VoiceProfile, canonical_hash

SETTINGS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SCALE = {"default": 1, "slow": 10}
BATCH = 5  # inputs checked per example
DROP = object()  # as a generated value: remove the field instead

HOSTILE = [  # values that have broken parsers and validators before: huge, non-finite, wrong type, terminal codes
    None, True, False, 0, 1, -1, 2 ** 63, 10 ** 400, -10 ** 400, 1e300, -1e300, 1e-300, float("nan"), float("inf"),
    float("-inf"), -0.0, 0.5, 150.0, 4.0, -11.6, 3000.0, "", " ", "\x1b[2J", "\r\x07", "\ud800", "\u202e", "x" * 3000,
    "2026-11-27T10:00:00+00:00", "flag", "ab" * 32, "reference-statistics-v1", "ge2e-resemblyzer-v1", [], {}, [None],
    [[]], {"": None}, [1.0] * 80, [99.0] * 80, [0.0] * 80, [1e-3] * 80, [1 / 16] * 256, ["ab" * 32] * 101,
    [{"sha256": "ab" * 32, "seconds": 1.0}], DROP,
]
values = st.one_of(st.sampled_from(HOSTILE), st.integers(), st.floats(), st.text(max_size=8),
                   st.lists(st.floats(-20, 20), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                              max_size=2))


def places(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every place inside a JSON value (dict keys and list indexes), outermost first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += places(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):  # a few elements of the long vectors are enough
            found += places(item, prefix + (index,))
    return found


PLACES = places(good_profile())[1:]
changes = st.lists(st.tuples(st.sampled_from(PLACES), values), min_size=BATCH, max_size=BATCH)


def changed(*edits: tuple[tuple, object]) -> dict:
    """good_profile() with each (place, value) of `edits` applied in turn (where the place still exists)."""
    profile = good_profile()
    for (*parents, last), value in edits:
        try:
            target = functools.reduce(lambda d, k: d[k], parents, profile)
            if value is DROP:
                del target[last]
            else:
                target[last] = value
        except (KeyError, IndexError, TypeError):  # an earlier edit replaced or removed the place
            pass
    return profile


def check(data: object) -> None:
    """The property: a valid profile (which serialises without NaN and passes again) or a one-line VoiceError."""
    try:
        profile = VoiceProfile.from_dict(data, "generated profile")
    except VoiceError as error:
        assert str(error) and "\n" not in str(error)
        return
    again = VoiceProfile.from_dict(json.loads(json.dumps(profile.to_dict(), allow_nan=False)), "round trip")
    assert again == profile and math.isfinite(sum(profile.embedding))


def exported(profile: dict) -> bytes:
    """An exported voice file of `profile` with a matching integrity hash (what an attacker can make)."""
    try:
        digest = canonical_hash(profile)
    except ValueError:  # NaN or infinity: still a file to read
        digest = "0" * 64
    return json.dumps({"format": "tts-voice", "format_version": 1, "sha256": digest, "profile": profile}).encode()


def run_changes(examples: int) -> None:
    @settings(SETTINGS, max_examples=examples)
    @given(changes)
    def each_and_all(edits):
        for edit in edits:
            check(changed(edit))
        check(changed(*edits))

    each_and_all()


def run_arbitrary(examples: int) -> None:
    profiles = st.dictionaries(st.sampled_from([*good_profile(), "extra"]), values)

    @settings(SETTINGS, max_examples=examples)
    @given(st.lists(st.one_of(values, profiles), min_size=BATCH, max_size=BATCH))
    def anything(inputs):
        for data in inputs:
            check(data)

    anything()


def run_files(examples: int) -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / "generated.voice.json"
    contents = st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                         st.tuples(st.sampled_from(PLACES), values).map(lambda edit: exported(changed(edit))))

    @settings(SETTINGS, max_examples=examples)
    @given(st.lists(contents, min_size=BATCH, max_size=BATCH))
    def files(inputs):
        for content in inputs:
            path.write_bytes(content)
            try:
                VoiceLibrary.read_export(path)
            except VoiceError:
                pass

    files()


@pytest.mark.parametrize("mode", ["default", pytest.param("slow", marks=pytest.mark.slow)])
def test_changed_fields_give_a_profile_or_a_voice_error(mode):
    run_changes(1000 * SCALE[mode])  # 6 inputs each


@pytest.mark.parametrize("mode", ["default", pytest.param("slow", marks=pytest.mark.slow)])
def test_arbitrary_json_gives_a_profile_or_a_voice_error(mode):
    run_arbitrary(500 * SCALE[mode])  # 5 inputs each


@pytest.mark.parametrize("mode", ["default", pytest.param("slow", marks=pytest.mark.slow)])
def test_arbitrary_files_give_a_profile_or_a_voice_error(mode):
    run_files(300 * SCALE[mode])  # 5 inputs each
