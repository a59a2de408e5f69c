"""The cue view's numbers and the rules a hand-set cue time must keep. No Django import.

- :func:`check_retime`: the style-guide timing rules (:mod:`translator.core.timing_rules`:
  minimum and maximum duration, a two-frame gap, no overlap, cues keep their order) for one
  cue moved by an editor, naming the neighbour a broken rule involves. A change is refused only
  when it breaks a rule, or breaks it more, than the times it replaces: nudging one edge of a
  cue imported 0 ms from its neighbour stays possible, making that worse does not.
- :func:`cue_rows`: one segment's cues as the export shows them: the English spread over the
  cues by :func:`translator.core.subtitles.distribute_english` (a part may span several cues),
  broken into lines and, when too long, shown as two events in turn
  (:func:`~translator.core.subtitles.fit_on_screen`); the Japanese lines of each cue; reading
  speeds counted as the export's rule check counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from translator.core.export_types import ExportSegment, SubtitleOptions, sdh_label
from translator.core.linebreak import japanese_width
from translator.core.subtitles import (
    CPS_TOLERANCE,
    distribute_english,
    fit_on_screen,
    ja_lines_of,
    reading_chars,
)
from translator.core.timing_rules import TimingRules


def clock(ms: int | None) -> str:
    """``3723400`` → ``01:02:03.400`` (``—`` when untimed)."""
    if ms is None:
        return "—"
    ms = int(ms)
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


# --- rules for a hand-set time ----------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    """Another timed cue of the episode, as an editor finds it: row (segment number, 1-based)
    and cue number within the row (1-based)."""

    row: int
    cue: int
    start_ms: int
    end_ms: int
    # "prev"/"next": the cue before/after in reading order (which must stay before/after it);
    # "other": any other cue near it in time.
    relation: str = "other"

    @property
    def label(self) -> str:
        return f"row {self.row}, cue {self.cue} ({clock(self.start_ms)}–{clock(self.end_ms)})"


@dataclass(frozen=True)
class RuleBreak:
    rule: str  # "duration_short" | "duration_long" | "overlap" | "gap" | "order"
    message: str  # one line, for the editor
    neighbour: Neighbour | None = None


def _separation(start: int, end: int, n: Neighbour) -> int:
    """Silence between the span and ``n`` (negative: they overlap by that much). For the
    reading-order neighbours, the side they must stay on."""
    if n.relation == "prev":
        return start - n.end_ms
    if n.relation == "next":
        return n.start_ms - end
    return max(n.start_ms - end, start - n.end_ms)


def first_overlap(span: tuple[int, int], neighbours: Sequence[Neighbour]) -> Neighbour | None:
    """The first neighbour ``span`` overlaps or passes (undo puts old times back only where
    nothing has moved into them since)."""
    for n in sorted(neighbours, key=lambda n: n.start_ms):
        if _separation(span[0], span[1], n) < 0:
            return n
    return None


def check_retime(
    new: tuple[int, int],
    old: tuple[int | None, int | None],
    neighbours: Sequence[Neighbour],
    rules: TimingRules | None = None,
) -> RuleBreak | None:
    """The first rule the new span ``(start, end)`` breaks and the old one did not break as
    badly, or ``None``. ``old`` may be untimed (``None``): then every rule applies."""
    rules = rules or TimingRules()
    start, end = new
    timed_before = old[0] is not None and old[1] is not None
    old_start = int(old[0]) if timed_before else 0
    old_end = int(old[1]) if timed_before else 0
    if end <= start:
        return RuleBreak("duration_short", "The end must come after the start.")
    duration, old_duration = end - start, old_end - old_start
    if duration < rules.min_duration_ms and (not timed_before or duration < old_duration):
        return RuleBreak(
            "duration_short",
            f"Too short: {duration} ms; a cue lasts at least {rules.min_duration_ms} ms.",
        )
    if duration > rules.max_duration_ms and (not timed_before or duration > old_duration):
        return RuleBreak(
            "duration_long",
            f"Too long: {duration} ms; a cue lasts at most {rules.max_duration_ms} ms.",
        )
    gap = rules.min_gap_ms
    for n in sorted(neighbours, key=lambda n: (n.relation == "other", n.start_ms)):
        sep = _separation(start, end, n)
        if sep >= gap:
            continue
        if timed_before and sep >= _separation(old_start, old_end, n):
            continue  # no worse than it was
        passed = (n.relation == "prev" and end <= n.start_ms) or (
            n.relation == "next" and start >= n.end_ms
        )
        if passed:
            return RuleBreak("order", f"Would pass {n.label}: cues keep their order.", neighbour=n)
        if sep < 0:
            return RuleBreak("overlap", f"Overlaps {n.label}.", neighbour=n)
        return RuleBreak(
            "gap",
            f"Only {sep} ms from {n.label}; cues are at least {gap} ms apart.",
            neighbour=n,
        )
    return None


# --- rows of the cue view ---------------------------------------------------------------------


@dataclass
class CueLines:
    """What the export shows for one cue."""

    en_lines: list[str] = field(default_factory=list)  # all events of its English part
    ja_lines: list[str] = field(default_factory=list)
    cps_en: float | None = None  # the English part's reading speed (fastest event of it)
    cps_ja: float | None = None
    # The English part this cue starts spans this many cues (1: its own); 0: this cue's English
    # is shown with an earlier cue's (``shared_with`` cues before it).
    part_cues: int = 1
    shared_with: int = 0
    events: int = 1  # the part's English is shown as this many events in turn
    fast_en: bool = False
    fast_ja: bool = False


def _cps(chars: float, duration_ms: int) -> float:
    return round(chars * 1000 / max(duration_ms, 1), 1)


def _fast(chars: float, duration_ms: int, max_cps: float) -> bool:
    """Over the reading speed, exactly as the export's rule check decides it."""
    return chars * 1000 > (max_cps + CPS_TOLERANCE) * max(duration_ms, 1)


