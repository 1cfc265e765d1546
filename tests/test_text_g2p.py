"""Grapheme-to-phoneme: CMUdict lookups, fallbacks for unknown words, user lexicon."""

from pathlib import Path

import pytest

from tts.text.en import G2P, build_cmudict, g2p as g2p_module
from tts.text.en.g2p import CMUDICT_FILE, cmu_entries, cmu_phones
from tts.text.en.g2p_model import G2PModel
from tts.text.en.symbols import PHONES, VOWELS


@pytest.fixture(scope="module")
def g2p() -> G2P:
    return G2P()


@pytest.mark.parametrize(("word", "phones"), [
    ("hello", "HH AH0 L OW1"),
    ("World", "W ER1 L D"),
    ("NASA", "N AE1 S AH0"),
    ("read", "R EH1 D"),  # first CMUdict pronunciation
    ("don't", "D OW1 N T"),
    ("café", "K AH0 F EY1"),
])
def test_lexicon_lookup(g2p: G2P, word: str, phones: str) -> None:
    assert g2p.word(word) == phones.split()


@pytest.mark.parametrize("word", [
    "blorptastic", "zorbling", "Xylquon", "brrrmph", "qwrtpz", "Daenerysian", "snorfulating",
    "ungoogleable", "aaaaaaaa", "tiktokers", "x" * 80,
])
def test_unknown_words_get_valid_phones(g2p: G2P, word: str) -> None:
    phones = g2p.word(word)
    assert phones and all(p in PHONES for p in phones)


def test_unknown_word_with_vowels_is_pronounceable(g2p: G2P) -> None:
    phones = g2p.word("zorbling")
    assert phones[0] == "Z" and phones[-1] == "NG"
    assert sum(p.endswith("1") for p in phones) == 1  # exactly one primary stress


def test_suffixes_reuse_known_words(g2p: G2P) -> None:
    assert g2p.word("grumbleness") == g2p.word("grumble") + ["N", "AH0", "S"]
    assert g2p.word("bloggishly") == g2p.word("bloggish") + ["L", "IY0"]  # blog + ish + ly


def test_other_unknown_words_go_to_the_model(g2p: G2P) -> None:
    model = G2PModel()
    for word in ["catdogs", "unblorpable", "zorbling"]:  # compounds and prefixes too: the model reads them better
        assert g2p.word(word) == model(word)


def test_long_unknown_words_are_read_in_parts(g2p: G2P) -> None:
    phones = g2p.word("pneumonoultramicroscopicsilicovolcanoconiosis")  # 45 letters: 20 or fewer a part
    assert len(phones) > 30 and sum(p.endswith("1") for p in phones) == 1


def test_possessives_and_hyphens(g2p: G2P) -> None:
    assert g2p.word("zorbling's") == g2p.word("zorbling") + ["Z"]
    assert g2p.word("Kowalczyk's")[-1] in {"S", "Z"}
    assert g2p.word("students'") == g2p.word("students")
    assert g2p.word("blorp-zorbling") == g2p.word("blorp") + g2p.word("zorbling")


def test_word_without_letters_is_rejected(g2p: G2P) -> None:
    with pytest.raises(ValueError, match="no letters"):
        g2p.word("'--'")


@pytest.mark.parametrize(("word", "phones"), [
    ("'bout", "B AW1 T"),  # first line of the file
    ("zywicki", "Z IH0 W IH1 K IY0"),  # last line
    ("a", "AH0"),  # first pronunciation, not a(2)
    ("a.", "EY1"),
    ("d'artagnan", "D AH0 R T AE1 NG Y AH0 N"),
    ("aalborg", "AO1 L B AO0 R G"),  # "# place, danish" comment dropped
    ("x-rays", "EH1 K S R EY2 Z"),
    ("sepultura", "S EH1 P UH0 L T UH1 R UH0"),  # out of byte order upstream
    ("stilted", "S T IH1 L T IH0 D"),
    ("hellos", None),  # only "hello" is listed
    ("hell", "HH EH1 L"),
    ("zywickis", None),  # after the last line
    ("'a", None),  # before the first
    ("a(2)", None),
    ("hello HH", None),
    ("", None),
])
def test_cmu_phones(word: str, phones: str | None) -> None:
    assert cmu_phones(word) == phones


