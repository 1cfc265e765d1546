"""Result files and terminal tables: the metric table of one run and the comparison of two."""

from __future__ import annotations

import json
import math
from pathlib import Path

from tts.errors import InvalidInput
from tts.eval.runner import SCHEMA_VERSION
from tts.voices import write_atomic

# key, label, format, True when higher is better (None: neither, a level to hold)
METRICS = [
    ("wer", "WER", "pct", False),
    ("cer", "CER", "pct", False),
    ("similarity", "speaker similarity", "f3", True),
    ("baseline_similarity", "baseline similarity (default voice)", "f3", True),
    ("real_similarity", "real clips vs held-out (ceiling)", "f3", True),
    ("baseline_wer", "baseline WER (default voice)", "pct", False),
    ("dnsmos_sig", "DNSMOS SIG", "f2", True),
    ("dnsmos_bak", "DNSMOS BAK", "f2", True),
    ("dnsmos_ovrl", "DNSMOS OVRL", "f2", True),
    ("dnsmos_p808", "DNSMOS P808", "f2", True),
    ("rtf", "real-time factor", "f3", False),
    ("first_audio_s", "first audio (s, median)", "f3", False),
    ("loudness_lufs", "loudness (LUFS, mean)", "f1", None),
    ("clipped_samples", "clipped samples", "int", False),
]


def _fmt(value: float | None, kind: str, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    sign = "+" if signed else ""
    if kind == "pct":
        return f"{value * 100:{sign}.1f}%"
    if kind == "int":
        return f"{value:{sign}d}"
    return f"{value:{sign}.{kind[1]}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def format_result(result: dict) -> str:
    """The metrics of one run (and per speaker in clone mode) as a text table."""
    cfg, m = result["config"], result["metrics"]
    who = (f"{cfg['n_speakers']} cloned speakers (baseline voice {cfg['voice']})" if cfg.get("mode") == "clone"
           else f"voice {cfg['voice']}")
    if cfg.get("calibrate", cfg.get("adapt")) is False:
        who += ", without calibration"
    if cfg.get("personal"):
        who += ", personal (fine-tuned)"
    title = (f"{cfg['system']}, {who}: {cfg['n_sentences']} sentences, {m['audio_s']:.1f} s of audio, "
             f"threads {cfg['threads']}")
    rows = [[label, _fmt(m.get(key), kind)] for key, label, kind, _ in METRICS if m.get(key) is not None]
    out = [title, "", _table(["metric", "value"], rows)]
    if result.get("per_speaker"):
        srows = [[spk, _fmt(s["similarity"], "f3"), _fmt(s["baseline_similarity"], "f3"),
                  _fmt(s.get("real_similarity"), "f3"), _fmt(s["wer"], "pct"), _fmt(s["dnsmos_ovrl"], "f2"),
                  _fmt(s.get("loudness_lufs"), "f1")]
                 for spk, s in result["per_speaker"].items()]
        srows.append(["mean", _fmt(m["similarity"], "f3"), _fmt(m["baseline_similarity"], "f3"),
                      _fmt(m.get("real_similarity"), "f3"), _fmt(m["wer"], "pct"), _fmt(m["dnsmos_ovrl"], "f2"),
                      _fmt(m.get("loudness_lufs"), "f1")])
        out += ["", _table(["speaker", "cloned sim", "baseline sim", "real sim", "cloned WER", "OVRL", "LUFS"], srows)]
    return "\n".join(out)


def write_result(result: dict, path: Path) -> None:
    """Write a result file atomically (a temporary file beside it, then a rename)."""
    write_atomic(Path(path), json.dumps(result, indent=1, ensure_ascii=False) + "\n")


def load_result(path: Path) -> dict:
    """Read a result file written by `tts eval --out`, checking its schema version."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"result file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InvalidInput(f"{path} is not a JSON result file: {exc}") from None
    if not isinstance(data, dict) or "metrics" not in data:
        raise InvalidInput(f"{path} is not a tts eval result (no metrics)")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise InvalidInput(f"{path} has schema version {data.get('schema_version')}; this version reads {SCHEMA_VERSION}")
    return data


def _describe(result: dict) -> str:
    cfg = result["config"]
    steps = {k: v.get("meta", {}).get("steps") for k, v in cfg.get("models", {}).items()}
    steps_txt = ", ".join(f"{k} step {v}" for k, v in steps.items() if v is not None)
    return (f"{cfg['system']}/{cfg['voice']}, {cfg['n_sentences']} sentences"
            + (f" x {cfg['n_speakers']} speakers" if cfg.get("n_speakers") else "")
            + (f", {steps_txt}" if steps_txt else "") + f", {result['created_at']}")


def format_compare(a: dict, b: dict, name_a: str = "A", name_b: str = "B") -> str:
    """Each metric of two runs side by side with the difference B - A and which is better."""
    rows = []
    for key, label, kind, higher in METRICS:
        va, vb = a["metrics"].get(key), b["metrics"].get(key)
        if va is None and vb is None:
            continue
        diff = vb - va if va is not None and vb is not None else None
        verdict = "" if not diff or higher is None else ("better" if (diff > 0) == higher else "worse")
        rows.append([label, _fmt(va, kind), _fmt(vb, kind), _fmt(diff, kind, signed=True), verdict])
    speakers = sorted(set(a.get("per_speaker", {})) & set(b.get("per_speaker", {})))
    for spk in speakers:
        va, vb = a["per_speaker"][spk]["similarity"], b["per_speaker"][spk]["similarity"]
        diff = vb - va if va is not None and vb is not None else None
        rows.append([f"similarity {spk}", _fmt(va, "f3"), _fmt(vb, "f3"), _fmt(diff, "f3", signed=True),
                     "" if not diff else ("better" if diff > 0 else "worse")])
    notes = []
    if a["config"].get("sentences_sha256") != b["config"].get("sentences_sha256"):
        notes.append("note: the runs used different sentence sets; the numbers are not directly comparable")
    return "\n".join([f"A = {name_a}: {_describe(a)}", f"B = {name_b}: {_describe(b)}", "",
                      _table(["metric", "A", "B", "B - A", ""], rows), *([""] + notes if notes else [])])