def cue_rows(
    segment: ExportSegment,
    *,
    next_start_ms: int | None,
    options: SubtitleOptions | None = None,
    protected: Sequence[str] = (),
) -> list[CueLines]:
    """One :class:`CueLines` per cue of ``segment`` (in cue order)."""
    options = options or SubtitleOptions()
    out = [CueLines() for _ in segment.cues]
    for k, cue in enumerate(segment.cues):
        lines = ja_lines_of([cue], options)
        out[k].ja_lines = lines
        if cue.start_ms is not None and cue.end_ms is not None:
            width = sum(japanese_width(x) for x in lines)
            duration = int(cue.end_ms) - int(cue.start_ms)
            out[k].cps_ja = _cps(width, duration)
            out[k].fast_ja = _fast(width, duration, options.max_cps_ja)
    spans = []
    for cue in segment.cues:
        if cue.start_ms is None or cue.end_ms is None:
            return out  # an untimed cue: the export skips the segment
        spans.append((int(cue.start_ms), int(max(cue.end_ms, cue.start_ms))))
    english = segment.text.strip()
    if segment.is_sound:
        english = sdh_label(english, segment.source_text)
    if not english or not spans:
        return out
    parts = distribute_english(
        english, spans, next_start_ms=next_start_ms, options=options, protected=protected
    )
    for part in parts:
        pieces = fit_on_screen(part, options, protected)
        row = out[part.first_cue]
        row.part_cues = part.last_cue - part.first_cue + 1
        row.events = len(pieces)
        row.en_lines = [line for _s, _e, lines in pieces for line in lines]
        row.cps_en = max(_cps(reading_chars(lines), e - s) for s, e, lines in pieces)
        row.fast_en = any(
            _fast(reading_chars(lines), e - s, options.max_cps_en) for s, e, lines in pieces
        )
        for j in range(part.first_cue + 1, part.last_cue + 1):
            out[j].part_cues = 0
            out[j].shared_with = j - part.first_cue
    return out


# --- estimation and alignment around hand-set times -------------------------------------------


def fit_around_fixed(
    spans: Sequence[tuple[int, int] | None],
    fixed: Sequence[bool],
    rules: TimingRules | None = None,
) -> list[tuple[int, int] | None]:
    """``spans`` (in reading order; ``None``: untimed) with every span that is not ``fixed``
    kept clear of the fixed ones: it starts a gap after the nearest fixed span before it and
    ends a gap before the nearest fixed span after it. Fixed spans are returned unchanged: an
    alignment that keeps hand-set times moves what is around them, never them."""
    gap = (rules or TimingRules()).min_gap_ms
    out = list(spans)
    floor: int | None = None
    for i, span in enumerate(out):
        if span is None:
            continue
        if fixed[i]:
            floor = span[1] + gap
        elif floor is not None and span[0] < floor:
            out[i] = (floor, max(span[1], floor + 1))
    ceiling: int | None = None
    for i in range(len(out) - 1, -1, -1):
        span = out[i]
        if span is None:
            continue
        if fixed[i]:
            ceiling = span[0] - gap
        elif ceiling is not None and span[1] > ceiling:
            end = max(ceiling, 1)
            out[i] = (min(span[0], end - 1), end)
    return out
