"""Estimated timing for untimed transcripts (a speech-rate model).

Each transcript cue lasts ``display units / chars_per_second``; turns are separated by
``turn_pause_ms``. Timestamps given in the input (``Paragraph.start_ms``) are anchors: the raw
timeline is stretched piecewise-linearly so every anchored turn starts at its timestamp. When the
episode duration is known, the part after the last anchor (or everything, without anchors) is
scaled to end at it. Finally the style-guide rules (5/6 s .. 7 s, a two-frame gap) are applied
with :func:`apply_timing_rules`. Show notes stay untimed; cues that already carry imported or
aligned times are left alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

from translator.core.cues import display_units
from translator.core.errors import InputError
from translator.core.timing_rules import TimingRules, apply_timing_rules
from translator.core.types import CueDraft, Paragraph, ParagraphKind, SentenceDraft, Timing

SENTENCE_PAUSE_MS = 150


def _cue_text(sentence: SentenceDraft, cue: CueDraft) -> str:
    return sentence.text[cue.source_start : cue.source_end]


def estimate_timing(
    paragraphs: list[Paragraph],
    *,
    chars_per_second: float = 7.0,
    turn_pause_ms: int = 400,
    duration_ms: int | None = None,
    rules: TimingRules | None = None,
) -> None:
    """Fill ``start_ms``/``end_ms`` (``Timing.ESTIMATED``) of every untimed transcript cue."""
    if chars_per_second <= 0:
        raise ValueError("chars_per_second must be positive")
    min_ms = (rules or TimingRules()).min_duration_ms
    gap_ms = (rules or TimingRules()).min_gap_ms  # room between cues, so none is cut short
    raw: list[tuple[CueDraft, float, float]] = []
    anchors: list[tuple[float, int]] = []  # (raw time, given time)
    cursor = 0.0
    first = True
    for paragraph in paragraphs:
        if paragraph.kind != ParagraphKind.TRANSCRIPT:
            for sentence in paragraph.sentences:
                for cue in sentence.cues:
                    cue.start_ms = cue.end_ms = None
            continue
        cues = [
            (s, c)
            for s in paragraph.sentences
            for c in s.cues
            if not (c.timing != Timing.ESTIMATED and c.start_ms is not None)
        ]
        if not cues:
            continue
        if not first:
            cursor += turn_pause_ms
        first = False
        if paragraph.start_ms is not None and (not anchors or paragraph.start_ms > anchors[-1][1]):
            anchors.append((cursor, int(paragraph.start_ms)))
        previous_sentence: SentenceDraft | None = None
        for sentence, cue in cues:
            if previous_sentence is not None and sentence is not previous_sentence:
                cursor += max(SENTENCE_PAUSE_MS, gap_ms)
            elif previous_sentence is not None:
                cursor += gap_ms
            previous_sentence = sentence
            units = max(1.0, display_units(_cue_text(sentence, cue).strip()))
            length = max(units / chars_per_second * 1000, min_ms)
            raw.append((cue, cursor, cursor + length))
            cursor += length
    if not raw:
        return
    mapping = _time_map(anchors, cursor, duration_ms)
    spans = [(int(round(mapping(a))), int(round(mapping(b)))) for _, a, b in raw]
    for (cue, _, _), (start, end) in zip(raw, apply_timing_rules(spans, rules), strict=True):
        cue.start_ms, cue.end_ms, cue.timing = start, end, Timing.ESTIMATED


def _time_map(
    anchors: list[tuple[float, int]], raw_end: float, duration_ms: int | None
) -> Callable[[float], float]:
    points = list(anchors) or [(0.0, 0)]
    if points[0][0] > 0:
        # Before the first anchor: natural speed ending at the anchor (compressed if needed).
        r0, g0 = points[0]
        points.insert(0, (0.0, int(max(0.0, g0 - r0))))
    if duration_ms is not None and duration_ms > points[-1][1] and raw_end > points[-1][0]:
        points.append((raw_end, int(duration_ms)))

    raw_times = [r for r, _ in points]

    def mapping(t: float) -> float:  # O(log anchors): a timestamp on every turn stays linear
        if len(points) == 1 or t <= points[0][0]:
            return points[0][1] + (t - points[0][0])
        k = bisect_left(raw_times, t)
        if k >= len(points):
            r_last, g_last = points[-1]
            return g_last + (t - r_last)
        (r0, g0), (r1, g1) = points[k - 1], points[k]
        return g0 + (t - r0) * (g1 - g0) / (r1 - r0) if r1 > r0 else g1

    return mapping


_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


def parse_duration(value: str | int | float) -> int:
    """``"HH:MM:SS"``, ``"MM:SS"`` or seconds (``"754"``, ``754.5``) → milliseconds."""
    if isinstance(value, bool):
        raise InputError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip()
        m = _DURATION.match(text)
        if m:
            hours = int(m.group(1) or 0)
            minutes, secs = int(m.group(2)), float(m.group(3).replace(",", "."))
            if m.group(1) is not None and minutes >= 60 or secs >= 60:
                raise InputError(f"not a duration (use HH:MM:SS, MM:SS or seconds): {text!r}")
            seconds = hours * 3600 + minutes * 60 + secs
        else:
            try:
                seconds = float(text)
            except ValueError:
                raise InputError(
                    f"not a duration (use HH:MM:SS, MM:SS or seconds): {text!r}"
                ) from None
    if not seconds == seconds or seconds <= 0 or seconds > 100 * 3600:  # NaN, <= 0, absurd
        raise InputError(f"not a usable duration: {value!r}")
    return int(round(seconds * 1000))
