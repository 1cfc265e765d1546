"""Regenerate ``data/cmudict.txt`` from upstream ``cmudict.dict`` (https://github.com/cmusphinx/cmudict).

Usage: ``python -m tts.text.en.build_cmudict path/to/cmudict.dict``. Keeps the first pronunciation of
each word (``word(2)`` lines are alternates), drops ``#`` comments and sorts the lines by the UTF-8
bytes of the word, the order ``g2p.cmu_phones`` searches in.
"""

import sys
from pathlib import Path

from .g2p import CMUDICT_FILE


def build(source: Path, target: Path = CMUDICT_FILE) -> int:
    """Write ``target`` from the cmudict.dict at ``source``; return the number of words."""
    entries: dict[bytes, bytes] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, _, phones = line.partition(" ")
        if word and not word.endswith(")"):
            entries[word.encode()] = phones.partition(" #")[0].encode()
    target.write_bytes(b"".join(word + b" " + phones + b"\n" for word, phones in sorted(entries.items())))
    return len(entries)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tts.text.en.build_cmudict path/to/cmudict.dict")
    print(f"{build(Path(sys.argv[1]))} words written to {CMUDICT_FILE}")
