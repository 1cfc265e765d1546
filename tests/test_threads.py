"""The default thread count follows the cores that other processes leave idle."""

from __future__ import annotations

import pytest

from tts.cli import threads


@pytest.mark.parametrize("others_busy, expected", [(0.0, 4), (1.0, 3), (2.9, 1), (8.0, 1)])
def test_threads_are_the_idle_cores(monkeypatch, others_busy, expected):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(threads, "_reading", lambda: (0.5, 100.0 + 0.5 * (others_busy + 1.0), 5.5))
    assert threads.idle_cores((0.0, 100.0, 5.0)) == expected  # we use one core too


def test_no_guess_without_proc_stat(monkeypatch, tmp_path):
    monkeypatch.setattr(threads, "_PROC_STAT", tmp_path / "missing")
    assert threads.idle_cores(threads._reading()) is None

