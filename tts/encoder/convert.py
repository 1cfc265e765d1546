"""Convert the GE2E weights shipped in the `resemblyzer` wheel into `ge2e.pt` (fp16, model only).

Usage: pip install --no-deps resemblyzer && python -m tts.encoder.convert
The package is located without importing it (its import needs webrtcvad).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

from tts.encoder.ge2e import GE2E, WEIGHTS


def main() -> None:
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or spec.origin is None:
        raise SystemExit("resemblyzer is not installed: pip install --no-deps resemblyzer")
    source = Path(spec.origin).with_name("pretrained.pt")
    state = torch.load(source, map_location="cpu", weights_only=True)["model_state"]
    expected = GE2E().state_dict().keys()
    model_state = {k: state[k].half() for k in expected}
    torch.save(model_state, WEIGHTS)
    print(f"wrote {WEIGHTS} ({WEIGHTS.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
