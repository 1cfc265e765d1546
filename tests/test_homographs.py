"""Homographs: the reading chosen from context, measured on a set of sentences, and what overrides it."""

import re
from pathlib import Path

import pytest

from tts.text.en import TextFrontend
from tts.text.en.g2p import PHONE_SET, cmu_phones
from tts.text.en.homographs import READINGS, RULES

# (sentence with the homograph between asterisks, the expected reading: a label of READINGS)
SENTENCES = [
    ("I like to *read* before bed.", "present"),
    ("Have you *read* the report yet?", "past"),
    ("She *read* the letter twice and smiled.", "past"),
    ("Please *read* the instructions carefully.", "present"),
    ("The book was *read* aloud to the class.", "past"),
    ("We *read* a chapter every night.", "present"),
    ("I *read* about it in the paper yesterday.", "past"),
    ("Can you *read* this label for me?", "present"),
    ("He had already *read* the news.", "past"),
    ("They often *read* poetry together.", "present"),
    ("She will *lead* the team next season.", "guide"),
    ("Old pipes can contain *lead* and copper.", "metal"),
    ("The paint was tested for *lead* poisoning risks.", "metal"),
    ("Our team took the *lead* in the second half.", "guide"),
    ("These roads *lead* to the coast.", "guide"),
    ("The fishing weights are made of *lead*.", "metal"),
    ("Where do you *live* now?", "verb"),
    ("We watched the concert *live* on television.", "adjective"),
    ("The band played *live* music all night.", "adjective"),
    ("I want to *live* by the sea.", "verb"),
    ("The show goes *live* at eight.", "adjective"),
    ("They *live* in a small flat.", "verb"),
    ("Be careful, that is a *live* wire.", "adjective"),
    ("The doctors saved many *lives* that day.", "noun"),
    ("My sister *lives* in Boston.", "verb"),
    ("She set a new world *record* in the sprint.", "noun"),
    ("Please *record* the meeting for me.", "verb"),
    ("We need to *record* every expense.", "verb"),
    ("He bought an old jazz *record* at the market.", "noun"),
    ("Keep a *record* of your hours.", "noun"),
    ("The camera *records* everything in the room.", "verb"),
    ("The library keeps old *records* of the town.", "noun"),
    ("I *object* to this decision.", "verb"),
    ("A strange *object* fell from the sky.", "noun"),
    ("Nobody will *object* if you leave early.", "verb"),
    ("Put the *object* on the table.", "noun"),
    ("Many parents *object* to the new rules.", "verb"),
    ("She collects small *objects* made of glass.", "noun"),
    ("He *objects* to the noise.", "verb"),
    ("She gave me a birthday *present*.", "noun"),
    ("We will *present* our results on Friday.", "verb"),
    ("Everyone was *present* at the meeting.", "noun"),
    ("Let me *present* my colleague.", "verb"),
    ("At *present*, the shop is closed.", "noun"),
    ("The children opened their *presents*.", "noun"),
    ("The report *presents* the new figures.", "verb"),
    ("The *wind* blew all night.", "noun"),
    ("Don't forget to *wind* the clock.", "verb"),
    ("The path will *wind* through the hills.", "verb"),
    ("A cold *wind* came from the north.", "noun"),
    ("They built a new *wind* farm.", "noun"),
    ("Strong *winds* hit the coast.", "noun"),
    ("The road *winds* through the valley.", "verb"),
    ("A *tear* rolled down her cheek.", "teardrop"),
    ("Be careful not to *tear* the paper.", "rip"),
    ("He tried to *tear* the page out.", "rip"),
    ("The police used *tear* gas.", "teardrop"),
    ("There is a *tear* in my jacket.", "rip"),
    ("The movie brought *tears* to my eyes.", "teardrop"),
    ("She *tears* open every letter.", "rip"),
    ("Please *close* the door.", "verb"),
    ("We live *close* to the station.", "adjective"),
    ("The shop will *close* at six.", "verb"),
    ("She is a *close* friend of mine.", "adjective"),
    ("That was *close*!", "adjective"),
    ("At the *close* of the day, we went home.", "verb"),
    ("Can I *use* your phone?", "verb"),
    ("What is the *use* of worrying?", "noun"),
    ("This room is not in *use*.", "noun"),
    ("We *use* solar panels at home.", "verb"),
    ("*Use* a sharp knife.", "verb"),
    ("The *uses* of this plant are many.", "noun"),
    ("She *uses* a laptop for work.", "verb"),
    ("I *used* to live in Paris.", "used to"),
    ("This knife is *used* to cut bread.", "verb"),
    ("We *used* the old map.", "verb"),
    ("The *content* of the website is free.", "noun"),
    ("He seemed *content* with his life.", "adjective"),
    ("I am *content* to wait.", "adjective"),
    ("Wait a *minute*, please.", "noun"),
    ("The changes were *minute* but important.", "adjective"),
    ("She noticed every *minute* detail.", "adjective"),
    ("You need a *permit* to park here.", "noun"),
    ("The rules do not *permit* smoking.", "verb"),
    ("He applied for a work *permit*.", "noun"),
    ("If time *permits*, we will stop at the lake.", "verb"),
    ("Parking *permits* cost ten dollars.", "noun"),
    ("I *refuse* to answer that.", "verb"),
    ("The *refuse* is collected on Mondays.", "noun"),
    ("The city *refuse* collection starts early.", "noun"),
    ("The farm sells fresh *produce*.", "noun"),
    ("These factories *produce* steel.", "verb"),
    ("The *produce* section is near the door.", "noun"),
    ("They crossed the *desert* on camels.", "noun"),
    ("He would never *desert* his friends.", "verb"),
    ("Soldiers who *desert* face punishment.", "verb"),
    ("They finally got their just *deserts*.", "verb"),
    ("Hot *deserts* cover much of the region.", "noun"),
    ("He plays *bass* in a jazz band.", "music"),
    ("We caught a large *bass* in the lake.", "fish"),
    ("Turn up the *bass* on the speakers.", "music"),
    ("The chef grilled the sea *bass*.", "fish"),
    ("The actors took a *bow* at the end.", "bend"),
    ("He shot the arrow from his *bow*.", "archery"),
    ("She tied a *bow* in her hair.", "archery"),
    ("They *bow* to the queen.", "bend"),
    ("The shop sold *bows* and arrows.", "archery"),
    ("The pianist *bows* to the crowd.", "bend"),
    ("What *does* this button do?", "verb"),
    ("The *does* and their fawns grazed in the field.", "deer"),
    ("She *does* her homework after school.", "verb"),
    ("The nurse cleaned the *wound* carefully.", "injury"),
    ("She *wound* the rope around the post.", "wind"),
    ("He was *wound* up about the exam.", "wind"),
    ("The soldier had a deep *wound* in his leg.", "injury"),
    # written after the rules above, and measured before any change to them
    ("Did you *read* my message?", "present"),
    ("Last summer I *read* three novels.", "past"),
    ("You should *read* the fine print.", "present"),
    ("The poem is often *read* at weddings.", "past"),
    ("Kids who *read* for fun do better at school.", "present"),
    ("She has never *read* a single page of it.", "past"),
    ("The *lead* singer waved to the crowd.", "guide"),
    ("Exposure to *lead* can harm children.", "metal"),
    ("This path will *lead* you home.", "guide"),
    ("They replaced the *lead* pipes in the old house.", "metal"),
    ("Fish cannot *live* out of water.", "verb"),
    ("The game will be shown *live* on channel four.", "adjective"),
    ("How long do cats *live*?", "verb"),
    ("Tickets for the *live* event sold out.", "adjective"),
    ("Cats have nine *lives*, they say.", "noun"),
    ("He *lives* next door to us.", "verb"),
    ("The company had a *record* year.", "noun"),
    ("Could you *record* a short video?", "verb"),
    ("They *record* all calls for training.", "verb"),
    ("His criminal *record* was clean.", "noun"),
    ("The *object* of the game is simple.", "noun"),
    ("Why do you *object* so strongly?", "verb"),
    ("All members were *present* for the vote.", "noun"),
    ("The students will *present* their projects tomorrow.", "verb"),
    ("Live in the *present*.", "noun"),
    ("The *wind* picked up in the afternoon.", "noun"),
    ("You need to *wind* this watch every day.", "verb"),
    ("The *winds* were strong.", "noun"),
    ("Don't *tear* the wrapping paper.", "rip"),
    ("She wiped a *tear* from her eye.", "teardrop"),
    ("He was in *tears* after the game.", "teardrop"),
    ("*Close* your eyes and relax.", "verb"),
    ("The two towns are very *close*.", "adjective"),
    ("We *close* early on Sundays.", "verb"),
    ("Keep your friends *close*.", "adjective"),
    ("Is it safe to *use* this cream?", "verb"),
    ("There is no *use* crying about it.", "noun"),
    ("I *used* to hate vegetables.", "used to"),
    ("Most people *use* their phones too much.", "verb"),
    ("The drug has many *uses*.", "noun"),
    ("I am happy with the *content* of the course.", "noun"),
    ("She was *content* to stay at home.", "adjective"),
    ("The meeting starts in a *minute*.", "noun"),
    ("There was a *minute* crack in the glass.", "adjective"),
    ("The landlord does not *permit* pets.", "verb"),
    ("Show your *permit* at the gate.", "noun"),
    ("They *refuse* to pay the bill.", "verb"),
    ("Piles of *refuse* lined the street.", "noun"),
    ("Bees *produce* honey.", "verb"),
    ("We buy our *produce* at the market.", "noun"),
    ("The Sahara is the largest hot *desert*.", "noun"),
    ("Many soldiers began to *desert* the army.", "verb"),
    ("The *bass* was so loud that the windows shook.", "music"),
    ("He went fishing for *bass* on Sunday.", "fish"),
    ("The *bow* of the ship cut through the waves.", "bend"),
    ("She played the violin with a new *bow*.", "archery"),
    ("He gave a small *bow* to the audience.", "bend"),
    ("Nobody knows what he *does* for a living.", "verb"),
    ("Two *does* crossed the road at dawn.", "deer"),
    ("The *wound* healed slowly.", "injury"),
    ("He *wound* the string around his finger.", "wind"),
    ("The bullet left a small *wound*.", "injury"),
]


