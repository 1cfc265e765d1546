"""The `tts` command line: a thin layer over the `tts` library."""

import os

# OpenMP threads sleep instead of spinning while they wait (set before torch loads): spinning threads fight any
# other busy process for the cores (bench/RESULTS.md, "Long text on a busy machine"). Set OMP_WAIT_POLICY
# yourself to override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
