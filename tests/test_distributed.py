"""Several processes through torchrun (gloo on CPU): the same code path as multi-GPU training."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TINY_ACOUSTIC, TINY_VOCODER
from tests.test_training import write_config
from tts.train.run import prepare

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["acoustic", "vocoder"])
def test_torchrun_two_processes(generated_corpus, tmp_path, model):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    assert torchrun, "torchrun comes with torch"
    cache = tmp_path / "cache"
    prepare("manifest", generated_corpus, cache, workers=1)
    if model == "acoustic":
        config = write_config(tmp_path, TINY_ACOUSTIC, "batch_size = 2\nwarmup_steps = 5\nbinarize_start = 5\n")
    else:  # the GAN phase starts within the run
        config = write_config(tmp_path, TINY_VOCODER, "batch_size = 2\nsegment_samples = 4096\ngan_start = 3\n")
    out = tmp_path / "run"
    result = subprocess.run([torchrun, "--nproc_per_node", "2", "-m", "tts.cli", "train", model, "--cache", str(cache),
                             "--out", str(out), "--config", str(config), "--max-steps", "6", "--threads", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "last.pt").exists() and "stopped at step 6" in result.stdout
