"""Text frontend: phoneme sequences, inline phonemes, sentence splitting and chunk limits."""

import re
import time
from pathlib import Path

import pytest

from tts.text.en import SYMBOLS, TextFrontend
from tts.text.en.symbols import BOS, EOS, WORD_BOUNDARY, to_ids


@pytest.fixture(scope="module")
def fe() -> TextFrontend:
    return TextFrontend()


def words_of(phonemes: list[str]) -> list[list[str]]:
    """Split BOS ... EOS symbols into per-word phone lists (punctuation dropped)."""
    inner = [p for p in phonemes[1:-1] if p not in ",.!?;:-…"]
    return [w.split("|") for w in "|".join(inner).split(f"|{WORD_BOUNDARY}|")]


def test_phonemize_hello_world(fe: TextFrontend) -> None:
    assert fe.phonemize("Hello, world!") == [
        BOS, "HH", "AH0", "L", "OW1", ",", WORD_BOUNDARY, "W", "ER1", "L", "D", "!", EOS]


def test_missing_final_punctuation_becomes_period_and_runs_collapse(fe: TextFrontend) -> None:
    assert fe.phonemize("hello world")[-2:] == [".", EOS]
    assert fe.phonemize("hello world?!?")[-2:] == ["?", EOS]
    assert fe.phonemize("hello,, ; world").count(",") + fe.phonemize("hello,, ; world").count(";") == 1


def test_quotes_dropped_brackets_become_commas(fe: TextFrontend) -> None:
    assert fe.phonemize('"hello" world') == fe.phonemize("hello world")
    assert fe.phonemize("hello (big) world") == fe.phonemize("hello, big, world")


def test_numbers_and_acronyms_are_spoken(fe: TextFrontend) -> None:
    assert fe.phonemize("3 FBI") == fe.phonemize("three F B I")
    assert fe.phonemize("NASA")[1:-2] == ["N", "AE1", "S", "AH0"]


def test_letter_a_versus_article(fe: TextFrontend) -> None:
    assert fe.phonemize("vitamin A.")[-3] == "EY1"
    assert fe.phonemize("A dog.")[1] == "AH0"
    assert "EY1" in fe.phonemize("at 7 a.m.")


def test_inline_phonemes_are_inserted_verbatim(fe: TextFrontend) -> None:
    phonemes = fe.phonemize("Say {HH AH0 L OW1} to 2 people")
    assert words_of(phonemes)[1] == ["HH", "AH0", "L", "OW1"]
    assert words_of(phonemes)[3] == ["T", "UW1"]  # "2" outside the braces is normalised


def test_inline_phonemes_reject_unknown_symbols(fe: TextFrontend) -> None:
    with pytest.raises(ValueError, match="'XX0'"):
        fe.phonemize("Say {HH XX0 L OW1} now")
    with pytest.raises(ValueError, match="stress digit"):
        fe.phonemize("Say {HH AH L OW1} now")


