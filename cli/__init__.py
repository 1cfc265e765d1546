"""The `tts` command line: a thin layer over the `tts` library."""

import os

# OpenMP threads sleep instead of spinning while they wait (set before torch loads). Spinning threads fight any
# other busy process for the cores: on a 2-core machine with one other busy process, `tts say` on 728 words took
# 12.9-24.2 s with spinning threads, 7.2-11.2 s with --threads 1 and 7.6-9.3 s with sleeping threads (see
# bench/RESULTS.md for the measured case). Set OMP_WAIT_POLICY yourself to override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