def _target(sentence: str) -> tuple[str, str, int]:
    """The sentence without asterisks, the marked word, and how many times it occurs before the mark."""
    before, word, _ = sentence.split("*")
    occurrences = len(re.findall(rf"\b{word}\b", before, flags=re.IGNORECASE))
    return sentence.replace("*", ""), word.lower(), occurrences


def _spoken(fe: TextFrontend, text: str, word: str, occurrence: int) -> list[str]:
    """The phones the frontend gives the ``occurrence``-th ``word`` of ``text``."""
    said = [p for _, words in fe.pronunciations(text) for p in words if p.word.lower() == word]
    return said[occurrence].phones


def _expected(word: str, label: str) -> list[str]:
    return READINGS[word][label].split()


@pytest.fixture(scope="module")
def fe() -> TextFrontend:
    return TextFrontend()


def test_every_homograph_is_measured_in_both_readings() -> None:
    measured = {(_target(s)[1], label) for s, label in SENTENCES}
    assert len(SENTENCES) >= 40
    assert measured == {(word, label) for word, readings in READINGS.items() for label in readings}


def test_the_table_and_rules_agree() -> None:
    assert RULES.keys() == READINGS.keys()
    for word, rules in RULES.items():
        labels = {rules.default, rules.verb, rules.subject, rules.noun, rules.be, rules.have,
                  *rules.before.values(), *rules.after.values(), *rules.near.values()} - {None}
        assert labels <= READINGS[word].keys(), word
        assert all(set(phones.split()) <= PHONE_SET for phones in READINGS[word].values()), word
    assert READINGS["record"] == {"noun": "R EH1 K ER0 D", "verb": "R IH0 K AO1 R D"}


