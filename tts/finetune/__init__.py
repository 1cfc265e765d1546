"""Personal voices: fine-tuning the models on one speaker's clips (tts enroll --adapt, tts voices adapt)."""

import importlib.util

from tts.eval import MissingExtraError


def require_training() -> None:
    """MissingExtraError unless torch (the `train` extra), which fine-tuning needs, is installed."""
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("onnx") is None:
        raise MissingExtraError("personal voices are fine-tuned with torch: pip install 'tts-clone[train]'")
