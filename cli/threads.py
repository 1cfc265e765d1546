"""The default thread count: the cores other processes leave idle, measured while the command line loads."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

_PROC_STAT = Path("/proc/stat")


def _busy_cpu_seconds() -> float | None:
    """CPU seconds all processes have spent busy since boot (Linux), None elsewhere."""
    try:
        fields = [int(x) for x in _PROC_STAT.read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reading() -> tuple[float, float | None, float]:
    """(now, busy CPU seconds of the machine, CPU seconds of this process)."""
    return time.monotonic(), _busy_cpu_seconds(), _own_cpu_seconds()


STARTED = _reading()  # when the command line began loading (this module is among its first imports)


def idle_cores(start: tuple[float, float | None, float] = STARTED) -> int | None:
    """The cores other processes left idle from `start` (a `_reading()`) until now: at least 1; None where it
    cannot be told (no /proc/stat, or too short a window)."""
    (t0, busy0, own0), (t1, busy1, own1) = start, _reading()
    if busy0 is None or busy1 is None or t1 - t0 < 0.05:
        return None
    others = max(0.0, (busy1 - busy0) - (own1 - own0)) / (t1 - t0)  # cores kept busy by other processes
    cores = os.cpu_count() or 1
    return max(1, min(cores, round(cores - others)))
