"""Acoustic model training task."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from tts.acoustic import AcousticConfig, AcousticModel
from tts.audio import save_audio
from tts.data.cache import FeatureCache
from tts.text import TextFrontend
from tts.text.en.symbols import to_ids
from tts.train.datasets import AcousticDataset, BucketBatchSampler, collate_acoustic, split_indices
from tts.train.loop import Runtime
from tts.watermark import embed
from tts.models import WeightsError, load_acoustic, load_vocoder


def noam_lr(step: int, warmup: int) -> float:
    """Linear warm-up then inverse-square-root decay, as a multiplier of the base rate."""
    step = max(step, 1)
    return min(step / warmup, (warmup / step) ** 0.5)


class AcousticTask:
    def __init__(self, config: dict, cache_dir: Path, runtime: Runtime, workers: int = 0) -> None:
        self.cfg = config["train"]
        self.runtime = runtime
        self.cache = FeatureCache.open(cache_dir)
        self.raw_model = AcousticModel(AcousticConfig(**config["model"]))
        self.centre = torch.from_numpy(self.cache.population_mean()).float()  # for tts.adaptation
        self.raw_model.speaker_centre.copy_(self.centre)
        self.model = runtime.wrap(self.raw_model)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=self.cfg["learning_rate"],
                                           betas=(0.9, 0.98), weight_decay=1e-6)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda s: noam_lr(s, self.cfg["warmup_steps"]))
        train_idx, val_idx = split_indices(len(self.cache.records), self.cfg["validation_fraction"], self.cfg["seed"])
        self.train_set = AcousticDataset(self.cache, train_idx, self.cfg["max_frames"],
                                         self.cfg.get("minority_repeat", 1))
        self.val_set = AcousticDataset(self.cache, val_idx, self.cfg["max_frames"])
        lengths = [self.train_set.length(k) for k in range(len(self.train_set))]
        self.sampler = BucketBatchSampler(lengths, self.cfg["batch_size"], self.cfg["seed"], runtime.rank, runtime.world)
        self.loader = torch.utils.data.DataLoader(self.train_set, batch_sampler=self.sampler,
                                                  collate_fn=collate_acoustic, num_workers=workers)

    def batches(self, epoch: int):
        self.sampler.epoch = epoch
        return self.loader

    def _losses(self, batch: dict, step: int) -> dict[str, torch.Tensor]:
        batch = {k: v.to(self.runtime.device) for k, v in batch.items()}
        with self.runtime.autocast():
            out = self.model(batch, binarize=step >= self.cfg["binarize_start"])
        losses = out["losses"]
        losses["total"] = losses["mel"] + losses["duration"] + 0.1 * losses["pitch"] + losses["align"] \
            + (losses["binarize"] if step >= self.cfg["binarize_start"] else 0.0)
        return losses

    def train_step(self, batch: dict, step: int) -> dict[str, float]:
        self.model.train()
        losses = self._losses(batch, step)
        self.optimizer.zero_grad(set_to_none=True)
        losses["total"].backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg["grad_clip"])
        self.optimizer.step()
        self.scheduler.step()
        return {k: float(v.detach()) for k, v in losses.items()}

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        """Losses on held-out utterances (teacher-forced durations and pitch)."""
        self.model.eval()
        totals: dict[str, float] = {}
        items = [self.val_set[k] for k in range(len(self.val_set))]
        for start in range(0, len(items), self.cfg["batch_size"]):
            batch = collate_acoustic(items[start : start + self.cfg["batch_size"]])
            for k, v in self._losses(batch, self.cfg["binarize_start"]).items():
                totals[k] = totals.get(k, 0.0) + float(v) * len(batch["ids"])
        return {k: v / max(len(items), 1) for k, v in totals.items()}

    def write_sample(self, step: int, folder: Path) -> None:
        """Synthesise the sample sentence for the sample speaker: audio through the shipped vocoder, or the mel."""
        folder.mkdir(parents=True, exist_ok=True)
        name = self.cfg["sample_speaker"]
        if all(r["speaker"] != name for r in self.cache.records):  # another corpus: its first speaker
            name = self.cache.records[0]["speaker"]
        speaker = torch.from_numpy(self.cache.speaker_mean(name)).to(self.runtime.device)
        ids = torch.tensor(to_ids(TextFrontend().phonemize(self.cfg["sample_text"])), device=self.runtime.device)
        self.raw_model.eval()
        mel = self.raw_model.synthesize(ids, speaker).float().cpu()
        try:
            vocoder = load_vocoder()
        except WeightsError:
            np.save(folder / f"acoustic_{step:07d}_mel.npy", mel.numpy())
            return
        with torch.inference_mode():
            save_audio(folder / f"acoustic_{step:07d}.wav", embed(vocoder(mel[None])[0].numpy()))

    def init_from(self, weights: Path) -> None:
        """Start from a weights file; the optimizer starts fresh. Layers the file lacks (speaker norms added
        to an older model, which start as the identity) keep their initial values."""
        _, unexpected = self.raw_model.load_state_dict(load_acoustic(weights).state_dict(), strict=False)
        if unexpected:
            raise WeightsError(f"{weights} has layers this model lacks ({unexpected[0]}, ...): check the config")
        self.raw_model.speaker_centre.copy_(self.centre)  # this corpus's centre, not the file's

    def state_dict(self) -> dict:
        return {"model": self.raw_model.state_dict(), "config": asdict(self.raw_model.config),
                "optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        model = {"speaker_centre": self.centre, **state["model"]}  # checkpoints of older versions lack the centre
        self.raw_model.load_state_dict(model)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
