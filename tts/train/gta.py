"""Ground-truth-aligned (teacher-forced) mels of the acoustic model, for fine-tuning the vocoder on what it will
be given at synthesis time rather than on mels of real speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from tts.data.cache import GTA_FILE, FeatureCache
from tts.train.datasets import AcousticDataset, collate_acoustic
from tts.models import load_acoustic


@torch.inference_mode()
def write_gta_mels(cache_dir: Path, weights: Path, batch_size: int = 16) -> int:
    """Write `cache_dir/gta_mels.f16`: every utterance's mel as the acoustic model in `weights` predicts it from
    the text, the speaker, and the real durations and pitch. Utterances the model cannot take (no phonemes)
    keep their real mel. Returns the number of predicted utterances."""
    cache = FeatureCache.open(cache_dir)
    model = load_acoustic(weights)
    dataset = AcousticDataset(cache, list(range(len(cache.records))), max_frames=10**9)
    part = Path(cache_dir) / f"{GTA_FILE}.part"
    try:
        out = np.memmap(part, dtype=np.float16, mode="w+", shape=cache.mels.shape)
        out[:] = cache.mels
        order = sorted(range(len(dataset)), key=dataset.length)
        for start in tqdm(range(0, len(order), batch_size), desc="gta mels", unit="batch"):
            keys = order[start : start + batch_size]
            batch = collate_acoustic([dataset[k] for k in keys])
            mels = model(batch, binarize=False)["mel"]
            for row, k in enumerate(keys):
                record = cache.records[dataset.items[k][0]]
                first, n = record["frame_start"], record["n_frames"]
                out[first : first + n] = mels[row, :, :n].T.numpy().astype(np.float16)
        out.flush()
        del out
        part.replace(Path(cache_dir) / GTA_FILE)
    finally:
        part.unlink(missing_ok=True)  # interrupted: no half-written file left behind
    return len(dataset)

