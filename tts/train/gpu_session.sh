#!/usr/bin/env bash
# Train both models for a few minutes on a GPU machine that is reached over a size-limited link.
#
#   here:   bash tts/train/gpu_session.sh pack [CORPUS_TSV] [MAX_MB]   -> pack/ (audio subset + wheels)
#   there:  bash tts/train/gpu_session.sh train OUT [MINUTES]          -> OUT/{acoustic,vocoder}.onnx and logs
#
# `train` computes features of pack/, then trains the acoustic model and the vocoder side by side, each from the
# shipped weights (tts/weights/), for MINUTES (default 7), and exports the new weights with their logs to OUT.
# Judge them here with `tts eval --acoustic OUT/acoustic.onnx --vocoder OUT/vocoder.onnx` before shipping them.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHEELS="soundfile cffi pycparser soxr platformdirs onnx protobuf ml_dtypes typing_extensions"

case "${1:-}" in
pack)
    python -m tts.cli train pack "${2:-../shared/data/corpus/metadata.tsv}" --out pack --max-mb "${3:-30}"
    python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d pack/wheels $WHEELS
    du -sh pack
    ;;
train)
    out="${2:?usage: gpu_session.sh train OUT [MINUTES]}"
    minutes="${3:-7}"
    if ! python3 -c "import soundfile, soxr, platformdirs, onnx" 2>/dev/null; then
        python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site pack/wheels/*.whl
        export PYTHONPATH="/tmp/site:${PYTHONPATH:-}"
    fi
    export PYTHONUNBUFFERED=1
    work="${TMPDIR:-/tmp}/tts-gpu-session"
    rm -rf "$work" && mkdir -p "$work" "$out"
    python3 -m tts.cli train prepare pack/metadata.tsv --out "$work/cache" --workers "$(nproc)" | tail -3
    for model in acoustic vocoder; do
        python3 -m tts.cli train "$model" --cache "$work/cache" --out "$work/$model" --workers 2 \
            --init "tts/weights/$model.onnx" --config "tts/train/configs/gpu-$model.toml" \
            --max-minutes "$minutes" > "$out/$model.log" 2>&1 &
    done
    wait
    for model in acoustic vocoder; do
        python3 -m tts.cli train export "$model" "$work/$model/last.pt" --out "$out/$model.onnx"
        cp "$work/$model/log.csv" "$out/$model-log.csv" 2>/dev/null || true
        cp "$work/$model/validation.csv" "$out/$model-validation.csv" 2>/dev/null || true
    done
    ;;
*)
    echo "usage: gpu_session.sh pack [CORPUS_TSV] [MAX_MB] | train OUT [MINUTES]" >&2
    exit 2
    ;;
esac
