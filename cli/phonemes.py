"""`tts phonemes`: the phoneme set, and how words are pronounced (for {inline phonemes} and lexicon files)."""

from __future__ import annotations

from pathlib import Path

import typer

from tts.cli.errors import fail, friendly_errors

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

  tts phonemes tomato Nguyen        how words are pronounced now (dictionary or spelling rules)

  tts phonemes SQL --lexicon my-words.txt

Use the phones in braces inside text, tts say "Call {K AA1 L} me.", or in a lexicon file
(--lexicon), one word per line: SQL  EH1 S K Y UW1 EH1 L
"""


@friendly_errors
def phonemes(
    words: list[str] = typer.Argument(None, help="Words to show the pronunciation of (default: the phone table)."),
    lexicon: Path = typer.Option(None, "--lexicon", help="Pronunciation file: lines 'WORD  PH1 PH2 ...' (ARPAbet)."),
) -> None:
    """Show the phoneme set (ARPAbet), or how WORDS are pronounced."""
    from tts.text.en.g2p import G2P
    from tts.text.en.symbols import CONSONANTS, VOWELS

    g2p = G2P(lexicon)
    if words:
        for word in words:
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