def test_user_lexicon_reaches_the_frontend(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.txt"
    path.write_text("SQL  S IY1 K W AH0 L\n", encoding="utf-8")
    assert words_of(TextFrontend(user_lexicon=path).phonemize("SQL"))[0] == "S IY1 K W AH0 L".split()
    assert len(words_of(TextFrontend().phonemize("SQL"))) == 3  # spelled S Q L without it


def test_chunk_fields_are_consistent(fe: TextFrontend) -> None:
    for chunk in fe.chunks("Hello there. How are you? Fine, thanks!"):
        assert chunk.phonemes[0] == BOS and chunk.phonemes[-1] == EOS
        assert chunk.phonemes[-2] in {".", "!", "?", "…"}
        assert set(chunk.phonemes) <= set(SYMBOLS)
        assert chunk.ids == to_ids(chunk.phonemes)


def test_abbreviations_money_and_dates_stay_one_sentence(fe: TextFrontend) -> None:
    chunks = fe.chunks("Dr. Smith paid $3.50 on May 5th, 2024.")
    assert [c.text for c in chunks] == [
        "doctor Smith paid three dollars and fifty cents on May fifth, twenty twenty-four."]
    assert len(fe.chunks("Pi is 3.14 today. Mr. Jones agrees with Prof. Lee.")) == 2


def test_sentence_and_paragraph_splitting_with_pauses(fe: TextFrontend) -> None:
    chunks = fe.chunks("First one. Second one! Third?\n\nNew paragraph here… And more")
    assert [c.text for c in chunks] == [
        "First one.", "Second one!", "Third?", "New paragraph here…", "And more"]
    assert [c.pause_after for c in chunks] == [0.35, 0.35, 0.75, 0.35, 0.0]
    assert chunks[-1].phonemes[-2] == "."


def test_sentence_and_paragraph_pauses_can_be_set() -> None:
    fe = TextFrontend(sentence_pause=0.5, paragraph_pause=1.2)
    chunks = fe.chunks("One. Two.\n  \n\nThree, " + "and more, " * 40 + "end.")
    assert [c.pause_after for c in chunks[:2]] == [0.5, 1.2]
    assert {c.pause_after for c in chunks[2:-1]} == {0.2}  # a long sentence is cut at clauses, as before
    fe.paragraph_pause = 2.0
    assert fe.chunks("A.\n\nB.")[0].pause_after == 2.0


def test_long_sentence_is_split_at_clauses_within_limit(fe: TextFrontend) -> None:
    sentence = ", ".join(f"the {n}th clause of a long list" for n in range(1, 60)) + "."
    chunks = fe.chunks(sentence)
    assert len(chunks) > 1
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.endswith(",") for c in chunks[:-1])  # cut after clause marks, not mid-clause
    assert " ".join(c.text for c in chunks) == fe.normalize(sentence)
    assert all(c.pause_after == 0.2 for c in chunks[:-1])


def test_long_sentence_without_punctuation_is_split_at_words() -> None:
    fe = TextFrontend(max_chunk_chars=50)
    text = "word " * 200 + "supercalifragilistic" * 5
    chunks = fe.chunks(text)
    assert all(len(c.text) <= 50 for c in chunks)
    assert "".join(c.text for c in chunks).replace(" ", "") == text.replace(" ", "")
    assert all(c.phonemes[-2] == "." for c in chunks)


def test_hundred_thousand_characters_is_fast(fe: TextFrontend) -> None:
    paragraph = ("Dr. Smith paid $3.50 on May 5th, 2024, at 3:30pm; the NASA and FBI teams agreed. "
                 "Zorblings (mostly) ate 1,234 apples at https://example.com! Really? Yes.\n\n")
    text = (paragraph * (100_000 // len(paragraph) + 1))[:100_000]
    start = time.perf_counter()
    chunks = TextFrontend().chunks(text)
    assert time.perf_counter() - start < 20
    assert len(chunks) > 1000
    assert all(len(c.text) <= 300 for c in chunks)


@pytest.mark.parametrize("text", ["", "   \n\n  ", "?!...", "\U0001F600 \U0001F389", "{}", "\u200b"])
def test_nothing_pronounceable_gives_no_chunks(fe: TextFrontend, text: str) -> None:
    assert fe.chunks(text) == []
    assert fe.phonemize(text) == [BOS, EOS]


def test_emoji_inside_text_is_ignored(fe: TextFrontend) -> None:
    assert fe.phonemize("I love \U0001F600 pizza") == fe.phonemize("I love pizza")
    assert re.fullmatch(r"[A-Za-z ,.]+", fe.chunks("Hello \U0001F600 world. \U0001F389")[0].text)
    assert len(fe.chunks("Hello \U0001F600 world. \U0001F389")) == 1


def test_pronunciations_are_the_spoken_words(fe: TextFrontend) -> None:
    text = "Dr. Smith will record it; {K AA1 L} A B C.\n\nWe live close by, in the wind."
    chunks = fe.chunks(text)
    pronounced = list(fe.pronunciations(text))
    assert [normalised for normalised, _ in pronounced] == [c.text for c in chunks]
    for chunk, (_, said) in zip(chunks, pronounced):
        assert words_of(chunk.phonemes) == [p.phones for p in said]
    sources = {p.word: p.source for _, said in pronounced for p in said}
    assert sources["record"] == "homograph: verb" and sources["close"] == "homograph: adjective"
    assert (sources["{K AA1 L}"], sources["A"], sources["Smith"]) == ("inline", "letter name", "dictionary")
