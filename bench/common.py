"""Shared helpers for the benchmark script: time a callable, report ratios to a baseline.

Every figure is the median of several runs, set against a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    section: str  # e.g. "Segmentation"
    name: str  # what was measured
    value: float  # the measurement (seconds unless ``unit`` says otherwise)
    unit: str = "s"
    baseline_name: str = ""
    baseline_value: float | None = None
    goal: str = ""  # e.g. "<= 1.10x"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        return self.value / self.baseline_value


def median_time(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
