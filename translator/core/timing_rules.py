"""Subtitle timing rules from the style guide (DESIGN.md "Quality numbers").

Used by import (estimated times), export (cue building) and alignment: one implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_DURATION_MS = 833  # 5/6 s
MAX_DURATION_MS = 7000
DEFAULT_FPS = 25.0


@dataclass(frozen=True)
class TimingRules:
    min_duration_ms: int = MIN_DURATION_MS
    max_duration_ms: int = MAX_DURATION_MS
    fps: float = DEFAULT_FPS
    gap_frames: int = 2

    @property
    def min_gap_ms(self) -> int:
        # Round up: 2 frames at 23.976 fps is 83.42 ms, so 83 ms would be under 2 frames.
        return math.ceil(self.gap_frames * 1000 / self.fps - 1e-9)


def apply_timing_rules(
    spans: list[tuple[int, int]], rules: TimingRules | None = None
) -> list[tuple[int, int]]:
    """Return spans with no overlap, at least ``min_gap_ms`` apart, and durations within
    [min, max] wherever the neighbours leave room. Order and count are kept; starts never move
    earlier than the previous cue's end plus the gap. A span that cannot reach the minimum
    without overlapping keeps what room there is (at least 1 ms)."""
    rules = rules or TimingRules()
    gap = rules.min_gap_ms
    out: list[tuple[int, int]] = []
    n = len(spans)
    for i, (start, end) in enumerate(spans):
        start = max(0, int(start))
        end = max(start, int(end))
        if out:
            start = max(start, out[-1][1] + gap)
        if end - start > rules.max_duration_ms:
            end = start + rules.max_duration_ms
        if end - start < rules.min_duration_ms:
            end = start + rules.min_duration_ms
        if i + 1 < n:
            next_start = int(spans[i + 1][0])
            limit = next_start - gap
            if end > limit:
                end = max(limit, start + 1) if limit > start else start + 1
        end = max(end, start + 1)
        out.append((start, end))
    return out
