"""Markdown read aloud: marks dropped, links as their text, code and images skipped, one paragraph per block."""

import random
import re

import pytest

from tts.text import TextFrontend
from tts.text.markdown import markdown_to_text

CASES = [
    # headings: no "number" for #, a sentence and a paragraph of their own
    ("# Chapter III\nThe storm came.", "Chapter III.\n\nThe storm came."),
    ("## A Title ##\n\n### Another!", "A Title.\n\nAnother!"),
    ("Setext Title\n============\nText.", "Setext Title.\n\nText."),
    ("# I\n\n## II", "1.\n\nII."),
    ("#hashtag is no heading", "#hashtag is no heading"),
    # emphasis, code, links, images, HTML
    ("Some **bold**, *italic*, __strong__, _em_ and ~~gone~~ words.", "Some bold, italic, strong, em and gone words."),
    ("A snake_case_name stays.", "A snake_case_name stays."),
    ("Run `a_b *c*` now.", "Run a_b *c* now."),
    ("Read [the guide](https://example.com/guide) or [this][ref].\n\n[ref]: https://example.com",
     "Read the guide or this."),
    ("See ![a diagram](d.png) here and <https://example.com>.", "See here and https://example.com."),
    ("An <b>HTML</b> tag &amp; an entity.<!-- a\ncomment -->", "An HTML tag & an entity."),
    ("Escaped \\*stars\\* and a note[^1].", "Escaped *stars* and a note."),
    # lists: markers and numbers dropped, each item a sentence, the list one paragraph
    ("- apples\n- pears, ripe\n  and sweet\n* [x] done", "apples. pears, ripe and sweet. done."),
    ("1. Preheat the oven.\n2) Bake!\n\nAfter.", "Preheat the oven. Bake!\n\nAfter."),
    ("- item\n\n    more of the item", "item.\n\nmore of the item"),
    # quotes, tables, rules, code blocks, front matter
    ("> A quote\n> over lines.", "A quote over lines."),
    ("| Name | Age |\n|:-----|----:|\n| Ann | 31 |", "Name, Age. Ann, 31."),
    ("Before.\n\n---\n\nAfter.", "Before.\n\nAfter."),
    ("Text.\n\n```python\nprint('x')\n```\n\n    indented code\n\nEnd.", "Text.\n\nEnd."),
    ("---\ntitle: x\n---\nBody.", "Body."),
    ("Line one\r\nline two.", "Line one line two."),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_markdown_to_text(source: str, expected: str) -> None:
    assert markdown_to_text(source) == expected


def chapter(seed: int = 0) -> str:
    """A generated Markdown chapter of about 600 words: headings with Roman numerals, paragraphs, a list, a link."""
    rng = random.Random(seed)
    nouns = ["river", "lantern", "harbour", "orchard", "letter", "window", "road", "bell", "garden", "ship"]
    verbs = ["watched", "remembered", "carried", "followed", "painted", "crossed", "opened", "heard"]

    def paragraph(sentences: int) -> str:
        return " ".join(f"The {rng.choice(['old', 'quiet', 'distant', 'bright'])} {rng.choice(nouns)} "
                        f"{rng.choice(verbs)} the {rng.choice(nouns)} near the {rng.choice(nouns)}, "
                        f"and *nobody* said a word." for _ in range(sentences))

    parts = ["# Chapter III", paragraph(8), "## Part I: The **Harbour**", paragraph(8),
             "Things they carried:",
             "- a lantern\n- the `old` letter\n1. a map from [the archive](https://example.com/map)",
             "# Chapter IV", paragraph(8), "![a drawing of the ship](ship.png)", "## Section II", paragraph(8),
             "> Henry VIII wrote it, said the _guide_.", paragraph(8)]
    return "\n\n".join(parts) + "\n"


def test_a_chapter_is_read_with_paragraph_pauses_and_no_marks() -> None:
    source = chapter()
    assert len(source.split()) >= 600
    text = markdown_to_text(source)
    frontend = TextFrontend()
    blocks = text.split("\n\n")
    long_pauses = []  # for each chunk: is it the last of its block?
    for block in blocks:
        chunks = frontend.chunks(block)
        long_pauses += [False] * (len(chunks) - 1) + [True]
    chunks = frontend.chunks(text)
    assert [c.pause_after >= 0.6 for c in chunks] == long_pauses[:-1] + [False]  # none after the very end
    words = " ".join(c.text for c in chunks)
    assert not re.search(r"\b(number|hash|I I|H T T P S|dot com|png)\b", words, re.IGNORECASE), words
    for heard in ("Chapter three.", "Part one: The Harbour.", "Chapter four.", "Section two.", "Henry the eighth",
                  "from the archive."):
        assert heard in words
