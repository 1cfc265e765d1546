"""The learned grapheme-to-phoneme model for words missing from the lexicon, run on ONNX Runtime (no torch).

Letters a-z -> embedding -> 3-layer bidirectional LSTM -> an LSTM decoder with dot-product attention over the
encoder states -> ARPAbet phones with stress, decoded greedily. tts.train.g2p trains it on CMUdict and writes
``tts/weights/g2p.onnx``: the whole greedy loop as one graph (letter ids in, phone ids out), its large matrices in
int8 with a float32 scale per output channel and the small tensors in float16, made float32 inside the graph (when
the session opens), and a "tts" metadata entry {"kind": "g2p", "letters", "outputs", "config", "meta"}.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .symbols import BOS, EOS, PAD, PHONES

MODEL_FILE = Path(__file__).resolve().parents[2] / "weights" / "g2p.onnx"
LETTERS = "abcdefghijklmnopqrstuvwxyz"  # letter ids 1-26; 0 pads
OUTPUTS = [PAD, BOS, EOS, *PHONES]  # decoder vocabulary: the phones' ids start at 3
BOS_ID, EOS_ID = OUTPUTS.index(BOS), OUTPUTS.index(EOS)
_LETTER_ID = {letter: i for i, letter in enumerate(LETTERS, start=1)}


def max_phones(letters: int) -> int:
    """Decoding stops after this many phones (CMUdict's most for its length, 15 for "fyi", is within it)."""
    return 5 * letters + 5


class G2PModel:
    """Word (letters a-z) -> ARPAbet phones, from the model file ``path``."""

    def __init__(self, path: Path = MODEL_FILE) -> None:
        import onnxruntime as ort

        from tts.runtime.model_file import METADATA_KEY, WeightsError, session_options

        options = session_options(threads=1)  # one word: threads would only wait
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            description = json.loads(self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY, "null"))
        except Exception as exc:  # ONNX Runtime raises its own types for missing or unreadable files
            raise WeightsError(f"G2P model file {path} is missing or corrupt ({type(exc).__name__}); reinstall the "
                               "package") from None
        if not isinstance(description, dict) or description.get("kind") != "g2p" or (
                description.get("letters"), description.get("outputs")) != (LETTERS, OUTPUTS):
            raise WeightsError(f"{path} holds no G2P model for this version's letters and phones")

    def __call__(self, word: str) -> list[str]:
        """Phones of ``word``; characters other than the letters a-z are skipped ([] if none is left)."""
        ids = [_LETTER_ID[c] for c in word.lower() if c in _LETTER_ID]
        if not ids:
            return []
        (phone_ids,) = self.session.run(None, {"ids": np.array(ids, np.int64)})
        return [OUTPUTS[i] for i in phone_ids.ravel().tolist() if i != EOS_ID]
