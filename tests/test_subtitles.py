"""Word timings (tts.synthesizer.SpeechChunk.words), subtitles and JSON timestamps (tts.subtitles, tts say)."""

from __future__ import annotations

import functools
import json

import pytest
import soundfile as sf
import srt as srt_parser
import webvtt
from typer.testing import CliRunner

from tts.cli.main import app
from tts.subtitles import CUE_BREAK_GAP, MAX_CUE_SECONDS, MAX_LINE_CHARS, cues, srt, timings_json, vtt
from tts.audio.config import SAMPLE_RATE
from tts.synthesizer import Synthesizer

TEXT = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background, then rest."

runner = CliRunner()


@pytest.fixture(scope="module")
def synth(tiny_models) -> Synthesizer:
    return Synthesizer(*tiny_models, threads=1)


def spoken(synth: Synthesizer, text: str = TEXT, speed: float = 1.0) -> tuple[list, list[tuple[str, float, float]]]:
    """(the chunks of `text`, the words of all of them)."""
    chunks = list(synth.chunks(text, speed=speed))
    return chunks, [word for chunk in chunks for word in chunk.words]


def test_words_are_in_order_apart_and_inside_the_audio(synth) -> None:
    chunks, words = spoken(synth)
    said = [p.word for _, pronounced in synth.frontend.pronunciations(TEXT) for p in pronounced]
    assert [w for w, _, _ in words] == said
    duration = sum(len(chunk.audio) for chunk in chunks) / SAMPLE_RATE
    for (_, start, end), (_, next_start, _) in zip(words, words[1:] + [("", duration, duration)]):
        assert 0 <= start < end <= next_start <= duration


def test_inline_phonemes_and_numbers_are_words_of_the_normalised_text(synth) -> None:
    chunk = next(synth.chunks("It cost $3 {HH AH0 L OW1}."))
    assert [w for w, _, _ in chunk.words] == ["It", "cost", "three", "dollars", "{HH AH0 L OW1}"]
    assert all(w in chunk.text for w, _, _ in chunk.words)


def test_double_speed_halves_the_times() -> None:
    """With the shipped models: the tiny ones give every phone a single frame at any speed."""
    synth = Synthesizer(threads=1)
    _, normal = spoken(synth, TEXT.split(".")[0])
    _, fast = spoken(synth, TEXT.split(".")[0], speed=2.0)
    assert [w for w, _, _ in fast] == [w for w, _, _ in normal]
    for (_, start, end), (_, fast_start, fast_end) in zip(normal, fast):
        assert fast_start == pytest.approx(start / 2, abs=0.05) and fast_end == pytest.approx(end / 2, abs=0.05)


def test_the_pause_after_a_sentence_is_a_gap_between_words(synth) -> None:
    chunks, _ = spoken(synth)
    assert len(chunks) == 2
    last, first = chunks[0].words[-1], chunks[1].words[0]
    assert first[1] - last[2] >= synth.frontend.sentence_pause


def test_cues_keep_to_the_line_and_time_limits() -> None:
    words = [(f"word{i}", i * 0.5, i * 0.5 + 0.4) for i in range(40)] + [("x" * 50, 30.0, 31.0)]
    groups = cues(words)
    assert " ".join(text for text, _, _ in groups) == " ".join(w for w, _, _ in words)
    for text, start, end in groups[:-1]:
        assert len(text) <= MAX_LINE_CHARS and end - start <= MAX_CUE_SECONDS
    assert groups[-1] == ("x" * 50, 30.0, 31.0)


def test_a_pause_starts_a_new_cue() -> None:
    words = [("One", 0.0, 0.3), ("two.", 0.35, 0.6), ("Three", 0.6 + 2 * CUE_BREAK_GAP, 1.2)]
    assert [text for text, _, _ in cues(words)] == ["One two.", "Three"]


def test_srt_and_vtt_parse_with_their_times(synth) -> None:
    _, words = spoken(synth)
    expected = cues(words)
    parsed = list(srt_parser.parse(srt(words)))
    assert [(c.index, c.content) for c in parsed] == [(i, text) for i, (text, _, _) in enumerate(expected, 1)]
    for cue, (_, start, end) in zip(parsed, expected):
        assert cue.start.total_seconds() == pytest.approx(start, abs=0.001)
        assert cue.end.total_seconds() == pytest.approx(end, abs=0.001)
    captions = webvtt.from_string(vtt(words), strict=True).captions
    assert [c.text for c in captions] == [text for text, _, _ in expected]
    assert [c.start_in_seconds for c in captions] == [int(start) for _, start, _ in expected]
    assert vtt(words).startswith("WEBVTT\n\n00:00:00.")


def test_clock_formats_past_an_hour() -> None:
    words = [("late", 3723.4567, 3724.0)]
    assert srt(words) == "1\n01:02:03,457 --> 01:02:04,000\nlate\n\n"
    assert vtt(words) == "WEBVTT\n\n01:02:03.457 --> 01:02:04.000\nlate\n\n"
    assert json.loads(timings_json(words)) == [{"word": "late", "start": 3723.457, "end": 3724.0}]


@pytest.fixture
def tiny_say(tiny_models, monkeypatch):
    """`tts say` with the tiny models instead of the shipped ones."""
    from tts import synthesizer

    acoustic, vocoder = tiny_models
    monkeypatch.setattr(synthesizer, "Synthesizer",
                        functools.partial(synthesizer.Synthesizer, acoustic=acoustic, vocoder=vocoder))


def test_say_writes_subtitles_and_timestamps(tmp_path, tiny_say) -> None:
    wav, subtitles, timings = tmp_path / "out.wav", tmp_path / "out.srt", tmp_path / "out.json"
    result = runner.invoke(app, ["say", TEXT, "-o", str(wav), "--subtitles", str(subtitles),
                                 "--timestamps", str(timings), "--threads", "1"])
    assert result.exit_code == 0, result.output
    words = json.loads(timings.read_text())
    assert [w["word"] for w in words][:3] == ["The", "birch", "canoe"]
    assert words[-1]["end"] <= sf.info(wav).duration
    assert " ".join(c.content for c in srt_parser.parse(subtitles.read_text())) == " ".join(w["word"] for w in words)
    vtt_file = tmp_path / "out.vtt"
    result = runner.invoke(app, ["say", "Hello there.", "-o", "-", "--subtitles", str(vtt_file), "--threads", "1"])
    assert result.exit_code == 0
    assert [c.text for c in webvtt.read(str(vtt_file)).captions] == ["Hello there"]


def test_say_refuses_an_unknown_subtitle_format_before_any_work(tmp_path, tiny_say) -> None:
    result = runner.invoke(app, ["say", "Hello.", "-o", str(tmp_path / "out.wav"),
                                 "--subtitles", str(tmp_path / "out.ass")])
    assert result.exit_code == 1
    message = f"error: --subtitles {tmp_path / 'out.ass'}: give a .srt or .vtt file"
    assert result.output.strip().splitlines() == [message]
    assert not list(tmp_path.iterdir())
