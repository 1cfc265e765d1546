"""Generated scripts for the batch parser (hypothesis): every input gives a Script or a ScriptError, never another
exception, and what it gives is sound. Each generated script is read by all three parsers (text, table, JSON
Lines, CSV): about 10^4 parses in the default run; `-m slow` tries 20 times more."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts.batch.script import DEFAULT_GAP, MAX_PAUSE, MAX_SPEED, MIN_SPEED, Script, ScriptError, parse_script
from tts.text.en.frontend import PARAGRAPH_PAUSE
from tts.voices import check_name

SUFFIXES = [".txt", ".tsv", ".jsonl", ".csv"]  # one per parser
SLOW = 20  # times more examples under -m slow

# Pieces of every format, put together in any order: directives, prefixes, fields, JSON, odd numbers and characters.
TOKENS = ["\n", "\n\n", "\r\n", "\r", " ", "\t", "|", "#", "\\", "@voice", "@speed", "@pause", "@gap", "@bogus", "[",
          "]", "joe",
          "alice", "speed=", "loud=1", "1", "0.8", "4", "1e400", "1" + "0" * 400, "nan", "-inf", "500ms", "1.5s", "60",
          "61", "Hello.", "id", "voice", "text", "a.b", "..", "x/y", "{", "}", ":", ",", '"', '{"text": "Hi."',
          '"speed": ', '"id": ', '"voice": ', '"pause": ', '"500ms"', "-1", "null", "true", "[[[[", "[" * 3000, "é",
          "\u2028", "\x85", "\x00", '""', '"a, b"', "id,voice,speed,text",
          "\x1b[31m", "😀"]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(10**300, 10**400), st.floats(),
                        st.text(max_size=8))
json_value = st.one_of(json_scalar, st.lists(json_scalar, max_size=2),
                       st.dictionaries(st.text(max_size=4), json_scalar, max_size=2))
json_records = st.lists(st.dictionaries(st.sampled_from(["id", "voice", "text", "speed", "pause", "other"]), json_value,
                                        max_size=4).map(lambda r: json.dumps(r, ensure_ascii=False)),
                        max_size=4).map("\n".join)

CASES = {  # strategy, examples
    "token-soup": (token_soup, 1500),
    "any-text": (st.text(st.characters(codec="utf-8"), max_size=200), 800),
    "any-bytes": (st.binary(max_size=200), 600),
    "json-records": (json_records, 250),
}


def parse(folder: Path, suffix: str, content: str | bytes) -> Script | ScriptError:
    path = folder / f"script{suffix}"
    path.unlink(missing_ok=True)  # a new file: truncating one can wait for the disk (ext4)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    try:
        return parse_script(path)
    except ScriptError as exc:
        return exc


def check_sound(result: Script | ScriptError) -> None:
    """Messages are one printable line; items are sayable and safely named; each line gives one outcome at most."""
    errors = [result] if isinstance(result, ScriptError) else result.errors
    for error in errors:
        assert str(error).isprintable() and len(error.reason) < 500, str(error)
    if isinstance(result, ScriptError):
        return
    lines = [i.line_no for i in result.items] + [e.line for e in result.errors]
    assert len(lines) == len(set(lines)) and all(isinstance(n, int) and n >= 1 for n in lines)
    assert len({item.id for item in result.items}) == len(result.items)
    for item in result.items:
        assert item.text and item.text == item.text.strip()
        assert check_name(item.voice) and MIN_SPEED <= item.speed <= MAX_SPEED
        assert 0 <= item.pause_before <= MAX_PAUSE and 0 <= item.pause_after <= MAX_PAUSE
        assert item.id not in (".", "..") and "/" not in item.id and "\\" not in item.id


def run_case(folder: Path, case: str, scale: int = 1) -> None:
    strategy, examples = CASES[case]

    @settings(max_examples=examples * scale, deadline=None, database=None)
    @given(strategy)
    def check(content: str | bytes) -> None:
        for suffix in SUFFIXES:
            check_sound(parse(folder, suffix, content))

    check()


@pytest.mark.parametrize("case", CASES)
def test_any_script_gives_a_sound_script_or_a_script_error(tmp_path, case):
    run_case(tmp_path, case)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_any_script_gives_a_sound_script_or_a_script_error_long(tmp_path, case):
    run_case(tmp_path, case, SLOW)


# --- round trips: well-formed scripts keep every line as written -------------------------------------------

sayable = st.text(st.characters(codec="utf-8"), max_size=20).filter(lambda t: t.strip() != "")
one_line = sayable.filter(lambda t: "\r" not in t and "\n" not in t)


def records(text: st.SearchStrategy[str], min_size: int = 0) -> st.SearchStrategy[list[tuple[str, str, float]]]:
    """Lists of (id, text, speed) with distinct ids."""
    return st.lists(st.tuples(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}", fullmatch=True), text,
                              st.floats(MIN_SPEED, MAX_SPEED)), min_size=min_size, max_size=5, unique_by=lambda r: r[0])


escaped_lines = st.lists(one_line, min_size=1, max_size=5)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scripts")


@settings(max_examples=200, deadline=None, database=None)
@given(records=records(sayable))
def test_json_lines_keep_ids_texts_and_speeds(folder, records):
    lines = [json.dumps({"id": i, "text": t, "speed": s}, ensure_ascii=False) for i, t, s in records]
    result = parse(folder, ".jsonl", "\n".join(lines + ["{}"]))
    assert [(i.id, i.text, i.speed) for i in result.items] == [(i, t.strip(), s) for i, t, s in records]
    assert [e.line for e in result.errors] == [len(lines) + 1]


@settings(max_examples=200, deadline=None, database=None)
@given(texts=escaped_lines)
def test_escaped_text_lines_are_said_as_written(folder, texts):
    result = parse(folder, ".txt", "\r\n".join("\\" + t for t in texts))
    assert result.errors == []
    assert [(i.id, i.text) for i in result.items] == [(f"{n:04d}", t.strip()) for n, t in enumerate(texts, 1)]


@settings(max_examples=200, deadline=None, database=None)
@given(records=records(one_line, min_size=1))
def test_csv_keeps_quoted_ids_texts_and_speeds(folder, records):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([("id", "speed", "text"), *((i, s, t) for i, t, s in records)])
    result = parse(folder, ".csv", buffer.getvalue())
    assert result.errors == []
    assert [(i.id, i.text, i.speed) for i in result.items] == [(i, t.strip(), s) for i, t, s in records]


@settings(max_examples=200, deadline=None, database=None)
@given(lines=st.lists(st.tuples(st.integers(0, 3), one_line), min_size=1, max_size=6))
def test_blank_lines_make_paragraph_pauses_and_other_lines_the_gap(folder, lines):
    result = parse(folder, ".txt", "".join("\n" * (blanks + 1) + "\\" + text for blanks, text in lines))
    expected = [0.0] + [PARAGRAPH_PAUSE if blanks else DEFAULT_GAP for blanks, _ in lines[1:]]
    assert [item.pause_before for item in result.items] == expected