def test_cmudict_file_is_sorted_by_bytes_and_fits_the_inventory() -> None:
    entries = list(cmu_entries())
    keys = [word.encode() for word, _ in entries]
    assert len(keys) > 100_000 and all(a < b for a, b in zip(keys, keys[1:]))
    assert {p for _, phones in entries for p in phones.split()} <= set(PHONES)
    assert all(cmu_phones(word) == phones for word, phones in entries[::101])
    assert CMUDICT_FILE.stat().st_size < 1_200_000  # compressed: the text is 3.3 MB


def test_build_cmudict_writes_blocks_that_lookups_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "cmudict.dict"
    source.write_text("zebra Z IY1 B R AH0\nread R EH1 D\nread(2) R IY1 D\naalborg AO1 L B AO0 R G # place, danish\n"
                      "a AH0\na(2) EY1\nnaïve N AY0 IY1 V\n'bout B AW1 T\nhello HH AH0 L OW1\n", encoding="utf-8")
    target = tmp_path / "cmudict.bin"
    monkeypatch.setattr(build_cmudict, "BLOCK_LINES", 2)
    assert build_cmudict.build(source, target) == 7
    monkeypatch.setattr(g2p_module, "CMUDICT_FILE", target)
    g2p_module._cmudict.cache_clear()
    g2p_module._block.cache_clear()
    try:
        assert len(g2p_module._cmudict()[1]) == 4  # 7 lines in blocks of 2
        assert list(cmu_entries()) == [("'bout", "B AW1 T"), ("a", "AH0"), ("aalborg", "AO1 L B AO0 R G"),
                                       ("hello", "HH AH0 L OW1"), ("naïve", "N AY0 IY1 V"), ("read", "R EH1 D"),
                                       ("zebra", "Z IY1 B R AH0")]
        for word, phones in cmu_entries():
            assert cmu_phones(word) == phones
        for word in ["'a", "aa", "hell", "hellos", "read(2)", "zz", "naive", "a AH0"]:
            assert cmu_phones(word) is None, word
    finally:
        g2p_module._cmudict.cache_clear()
        g2p_module._block.cache_clear()


def write_lexicon(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_lexicon_overrides_builtin(tmp_path: Path) -> None:
    path = write_lexicon(tmp_path, "# my words\nTomato  T AH0 M AA1 T OW2\n\nzorbling Z AO1 R B L IH0 NG  # made up\n")
    g2p = G2P(path)
    assert g2p.word("tomato") == ["T", "AH0", "M", "AA1", "T", "OW2"]
    assert G2P().word("tomato") != g2p.word("tomato")
    assert g2p.word("Zorbling") == "Z AO1 R B L IH0 NG".split()
    assert g2p.word("zorbling's") == "Z AO1 R B L IH0 NG Z".split()
    assert g2p.word("hello") == G2P().word("hello")


@pytest.mark.parametrize(("line", "bad", "hint"), [
    ("hello HH XX1 L OW1", "XX1", ""),
    ("hello HH AH L OW1", "AH", "stress digit"),
    ("hello hh AH0 L OW1", "hh", "upper case"),
])
def test_user_lexicon_bad_symbol_names_file_line_and_symbol(tmp_path: Path, line: str, bad: str, hint: str) -> None:
    path = write_lexicon(tmp_path, "# header\n" + line + "\n")
    with pytest.raises(ValueError) as error:
        G2P(path)
    message = str(error.value)
    assert str(path) in message and "line 2" in message and repr(bad) in message and hint in message


def test_user_lexicon_entry_without_phones_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="line 1"):
        G2P(write_lexicon(tmp_path, "hello\n"))


def test_primary_stress_on_every_fallback_vowel_word(g2p: G2P) -> None:
    for word in ["blorptastic", "Xylquon", "snorfulating"]:
        phones = g2p.word(word)
        assert any(p[:2] in VOWELS and p.endswith("1") for p in phones), (word, phones)

