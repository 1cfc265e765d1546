"""DNSMOS (Microsoft's non-intrusive speech quality model) as a naturalness proxy, with the ONNX
models of the `speechmos` wheel: SIG (speech signal), BAK (background), OVRL (overall), P808,
each on a 1-5 MOS scale. Clips shorter than 9 s are repeated to 9 s, as DNSMOS does."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tts.eval import require

SAMPLE_RATE = 16000
KEYS = ("sig", "bak", "ovrl", "p808")


class DnsMos:
    """Loads the two ONNX models once (with `threads` intra-op threads); `score(wav16k)` -> dict."""

    def __init__(self, threads: int = 1) -> None:
        ort = require("onnxruntime")
        module = require("speechmos.dnsmos")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        folder = Path(module.__file__).with_name("dnsmos_models")
        # speechmos' own scoring code, with sessions made here so that the thread count is ours
        self._dnsmos = object.__new__(module.DNSMOS)
        self._dnsmos.primary_model_path = str(folder / "sig_bak_ovr.onnx")
        self._dnsmos.onnx_sess = ort.InferenceSession(str(folder / "sig_bak_ovr.onnx"), options,
                                                      providers=["CPUExecutionProvider"])
        self._dnsmos.p808_onnx_sess = ort.InferenceSession(str(folder / "model_v8.onnx"), options,
                                                           providers=["CPUExecutionProvider"])

    def score(self, wav: np.ndarray) -> dict[str, float]:
        """16 kHz mono float audio -> {"sig", "bak", "ovrl", "p808"}."""
        wav = np.clip(np.asarray(wav, dtype=np.float32), -1.0, 1.0)
        if len(wav) < SAMPLE_RATE // 10 or not np.any(wav):
            return {k: float("nan") for k in KEYS}
        out = self._dnsmos(wav, SAMPLE_RATE, False)
        return {"sig": float(out["sig_mos"]), "bak": float(out["bak_mos"]), "ovrl": float(out["ovrl_mos"]),
                "p808": float(out["p808_mos"])}
