"""Vocoder training task: reconstruction warm-up, then least-squares GAN with feature matching."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from tts.audio import LogMelSpectrogram, save_audio
from tts.data.cache import FeatureCache
from tts.train.datasets import SegmentDataset, split_indices
from tts.train.loop import Runtime
from tts.watermark import embed
from tts.vocoder import Vocoder, VocoderConfig
from tts.vocoder.discriminators import (Discriminators, discriminator_loss, feature_matching_loss,
                                        generator_loss)
from tts.vocoder.losses import MultiResolutionSTFTLoss
from tts.models import load_vocoder


def split_halves(tensors: list[torch.Tensor]) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Outputs of a pass over cat([real, fake]) -> (real parts, fake parts)."""
    return [t[: len(t) // 2] for t in tensors], [t[len(t) // 2 :] for t in tensors]


class VocoderTask:
    def __init__(self, config: dict, cache_dir: Path, runtime: Runtime, workers: int = 0) -> None:
        self.cfg = config["train"]
        self.runtime = runtime
        self.cache = FeatureCache.open(cache_dir)
        self.raw_generator = Vocoder(VocoderConfig(**config["model"]))
        self.raw_discriminators = Discriminators()
        self.generator = runtime.wrap(self.raw_generator)
        self.discriminators = runtime.wrap(self.raw_discriminators)
        self.mel = LogMelSpectrogram().to(runtime.device)
        self.stft_loss = MultiResolutionSTFTLoss().to(runtime.device)
        lr = self.cfg["learning_rate"]
        self.opt_g = torch.optim.AdamW(self.generator.parameters(), lr=lr, betas=(0.8, 0.9))
        self.opt_d = torch.optim.AdamW(self.discriminators.parameters(), lr=lr, betas=(0.8, 0.9))
        train_idx, self.val_idx = split_indices(len(self.cache.records), self.cfg["validation_fraction"],
                                                self.cfg["seed"])
        self.train_set = SegmentDataset(self.cache, train_idx, self.cfg["segment_samples"], self.cfg["seed"],
                                        self.cfg.get("gta_fraction", 0.0), self.cfg.get("minority_repeat", 1))
        sampler = torch.utils.data.RandomSampler(self.train_set)
        if runtime.world > 1:
            sampler = torch.utils.data.DistributedSampler(self.train_set, runtime.world, runtime.rank)
        self.sampler = sampler
        self.loader = torch.utils.data.DataLoader(self.train_set, batch_size=self.cfg["batch_size"],
                                                  sampler=sampler, drop_last=True, num_workers=workers)

    def batches(self, epoch: int):
        if hasattr(self.sampler, "set_epoch"):
            self.sampler.set_epoch(epoch)
        return self.loader

    def train_step(self, batch: tuple[torch.Tensor, torch.Tensor], step: int) -> dict[str, float]:
        """`batch`: waveform crops and the mel frames to vocode them from (real or teacher-forced)."""
        wav, mel_in = (t.to(self.runtime.device) for t in batch)
        gan = step >= self.cfg["gan_start"]
        self.generator.train()
        with self.runtime.autocast():
            fake = self.generator(mel_in)
        real = wav[:, : fake.shape[1]]
        with torch.no_grad():
            mel = self.mel(real)
        losses: dict[str, torch.Tensor] = {}
        if gan:  # one discriminator pass over real and generated audio together
            with self.runtime.autocast():
                scores, _ = self.discriminators(torch.cat([real, fake.detach()]))
                losses["disc"] = discriminator_loss(*split_halves(scores))
            self.opt_d.zero_grad(set_to_none=True)
            losses["disc"].backward()
            torch.nn.utils.clip_grad_norm_(self.discriminators.parameters(), self.cfg["grad_clip"])
            self.opt_d.step()
        losses["mel"] = (self.mel(fake.float()) - mel).abs().mean()
        generator_total = self.cfg["mel_weight"] * losses["mel"]
        if gan:
            with self.runtime.autocast():
                scores, features = self.discriminators(torch.cat([real, fake]))
                _, fake_scores = split_halves(scores)
                real_features, fake_features = zip(*(split_halves(f) for f in features))
                losses["adv"] = generator_loss(fake_scores)
                losses["feature"] = feature_matching_loss(real_features, fake_features)
            generator_total = generator_total + losses["adv"] + self.cfg["feature_weight"] * losses["feature"]
        else:
            losses["stft"] = self.stft_loss(fake.float(), real)
            generator_total = generator_total + self.cfg["mel_weight"] * losses["stft"] / 5
        self.opt_g.zero_grad(set_to_none=True)
        generator_total.backward()
        torch.nn.utils.clip_grad_norm_(self.generator.parameters(), self.cfg["grad_clip"])
        self.opt_g.step()
        return {k: float(v.detach()) for k, v in losses.items()}

    @torch.inference_mode()
    def validate(self) -> dict[str, float]:
        """Log-mel L1 between held-out utterances and their re-synthesis."""
        self.raw_generator.eval()
        errors = []
        for i in self.val_idx[:32]:
            wav = torch.from_numpy(self.cache.wav(i).astype(np.float32) / 32768.0)[None].to(self.runtime.device)
            mel = self.mel(wav)
            fake_mel = self.mel(self.raw_generator(mel))
            n = min(fake_mel.shape[-1], mel.shape[-1])
            errors.append(float((fake_mel[..., :n] - mel[..., :n]).abs().mean()))
        return {"mel_l1": float(np.mean(errors))}

    @torch.inference_mode()
    def write_sample(self, step: int, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        wav = torch.from_numpy(self.cache.wav(self.val_idx[0]).astype(np.float32) / 32768.0)[None]
        self.raw_generator.eval()
        fake = self.raw_generator(self.mel(wav.to(self.runtime.device)))[0].float().cpu().numpy()
        save_audio(folder / f"vocoder_{step:07d}.wav", embed(fake))

    def init_from(self, weights: Path) -> None:
        """Start the generator from a weights file; discriminators and optimizers start fresh."""
        self.raw_generator.load_state_dict(load_vocoder(weights).state_dict())

    def state_dict(self) -> dict:
        return {"generator": self.raw_generator.state_dict(), "discriminators": self.raw_discriminators.state_dict(),
                "config": asdict(self.raw_generator.config),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.raw_generator.load_state_dict(state["generator"])
        self.raw_discriminators.load_state_dict(state["discriminators"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