def test_context_picks_the_reading(fe: TextFrontend) -> None:
    """Accuracy on SENTENCES, against always taking the dictionary's (first) pronunciation."""
    right = dictionary_right = 0
    wrong = []
    for sentence, label in SENTENCES:
        text, word, occurrence = _target(sentence)
        expected = _expected(word, label)
        right += (spoken := _spoken(fe, text, word, occurrence)) == expected
        dictionary_right += cmu_phones(word).split() == expected
        if spoken != expected:
            wrong.append(f"{sentence}  expected {label} {' '.join(expected)}, got {' '.join(spoken)}")
    print(f"\nhomographs right: {right}/{len(SENTENCES)} with the rules, "
          f"{dictionary_right}/{len(SENTENCES)} with the dictionary's pronunciation")
    print("\n".join(wrong))
    assert right >= 0.95 * len(SENTENCES), "\n".join(wrong)


def test_a_lexicon_entry_and_inline_phonemes_win_over_the_rules(tmp_path: Path) -> None:
    lexicon = tmp_path / "words.txt"
    lexicon.write_text("record  R EH1 K AO0 R D\n", encoding="utf-8")
    fe = TextFrontend(user_lexicon=lexicon)
    said = [p for _, words in fe.pronunciations("Please record it. {R IH0 K AO1 R D} it, we read.") for p in words]
    assert said[1] == ("record", "R EH1 K AO0 R D".split(), "lexicon")
    assert said[3] == ("{R IH0 K AO1 R D}", "R IH0 K AO1 R D".split(), "inline")
    assert said[-1] == ("read", "R IY1 D".split(), "homograph: present")


def test_homographs_reach_the_spoken_phonemes(fe: TextFrontend) -> None:
    noun, verb = fe.phonemize("a record"), fe.phonemize("to record")
    assert noun[3:8] == "R EH1 K ER0 D".split() and verb[4:10] == "R IH0 K AO1 R D".split()
    assert fe.phonemize("I have read it.")[3:] == fe.phonemize("I have {R EH1 D} it.")[3:]
