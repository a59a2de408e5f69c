"""Subtitle timing rules from the style guide (DESIGN.md "Quality numbers").

Used by import (estimated times), export (cue building) and alignment: one implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_DURATION_MS = 833  # 5/6 s
# An overlap is on purpose (a sign during a line, a second speaker inside a long line) when the
# later cue lies inside the earlier one, or half of it or more than this long is covered;
# a shorter tail overlap is sloppy timing, resolved by ending the earlier cue before it.
SIMULTANEOUS_OVERLAP_MS = 1000
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


def is_simultaneous(earlier: tuple[int, int], later: tuple[int, int]) -> bool:
    """Whether ``later`` (starting at or after ``earlier``) overlaps it on purpose: it lies
    inside it, or the overlap covers half of it or :data:`SIMULTANEOUS_OVERLAP_MS`."""
    overlap = min(earlier[1], later[1]) - later[0]
    if overlap <= 0:
        return False
    return (
        later[1] <= earlier[1]
        or 2 * overlap >= later[1] - later[0]
        or overlap >= SIMULTANEOUS_OVERLAP_MS
    )


def timing_lanes(spans: list[tuple[int, int]]) -> list[int]:
    """A lane per span (``spans`` in start order): lane 0 is the main run of cues; a cue shown
    at the same time as another on purpose (:func:`is_simultaneous`) goes to the first lane
    whose last cue it does not overlap on purpose (a sign, a second speaker). Linear in the
    spans times the lanes (rarely more than two)."""
    lanes: list[int] = []
    last: list[tuple[int, int]] = []  # the latest span of each lane
    for span in spans:
        lane = next((k for k, prev in enumerate(last) if not is_simultaneous(prev, span)), None)
        if lane is None:
            lane = len(last)
            last.append(span)
        else:
            last[lane] = span
        lanes.append(lane)
    return lanes


def apply_timing_rules(
    spans: list[tuple[int, int]],
    rules: TimingRules | None = None,
    *,
    lanes: list[int] | None = None,
) -> list[tuple[int, int]]:
    """Return spans with no overlap, at least ``min_gap_ms`` apart, and durations within
    [min, max] wherever the neighbours leave room. Order and count are kept; starts never move
    earlier than the previous cue's end plus the gap. A span that cannot reach the minimum
    without overlapping keeps what room there is (at least 1 ms).

    ``lanes`` (:func:`timing_lanes`): the rules hold within each lane, and cues of different
    lanes keep their overlap (the export shows them at the same time)."""
    if lanes is not None and any(lanes):
        out: list[tuple[int, int] | None] = [None] * len(spans)
        for lane in sorted(set(lanes)):
            idx = [i for i, k in enumerate(lanes) if k == lane]
            for i, span in zip(
                idx, apply_timing_rules([spans[i] for i in idx], rules), strict=True
            ):
                out[i] = span
        return [span for span in out if span is not None]
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
