"""Regenerate ``data/cmudict.bin`` from upstream ``cmudict.dict`` (https://github.com/cmusphinx/cmudict).

Usage: ``python -m tts.text.en.build_cmudict path/to/cmudict.dict``. Keeps the first pronunciation of
each word (``word(2)`` lines are alternates), drops ``#`` comments, sorts the ``word phones`` lines by the
UTF-8 bytes of the word and writes them in zlib-compressed blocks of ``BLOCK_LINES`` lines, the format
``g2p.cmu_phones`` reads (described in ``tts.text.en.g2p``).
"""

import sys
import zlib
from collections.abc import Iterable
from pathlib import Path

from .g2p import CMUDICT_FILE, CMUDICT_MAGIC

BLOCK_LINES = 256


def write(entries: Iterable[tuple[bytes, bytes]], target: Path = CMUDICT_FILE) -> int:
    """Write (word, phones) pairs, UTF-8 and in any order, to ``target``; return the number of words."""
    lines = [word + b" " + phones + b"\n" for word, phones in sorted(entries)]
    keys = [line.partition(b" ")[0] for line in lines]
    if any(not key or b"\n" in key for key in keys) or any(a >= b for a, b in zip(keys, keys[1:])):
        raise ValueError("words must be non-empty, single-line and unique")
    index, blocks, offset = [], [], 0
    for start in range(0, len(lines), BLOCK_LINES):
        block = zlib.compress(b"".join(lines[start:start + BLOCK_LINES]), 9)
        index.append(keys[start] + b" %d\n" % offset)
        blocks.append(block)
        offset += len(block)
    index_bytes = b"".join(index)
    header = CMUDICT_MAGIC + b" %d %d\n" % (len(blocks), len(index_bytes))
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(header + index_bytes + b"".join(blocks))
    tmp.replace(target)
    return len(lines)


def build(source: Path, target: Path = CMUDICT_FILE) -> int:
    """Write ``target`` from the cmudict.dict at ``source``; return the number of words."""
    entries: dict[bytes, bytes] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, _, phones = line.partition(" ")
        if word and not word.endswith(")"):
            entries.setdefault(word.encode(), phones.partition(" #")[0].encode())
    return write(entries.items(), target)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tts.text.en.build_cmudict path/to/cmudict.dict")
    print(f"{build(Path(sys.argv[1]))} words written to {CMUDICT_FILE}")
