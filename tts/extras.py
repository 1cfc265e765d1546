"""Checks for the optional parts of the package that need more than the core dependencies."""

from __future__ import annotations

import importlib.util

from tts.errors import MissingExtraError


def require_training(purpose: str) -> None:
    """MissingExtraError unless torch and onnx (the `train` extra), which `purpose` needs, are installed."""
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("onnx") is None:
        raise MissingExtraError(f"{purpose} needs torch: pip install 'tts-clone[train]'")
