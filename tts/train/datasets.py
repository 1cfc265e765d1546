"""Datasets over the feature cache, length-bucketed batching and collation."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import torch

from tts.acoustic.alignment import beta_binomial_prior
from tts.audio.config import HOP_LENGTH
from tts.data.cache import FeatureCache
from tts.errors import InvalidInput
from tts.text import TextFrontend
from tts.text.en.symbols import to_ids


def split_indices(n: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Deterministic train / validation split of `n` items."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_val = max(1, int(n * fraction))
    return sorted(order[n_val:]), sorted(order[:n_val])


class AcousticDataset(torch.utils.data.Dataset):
    """(phoneme ids, log-mel, frame pitch, speaker embedding) per utterance.

    `minority_repeat` > 1 lists the utterances of every speaker but the largest that many times, so that
    many small speakers weigh more against one dominant voice (the corpus' teacher voice)."""

    def __init__(self, cache: FeatureCache, indices: list[int], max_frames: int, minority_repeat: int = 1) -> None:
        frontend = TextFrontend()
        self.cache = cache
        self.items: list[tuple[int, list[int]]] = []
        for i in indices:
            n_frames = cache.records[i]["n_frames"]
            try:
                ids = to_ids(frontend.phonemize(cache.records[i]["text"]))
            except ValueError:
                continue
            if 2 < len(ids) <= n_frames <= max_frames:
                self.items.append((i, ids))
        if minority_repeat > 1 and self.items:
            largest = Counter(cache.records[i]["speaker"] for i, _ in self.items).most_common(1)[0][0]
            minority = [item for item in self.items if cache.records[item[0]]["speaker"] != largest]
            self.items += minority * (minority_repeat - 1)

    def __len__(self) -> int:
        return len(self.items)

    def length(self, k: int) -> int:
        return self.cache.records[self.items[k][0]]["n_frames"]

    def __getitem__(self, k: int) -> dict:
        i, ids = self.items[k]
        return {"ids": torch.tensor(ids), "mel": torch.from_numpy(self.cache.mel(i).astype(np.float32)).T,
                "pitch": torch.from_numpy(self.cache.f0(i).astype(np.float32)),
                "speaker": torch.from_numpy(self.cache.speakers[i].astype(np.float32))}


def collate_acoustic(items: list[dict]) -> dict[str, torch.Tensor]:
    text_lens = torch.tensor([len(x["ids"]) for x in items])
    mel_lens = torch.tensor([x["mel"].shape[1] for x in items])
    batch, tt, tm = len(items), int(text_lens.max()), int(mel_lens.max())
    ids = torch.zeros(batch, tt, dtype=torch.long)
    mel = torch.full((batch, items[0]["mel"].shape[0], tm), float(np.log(1e-5)))
    pitch = torch.zeros(batch, tm)
    for b, x in enumerate(items):
        ids[b, : len(x["ids"])] = x["ids"]
        mel[b, :, : x["mel"].shape[1]] = x["mel"]
        pitch[b, : len(x["pitch"])] = x["pitch"]
    return {"ids": ids, "text_lens": text_lens, "mel": mel, "mel_lens": mel_lens, "pitch": pitch,
            "speaker": torch.stack([x["speaker"] for x in items]), "prior": beta_binomial_prior(text_lens, mel_lens)}


class BucketBatchSampler(torch.utils.data.Sampler):
    """Batches of similar-length items, in random order; each rank of a distributed run takes its share."""

    def __init__(self, lengths: list[int], batch_size: int, seed: int, rank: int = 0, world: int = 1) -> None:
        self.lengths, self.batch_size, self.seed, self.rank, self.world = lengths, batch_size, seed, rank, world
        self.epoch = 0

    def batches(self) -> list[list[int]]:
        rng = random.Random(self.seed + self.epoch)
        order = sorted(range(len(self.lengths)), key=lambda i: (self.lengths[i], rng.random()))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        rng.shuffle(batches)
        usable = len(batches) - len(batches) % self.world
        return batches[self.rank : usable : self.world]

    def __iter__(self):
        yield from self.batches()
        self.epoch += 1

    def __len__(self) -> int:
        return len(self.batches())


class SegmentDataset(torch.utils.data.Dataset):
    """Random fixed-length crops for vocoder training (a new crop each visit): (waveform, log-mel) pairs.

    Crops start on a frame boundary so that the mel frames come from the cache: the real ones, or with
    probability `gta_fraction` the acoustic model's teacher-forced ones (`tts train gta`). `minority_repeat` > 1
    lists the utterances of every speaker but the largest that many times, as AcousticDataset does."""

    def __init__(self, cache: FeatureCache, indices: list[int], segment: int, seed: int,
                 gta_fraction: float = 0.0, minority_repeat: int = 1) -> None:
        if segment % HOP_LENGTH:
            raise InvalidInput(f"segment_samples must be a multiple of {HOP_LENGTH}")
        if gta_fraction > 0 and cache.gta_mels is None:
            raise FileNotFoundError("gta_fraction > 0 needs the cache's GTA mels: run `tts train gta` first")
        self.cache, self.segment, self.gta_fraction = cache, segment, gta_fraction
        self.indices = [i for i in indices if cache.records[i]["n_samples"] >= segment]
        if minority_repeat > 1 and self.indices:
            largest = Counter(cache.records[i]["speaker"] for i in self.indices).most_common(1)[0][0]
            self.indices += [i for i in self.indices if cache.records[i]["speaker"] != largest] * (minority_repeat - 1)
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        i = self.indices[k]
        wav = self.cache.wav(i)
        frame = int(self.rng.integers(0, (len(wav) - self.segment) // HOP_LENGTH + 1))
        start = frame * HOP_LENGTH
        mels = self.cache.gta_mel(i) if self.rng.random() < self.gta_fraction else self.cache.mel(i)
        mel = mels[frame : frame + self.segment // HOP_LENGTH + 1]
        return (torch.from_numpy(wav[start : start + self.segment].astype(np.float32) / 32768.0),
                torch.from_numpy(mel.astype(np.float32)).T)
