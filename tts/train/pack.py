"""A size-capped subset of a manifest corpus, for training on a machine reached over a size-limited link."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

from tts.errors import InvalidInput, TTSError


class FolderNotEmpty(TTSError, FileExistsError):
    """The output folder already holds files."""


def select_rows(rows: list[dict], sizes: list[int], max_bytes: int, largest_share: float) -> list[int]:
    """Indices of rows to keep within `max_bytes`: the largest speaker's first utterances up to `largest_share`
    of it; the rest for the other speakers, one utterance per speaker per round, so that every speaker gets in
    before any gets a second."""
    largest = Counter(r["speaker"] for r in rows).most_common(1)[0][0]
    queues: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        queues.setdefault(row["speaker"], []).append(i)
    chosen: list[int] = []
    used = 0
    for i in queues.pop(largest):
        if used + sizes[i] > largest_share * max_bytes:
            break
        chosen.append(i)
        used += sizes[i]
    rounds = [queue[::-1] for queue in queues.values()]  # popped from the end
    while rounds:
        for queue in rounds:
            i = queue.pop()
            if used + sizes[i] > max_bytes:
                return sorted(chosen)
            chosen.append(i)
            used += sizes[i]
        rounds = [queue for queue in rounds if queue]
    return sorted(chosen)


def pack_subset(metadata: Path, out: Path, max_mb: float, largest_share: float = 0.35) -> tuple[int, int]:
    """Copy a subset of a manifest TSV's audio (at most `max_mb` MB) and its rows to `out`.

    Returns (utterances, bytes). The audio keeps its format and relative paths; `out/metadata.tsv`
    is a manifest `tts train prepare` reads."""
    if out.exists() and any(out.iterdir()):
        raise FolderNotEmpty(f"{out} is not empty: remove it or pick another --out")
    with open(metadata, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if not {"path", "speaker", "text"} <= set(fields) or not rows:
        raise InvalidInput(f"{metadata}: not a manifest with path, speaker and text columns")
    root = metadata.parent
    sizes = [(root / r["path"]).stat().st_size for r in rows]
    chosen = select_rows(rows, sizes, int(max_mb * 1e6), largest_share)
    for i in chosen:
        target = out / rows[i]["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rows[i]["path"], target)
    part = out / "metadata.tsv.part"
    with open(part, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[i] for i in chosen)
    part.replace(out / "metadata.tsv")
    return len(chosen), sum(sizes[i] for i in chosen)
