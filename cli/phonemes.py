"""`tts phonemes`: the phoneme set, and how words are pronounced (for {inline phonemes} and lexicon files)."""

from __future__ import annotations

from pathlib import Path

import typer

from tts.cli.errors import fail, friendly_errors
from tts.cli.say import read_file

# one everyday word per phone (as in tts/text/en/PHONEMES.md); their phones come from the lexicon when printed
EXAMPLES = {
    "AA": "odd", "AE": "at", "AH": "hut", "AO": "ought", "AW": "cow", "AY": "hide", "EH": "Ed", "ER": "hurt",
    "EY": "ate", "IH": "it", "IY": "eat", "OW": "oat", "OY": "toy", "UH": "hood", "UW": "two",
    "B": "be", "CH": "cheese", "D": "dee", "DH": "thee", "F": "fee", "G": "green", "HH": "he", "JH": "gee",
    "K": "key", "L": "lee", "M": "me", "N": "knee", "NG": "ping", "P": "pee", "R": "read", "S": "sea", "SH": "she",
    "T": "tea", "TH": "theta", "V": "vee", "W": "we", "Y": "yield", "Z": "zee", "ZH": "seizure",
}

EPILOG = """Examples:

  tts phonemes                      the phones, each with an example word

  tts phonemes tomato Nguyen        how words are pronounced now (dictionary or the spelling model)

  tts phonemes SQL --lexicon my-words.txt

  tts phonemes --text "I read 2 books on May 5th."

  tts phonemes --text - < chapter.txt

--text shows what tts say makes of a whole text: each sentence as normalised (numbers, dates and
abbreviations written out), then each word with its phones and where they came from:
lexicon (--lexicon), dictionary, homograph (a word read by its context, e.g. record as noun
or verb), model (not in the dictionary: from its stem and suffix, or the spelling model), inline
or letter name.

Use the phones in braces inside text, tts say "Call {K AA1 L} me.", or in a lexicon file
(--lexicon), one word per line: SQL  EH1 S K Y UW1 EH1 L. A lexicon entry applies everywhere,
also to homographs; braces change one place only.
"""


@friendly_errors
def phonemes(
    words: list[str] = typer.Argument(None, help="Words to show the pronunciation of (default: the phone table)."),
    text: str = typer.Option(None, "--text", "-t",
                             help="A whole text (- for standard input): show it normalised, and each word's phones "
                                  "in context, with their source."),
    lexicon: Path = typer.Option(None, "--lexicon", help="Pronunciation file: lines 'WORD  PH1 PH2 ...' (ARPAbet)."),
) -> None:
    """Show the phoneme set (ARPAbet), how WORDS are pronounced, or what a --text becomes."""
    from tts.text.en.symbols import CONSONANTS, VOWELS

    if text is not None:
        if words:
            fail("give WORDS or --text, not both")
        show_text(read_file(text) if text == "-" else text, lexicon)
        return
    from tts.text.en.g2p import G2P

    g2p = G2P(lexicon)
    if words:
        for word in words:
            if any(c.isspace() for c in word):
                fail(f"'{word}' is more than a word: to check a whole text, use --text \"{word}\"")
            if not any(c.isalpha() for c in word):
                fail(f"'{word}' has no letters: give words, e.g. tts phonemes tomato")
            typer.echo(f"{word}  {' '.join(g2p.word(word))}")
        return
    typer.echo("Vowels take a stress digit: 0 unstressed, 1 primary, 2 secondary (AH0 is the schwa of 'about').")
    for title, phones in (("vowels", VOWELS), ("consonants", CONSONANTS)):
        typer.echo(f"\n{title}:")
        for phone in phones:
            example = EXAMPLES[phone]
            typer.echo(f"  {phone:<3} {example:<8} {' '.join(g2p.word(example))}")


def show_text(text: str, lexicon: Path | None) -> None:
    """Each chunk of `text` as normalised, then one line per word: the word, its phones, their source."""
    from tts.text.en import TextFrontend

    chunks = list(TextFrontend(lexicon).pronunciations(text))
    if not chunks:
        fail("no words to pronounce in the text")
    for n, (normalised, said) in enumerate(chunks):
        if n:
            typer.echo()
        typer.echo(normalised)
        word_width = max(len(p.word) for p in said)
        phones_width = max(len(" ".join(p.phones)) for p in said)
        for p in said:
            typer.echo(f"  {p.word:<{word_width}}  {' '.join(p.phones):<{phones_width}}  {p.source}")
