"""Export the GE2E speaker encoder shipped in the `resemblyzer` wheel to the model file
tts/weights/speaker_encoder.onnx (fp16 weights).

Usage: pip install --no-deps resemblyzer && python -m tts.encoder.convert   (needs the `train` extra)
The package is located without importing it (its import needs webrtcvad).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch
from torch import nn

from tts.encoder.ge2e import MEL_BANDS
from tts.export import export_speaker_encoder
from tts.limits import EMBEDDING_DIM
from tts.runtime.model_file import SPEAKER_ENCODER_FILE


class GE2E(nn.Module):
    """The network: mel frames [B, T, 40] -> L2-normalised embeddings [B, 256]."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(MEL_BANDS, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, EMBEDDING_DIM)

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(mels)
        raw = torch.relu(self.linear(hidden[-1]))
        return raw / raw.norm(dim=1, keepdim=True).clamp_min(1e-8)


def main(out: Path = SPEAKER_ENCODER_FILE) -> None:
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or spec.origin is None:
        raise SystemExit("resemblyzer is not installed: pip install --no-deps resemblyzer")
    source = Path(spec.origin).with_name("pretrained.pt")
    state = torch.load(source, map_location="cpu", weights_only=True)["model_state"]
    model = GE2E()
    model.load_state_dict({k: state[k] for k in model.state_dict()})
    export_speaker_encoder(model, out, {"source": "resemblyzer pretrained.pt (GE2E)"})
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
