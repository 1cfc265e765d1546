"""Evaluation of the synthesiser: intelligibility (ASR word error rate), speaker similarity,
DNSMOS naturalness proxy, speed. See README.md in this folder for the JSON schema.

The ASR and DNSMOS models come from the optional `eval` extra; they are imported only when used.
"""

from __future__ import annotations

import importlib

from tts.errors import MissingExtraError

EXTRA_HINT = "evaluation needs the eval extra: pip install '.[eval]'"


def require(module: str, hint: str = EXTRA_HINT):
    """Import `module` or raise MissingExtraError with a one-line install hint."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(hint) from None
