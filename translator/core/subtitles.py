"""Build subtitle events from an export episode (DESIGN.md "Quality numbers").

A sentence's English is spread over the time spans of its Japanese cues in proportion to their
duration, split at word/punctuation boundaries and never inside a glossary term or a name. When
a part is too long to read in its span, it is rebalanced with a neighbouring cue of the same
sentence, extended into the following silence (up to 7 s), or merged with the neighbour. Timing
rules (no overlap, 2-frame gap, 5/6 s..7 s) come from :mod:`translator.core.timing_rules`.
Whatever still breaks a rule is counted in the report, never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from translator.core.export_types import (
    ExportCue,
    ExportEpisode,
    ExportSegment,
    SubtitleLayout,
    SubtitleOptions,
    sdh_label,
)
from translator.core.linebreak import (
    PEN_NEVER,
    boundary_penalties,
    break_english,
    break_japanese,
    japanese_width,
)
from translator.core.timing_rules import apply_timing_rules

# Rule names used in SubtitleEvent.violations and SubtitleReport.
READING_SPEED_EN = "reading_speed_en"
READING_SPEED_JA = "reading_speed_ja"
LINE_LENGTH = "line_length"
LINES = "lines"
DURATION = "duration"
GAP = "gap"
RULES = (READING_SPEED_EN, READING_SPEED_JA, LINE_LENGTH, LINES, DURATION, GAP)

CPS_TOLERANCE = 0.05


@dataclass
class SubtitleEvent:
    start_ms: int
    end_ms: int
    en_lines: list[str]
    ja_lines: list[str]
    speaker: str | None  # English display name (None when several speakers share the cue)
    segment_index: int  # first segment shown in the cue
    # Several segments (of different turns) in one cue: lines start with "- ".
    segment_indexes: tuple[int, ...] = ()
    speakers: tuple[str | None, ...] = ()
    violations: frozenset[str] = frozenset()
    ja_ruby: tuple[tuple[str, str], ...] = ()  # readings of words in ja_lines (WebVTT <ruby>)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def is_multi_speaker(self) -> bool:
        return len(self.segment_indexes) > 1


@dataclass
class SubtitleReport:
    """Counts of events breaking each rule, plus what was left out and why."""

    events: int = 0
    violations: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    compliant_events: int = 0
    # Bilingual layouts: events whose English side (or Japanese side) meets every rule, timing
    # included; the Japanese reading speed of speech rarely holds, and should not hide the
    # English. In one-language layouts both equal ``compliant_events``.
    compliant_en_events: int = 0
    compliant_ja_events: int = 0
    untimed_segments: int = 0  # skipped: a cue has no time
    not_approved_segments: int = 0  # included although not approved (approved_only off)
    skipped_unapproved_segments: int = 0  # left out by approved_only
    untranslated_segments: int = 0  # no English (left out of English-only layouts)
    merged_cues: int = 0  # Japanese cues merged to make the English readable
    extended_cues: int = 0  # events extended into the following silence
    speaker_merges: int = 0  # two short turns shown together with dashes
    split_cues: int = 0  # cues whose English needed more lines, shown as two in turn

    @property
    def compliant_share(self) -> float:
        return self.compliant_events / self.events if self.events else 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "events": self.events,
            **{f"violations_{k}": v for k, v in self.violations.items()},
            "compliant_events": self.compliant_events,
            "compliant_share": round(self.compliant_share, 4),
            "compliant_en_events": self.compliant_en_events,
            "compliant_ja_events": self.compliant_ja_events,
            "untimed_segments": self.untimed_segments,
            "not_approved_segments": self.not_approved_segments,
            "skipped_unapproved_segments": self.skipped_unapproved_segments,
            "untranslated_segments": self.untranslated_segments,
            "merged_cues": self.merged_cues,
            "extended_cues": self.extended_cues,
            "speaker_merges": self.speaker_merges,
            "split_cues": self.split_cues,
        }


@dataclass
class SubtitleBuild:
    events: list[SubtitleEvent]
    report: SubtitleReport


@dataclass
class EnglishPart:
    """One piece of a sentence's English placed on a run of its cues."""

    first_cue: int
    last_cue: int  # inclusive
    text: str
    start_ms: int
    end_ms: int  # after any extension into silence


# --- distribution of one sentence ------------------------------------------------------------


def english_lines(text: str, options: SubtitleOptions, protected: Sequence[str]) -> list[str]:
    """``text`` broken into subtitle lines by the options' limits (more lines than allowed
    when it cannot fit: the caller checks)."""
    return break_english(
        text,
        max_chars_per_line=options.max_chars_per_line,
        max_lines=options.max_lines,
        protected=protected,
    )


def distribute_english(
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    next_start_ms: int | None = None,
    options: SubtitleOptions | None = None,
    protected: Sequence[str] = (),
) -> list[EnglishPart]:
    """Spread ``text`` over the cue ``spans`` of one sentence.

    ``next_start_ms`` is the start of the next cue after this sentence (``None``: no silence
    may be used after the last cue). Returns at least one part when ``text`` is not blank;
    the concatenation of the parts' text is ``text`` with whitespace normalised.

    A first guess splits the words in proportion to the cues' durations; then, while a group
    of cues is too fast to read, it is rebalanced with a neighbour of the same sentence
    (:meth:`_Distribution.rebalance`) or merged with one (:meth:`_Distribution.merge`)."""
    options = options or SubtitleOptions()
    words = text.split()
    if not words or not spans:
        return []
    limits = _cue_limits(spans, next_start_ms, options.timing_rules.min_gap_ms)
    cps = options.max_cps_en
    if len(spans) == 1:
        return [_part(0, 0, " ".join(words), spans, limits, cps, options)]
    dist = _Distribution.first_guess(words, spans, limits, options, protected)
    dist.settle()
    return [
        _part(g.first, g.last, " ".join(words[g.start : g.end]), spans, limits, cps, options)
        for g in dist.groups
    ]


def _cue_limits(
    spans: Sequence[tuple[int, int]], next_start_ms: int | None, gap_ms: int
) -> list[int]:
    """Latest end each cue may reach: the next cue's start minus the gap."""
    limits = []
    for k, (_s, e) in enumerate(spans):
        nxt = spans[k + 1][0] if k + 1 < len(spans) else next_start_ms
        limits.append(e if nxt is None else max(e, nxt - gap_ms))
    return limits


@dataclass
class _Group:
    """Consecutive cues ``first..last`` showing ``words[start:end]``."""

    first: int
    last: int
    start: int
    end: int


@dataclass
class _Distribution:
    """The words of one sentence over its cues, as groups of cues, with the costs that
    :func:`distribute_english` balances."""

    words: list[str]
    spans: Sequence[tuple[int, int]]
    limits: list[int]
    options: SubtitleOptions
    protected: Sequence[str]
    pens: list[float]  # penalty of a break after each word
    pos: list[int]  # pos[b]: char offset where word b starts; pos[n] = len + 1
    groups: list[_Group]

    @classmethod
    def first_guess(
        cls,
        words: list[str],
        spans: Sequence[tuple[int, int]],
        limits: list[int],
        options: SubtitleOptions,
        protected: Sequence[str],
    ) -> _Distribution:
        """Words split in proportion to the cues' durations, breaking where the penalties
        allow; cues that got no words join the following group (the previous one at the
        end)."""
        joined = " ".join(words)
        pens = boundary_penalties(words, joined, protected)
        pos = [0]
        for w in words:
            pos.append(pos[-1] + len(w) + 1)
        bounds = _proportional_bounds(pos, pens, len(joined), spans)
        n, m = len(words), len(spans)
        starts, ends = [0, *bounds], [*bounds, n]
        groups: list[_Group] = []
        carry: int | None = None
        for k in range(m):
            g = _Group(k, k, starts[k], ends[k])
            if carry is not None:
                g.first, carry = carry, None
            if g.start == g.end:
                carry = g.first
                continue
            groups.append(g)
        if carry is not None and groups:
            groups[-1].last = m - 1
        return cls(words, spans, limits, options, protected, pens, pos, groups)

    @property
    def max_chars(self) -> int:
        return self.options.max_chars_per_line * self.options.max_lines

    def chars(self, ws: int, we: int) -> int:
        return self.pos[we] - self.pos[ws] - 1

    def _available_ms(self, first: int, last: int) -> int:
        start = self.spans[first][0]
        return min(self.limits[last], start + self.options.max_duration_ms) - start

    def readable(self, g: _Group) -> bool:
        ln = self.chars(g.start, g.end)
        if ln > self.max_chars:
            return False
        return ln * 1000 <= self.options.max_cps_en * self._available_ms(g.first, g.last) + 1e-6

    def fits(self, ws: int, we: int) -> bool:
        """The words fit on the allowed number of lines."""
        lines = english_lines(" ".join(self.words[ws:we]), self.options, self.protected)
        return len(lines) <= self.options.max_lines

    def overload(self, first: int, last: int, ws: int, we: int) -> float:
        ln = self.chars(ws, we)
        avail = max(1, self._available_ms(first, last))
        need = ln * 1000 / self.options.max_cps_en
        return max(0.0, need / avail - 1.0) + max(0, ln - self.max_chars) / self.max_chars

    def _group_overload(self, g: _Group) -> float:
        return self.overload(g.first, g.last, g.start, g.end)

    def _pair(self, bad: int, j: int) -> tuple[_Group, _Group]:
        return (self.groups[j], self.groups[bad]) if j < bad else (self.groups[bad], self.groups[j])

    def _neighbours(self, bad: int) -> list[int]:
        return [j for j in (bad - 1, bad + 1) if 0 <= j < len(self.groups)]

    def settle(self) -> None:
        """Rebalance or merge the first unreadable group until all read or nothing helps."""
        for _ in range(4 * len(self.spans)):
            bad = next((i for i, g in enumerate(self.groups) if not self.readable(g)), None)
            if bad is None:
                return
            changed = self.rebalance(bad)
            if changed and self.readable(self.groups[bad]):
                continue
            if self.merge(bad):
                continue
            if not changed:
                return

    def rebalance(self, bad: int) -> bool:
        """Move the break between group ``bad`` and a neighbour of the same sentence to where
        the pair is least overloaded; whether any break moved."""
        changed = False
        for j in self._neighbours(bad):
            a, b = self._pair(bad, j)
            best_b, best_cost = None, self._group_overload(a) + self._group_overload(b)
            for cut in range(a.start + 1, b.end):
                if self.pens[cut - 1] >= PEN_NEVER:
                    continue
                cost = self.overload(a.first, a.last, a.start, cut) + self.overload(
                    b.first, b.last, cut, b.end
                )
                if cost < best_cost - 1e-9:
                    best_b, best_cost = cut, cost
            if best_b is not None and best_b != a.end:
                a.end = b.start = best_b
                changed = True
                if best_cost == 0:
                    break
        return changed

    def merge(self, bad: int) -> bool:
        """Merge group ``bad`` with the neighbour giving the most readable result within 7 s,
        if that is better than the pair as it is (a merge past two lines trades a slightly
        fast cue for an unreadable one); whether it merged."""
        choices = []
        for j in self._neighbours(bad):
            a, b = self._pair(bad, j)
            if self.spans[b.last][1] - self.spans[a.first][0] > self.options.max_duration_ms:
                continue
            apart = self._group_overload(a) + self._group_overload(b)
            together = self.overload(a.first, b.last, a.start, b.end) + (
                0.0 if self.fits(a.start, b.end) else 1.0
            )
            if together < apart - 1e-9:
                choices.append((together, j))
        if not choices:
            return False
        _cost, j = min(choices)
        lo, hi = min(j, bad), max(j, bad)
        a, b = self.groups[lo], self.groups[hi]
        self.groups[lo : hi + 1] = [_Group(a.first, b.last, a.start, b.end)]
        return True


def _proportional_bounds(
    pos: list[int], pens: list[float], total: int, spans: Sequence[tuple[int, int]]
) -> list[int]:
    """Boundary ``b_k`` after cue ``k`` (``words[:b_k]`` shown up to cue ``k``) nearest to the
    share of the text that the cues' durations give, at an allowed break."""
    n = len(pos) - 1
    durations = [max(1, e - s) for s, e in spans]
    dur_sum = sum(durations)
    bounds: list[int] = []
    prev_b = 0
    acc = 0
    for k in range(len(spans) - 1):
        acc += durations[k]
        goal = total * acc / dur_sum
        best_b, best = prev_b, abs(pos[prev_b] - goal) + 2.0  # empty part: small penalty
        for b in range(max(prev_b, 1), n):
            c = abs(pos[b] - 1 - goal)
            pen = pens[b - 1]
            if pen >= PEN_NEVER:
                continue
            c += 0.5 * pen
            if c < best:
                best, best_b = c, b
            elif pos[b] - 1 > goal + 60:
                break
        bounds.append(best_b)
        prev_b = best_b
    return bounds


def _part(
    first: int,
    last: int,
    text: str,
    spans: Sequence[tuple[int, int]],
    limits: Sequence[int],
    cps: float,
    options: SubtitleOptions,
) -> EnglishPart:
    start = spans[first][0]
    end = spans[last][1]
    need = max(options.min_duration_ms, int(len(text) * 1000 / cps + 0.999))
    if end - start < need:
        end = max(end, min(start + need, limits[last], start + options.max_duration_ms))
    return EnglishPart(first, last, text, start, end)


# --- the episode -----------------------------------------------------------------------------


def _timed_spans(seg: ExportSegment) -> list[tuple[int, int]] | None:
    spans = []
    for cue in seg.cues:
        if cue.start_ms is None or cue.end_ms is None:
            return None
        spans.append((int(cue.start_ms), int(max(cue.end_ms, cue.start_ms))))
    return spans or None


def _timed_segments(
    episode: ExportEpisode, options: SubtitleOptions, report: SubtitleReport
) -> list[tuple[ExportSegment, list[tuple[int, int]]]]:
    """The segments to subtitle with their cue spans, in time order (sound cues as SDH
    labels); what is left out is counted in ``report``."""
    timed: list[tuple[ExportSegment, list[tuple[int, int]]]] = []
    for original in episode.segments:
        if original.is_untimed_text:
            continue
        seg = original
        if seg.is_sound:  # SDH style: [crying], ♪
            seg = replace(seg, text=sdh_label(seg.text, seg.source_text))
        if not seg.is_approved:
            if options.approved_only:
                report.skipped_unapproved_segments += 1
                continue
            report.not_approved_segments += 1
        spans = _timed_spans(seg)
        if spans is None:
            report.untimed_segments += 1
            continue
        timed.append((seg, spans))
    timed.sort(key=lambda item: item[1][0][0])
    return timed


def build_subtitles(
    episode: ExportEpisode, options: SubtitleOptions | None = None
) -> SubtitleBuild:
    """Subtitle events for ``episode`` in ``options.layout``, with a rule report.

    Show notes are untimed and left out. Segments with an untimed cue are skipped (counted).
    ``approved_only`` keeps approved segments only; otherwise non-approved ones are included
    and counted. English-only layouts leave out untranslated segments (counted); bilingual
    layouts show their Japanese with no English."""
    options = options or SubtitleOptions()
    layout = options.layout_enum
    report = SubtitleReport()
    protected = episode.protected_phrases
    gap_ms = options.timing_rules.min_gap_ms

    timed = _timed_segments(episode, options, report)
    events: list[SubtitleEvent] = []
    for n, (seg, spans) in enumerate(timed):
        next_start = timed[n + 1][1][0][0] if n + 1 < len(timed) else None
        english = seg.text.strip()
        if layout is SubtitleLayout.JA or not english:
            if not english:
                report.untranslated_segments += 1
                if layout is SubtitleLayout.EN:
                    continue
            events.extend(_japanese_events(seg, spans, next_start, options))
            continue
        parts = distribute_english(
            english, spans, next_start_ms=next_start, options=options, protected=protected
        )
        for part in parts:
            report.merged_cues += part.last_cue - part.first_cue
            if part.end_ms > spans[part.last_cue][1]:
                report.extended_cues += 1
            ja_cues = seg.cues[part.first_cue : part.last_cue + 1]
            ja_lines = ja_lines_of(ja_cues, options) if layout.has_ja else []
            pieces = fit_on_screen(part, options, protected)
            report.split_cues += len(pieces) - 1
            for start_ms, end_ms, en_lines in pieces:
                events.append(
                    SubtitleEvent(
                        start_ms=start_ms,
                        end_ms=end_ms,
                        en_lines=en_lines,
                        ja_lines=list(ja_lines),
                        speaker=seg.speaker,
                        segment_index=seg.index,
                        segment_indexes=(seg.index,),
                        speakers=(seg.speaker,),
                        ja_ruby=tuple(r for c in ja_cues for r in c.ruby),
                    )
                )

    if layout is not SubtitleLayout.JA:
        events = _merge_short_turns(events, options, report, gap_ms)
    events.sort(key=lambda ev: (ev.start_ms, ev.segment_index))
    timed_spans = apply_timing_rules(
        [(ev.start_ms, ev.end_ms) for ev in events], options.timing_rules
    )
    for ev, (s, e) in zip(events, timed_spans, strict=True):
        ev.start_ms, ev.end_ms = s, e
    check_events(events, options, report)
    return SubtitleBuild(events, report)


def fit_on_screen(
    part: EnglishPart, options: SubtitleOptions, protected: Sequence[str]
) -> list[tuple[int, int, list[str]]]:
    """The part as (start, end, English lines) events: one, or two in turn when its English
    needs more lines than allowed and its time holds two cues of the minimum duration. The
    English is cut at the best word boundary near its middle (never inside a name, a glossary
    term or an article and its noun) and the time in proportion to the characters; bilingual
    layouts keep the Japanese on screen over both."""
    if len(part.text) <= options.max_chars_per_line:
        return [(part.start_ms, part.end_ms, [part.text])]  # one line: nothing to break
    whole = english_lines(part.text, options, protected)
    gap = options.timing_rules.min_gap_ms
    min_dur = options.min_duration_ms
    words = part.text.split()
    if (
        len(whole) <= options.max_lines
        or len(words) < 2
        or part.end_ms - part.start_ms < 2 * min_dur + gap
    ):
        return [(part.start_ms, part.end_ms, whole)]
    joined = " ".join(words)
    pens = boundary_penalties(words, joined, protected)
    half = len(joined) / 2
    best, best_b, at = float("inf"), 0, 0
    for b in range(1, len(words)):
        at += len(words[b - 1]) + (1 if b > 1 else 0)  # characters in words[:b]
        if pens[b - 1] >= PEN_NEVER:
            continue
        cost = abs(at - half) + 0.5 * pens[b - 1]
        if cost < best:
            best, best_b = cost, b
    if not best_b:
        return [(part.start_ms, part.end_ms, whole)]
    first, second = " ".join(words[:best_b]), " ".join(words[best_b:])
    usable = part.end_ms - part.start_ms - gap
    cut = part.start_ms + round(usable * len(first) / (len(first) + len(second)))
    cut = min(max(cut, part.start_ms + min_dur), part.end_ms - gap - min_dur)
    return [
        (part.start_ms, cut, english_lines(first, options, protected)),
        (cut + gap, part.end_ms, english_lines(second, options, protected)),
    ]


def ja_lines_of(cues: Sequence[ExportCue], options: SubtitleOptions) -> list[str]:
    """Japanese lines of an event: the lines chosen at import when the event is one cue,
    else the merged cues' text broken again at phrase boundaries."""
    if len(cues) == 1 and cues[0].lines:
        return list(cues[0].lines)
    return break_japanese(
        "".join(c.source_text for c in cues),
        max_width=options.max_width_per_line_ja,
        max_lines=options.max_lines,
    )


def reading_chars(lines: Sequence[str]) -> int:
    """Characters an English event is read by: its lines and a space for each break (the
    reading-speed rule of :func:`check_events`; the cue view shows the same figure)."""
    return sum(len(x) for x in lines) + len(lines) - 1 if lines else 0


def _japanese_events(
    seg: ExportSegment,
    spans: list[tuple[int, int]],
    next_start: int | None,
    options: SubtitleOptions,
) -> list[SubtitleEvent]:
    """One event per Japanese cue (no English), extended into silence for reading time."""
    gap_ms = options.timing_rules.min_gap_ms
    out = []
    for k, (cue, (s, e)) in enumerate(zip(seg.cues, spans, strict=True)):
        nxt = spans[k + 1][0] if k + 1 < len(spans) else next_start
        limit = e if nxt is None else max(e, nxt - gap_ms)
        need = max(
            options.min_duration_ms,
            int(japanese_width(cue.source_text) * 1000 / options.max_cps_ja + 0.999),
        )
        end = max(e, min(s + need, limit, s + options.max_duration_ms)) if e - s < need else e
        out.append(
            SubtitleEvent(
                start_ms=s,
                end_ms=end,
                en_lines=[],
                ja_lines=ja_lines_of([cue], options),
                speaker=seg.speaker,
                segment_index=seg.index,
                segment_indexes=(seg.index,),
                speakers=(seg.speaker,),
                ja_ruby=cue.ruby,
            )
        )
    return out


def _merge_short_turns(
    events: list[SubtitleEvent], options: SubtitleOptions, report: SubtitleReport, gap_ms: int
) -> list[SubtitleEvent]:
    """Show two short one-line cues of different speakers together ("- Really?" / "- Yes.")
    when the first is too short to read and they follow each other closely."""
    out: list[SubtitleEvent] = []
    i = 0
    limit_chars = options.max_chars_per_line - 2
    while i < len(events):
        ev = events[i]
        if i + 1 < len(events):
            nxt = events[i + 1]
            en_chars = sum(len(x) for x in ev.en_lines)
            too_short = ev.duration_ms < options.min_duration_ms or (
                en_chars * 1000 > options.max_cps_en * ev.duration_ms
            )
            both_chars = en_chars + sum(len(x) for x in nxt.en_lines)
            span = nxt.end_ms - ev.start_ms
            if (
                too_short
                and not ev.is_multi_speaker
                and not nxt.is_multi_speaker
                and ev.speaker != nxt.speaker
                and len(ev.en_lines) == 1
                and len(nxt.en_lines) == 1
                and len(ev.en_lines[0]) <= limit_chars
                and len(nxt.en_lines[0]) <= limit_chars
                and nxt.start_ms - ev.end_ms <= 1000
                and span <= options.max_duration_ms
                and both_chars * 1000 <= options.max_cps_en * span
                and len(ev.ja_lines) <= 1
                and len(nxt.ja_lines) <= 1
            ):
                out.append(
                    SubtitleEvent(
                        start_ms=ev.start_ms,
                        end_ms=max(nxt.end_ms, ev.end_ms),
                        en_lines=[f"- {ev.en_lines[0]}", f"- {nxt.en_lines[0]}"],
                        ja_lines=[f"- {x}" for x in (*ev.ja_lines, *nxt.ja_lines)],
                        ja_ruby=ev.ja_ruby + nxt.ja_ruby,
                        speaker=None,
                        segment_index=ev.segment_index,
                        segment_indexes=(ev.segment_index, nxt.segment_index),
                        speakers=(ev.speaker, nxt.speaker),
                    )
                )
                report.speaker_merges += 1
                i += 2
                continue
        out.append(ev)
        i += 1
    return out


# --- checking --------------------------------------------------------------------------------


def _violations_by_side(
    ev: SubtitleEvent, next_start_ms: int | None, options: SubtitleOptions, layout: SubtitleLayout
) -> tuple[set[str], set[str], set[str]]:
    """The rules ``ev`` breaks: (timing, English side, Japanese side)."""
    timing: set[str] = set()
    en: set[str] = set()
    ja: set[str] = set()
    dur = ev.end_ms - ev.start_ms
    rules = options.timing_rules
    if dur < rules.min_duration_ms or dur > rules.max_duration_ms:
        timing.add(DURATION)
    if next_start_ms is not None and next_start_ms - ev.end_ms < rules.min_gap_ms:
        timing.add(GAP)
    if layout.has_en and ev.en_lines:
        chars = reading_chars(ev.en_lines)
        if chars * 1000 > (options.max_cps_en + CPS_TOLERANCE) * max(dur, 1):
            en.add(READING_SPEED_EN)
        if any(len(x) > options.max_chars_per_line for x in ev.en_lines):
            en.add(LINE_LENGTH)
        if len(ev.en_lines) > options.max_lines:
            en.add(LINES)
    if layout.has_ja and ev.ja_lines:
        widths = [japanese_width(x) for x in ev.ja_lines]
        if sum(widths) * 1000 > (options.max_cps_ja + CPS_TOLERANCE) * max(dur, 1):
            ja.add(READING_SPEED_JA)
        if any(w > options.max_width_per_line_ja for w in widths):
            ja.add(LINE_LENGTH)
        if len(ev.ja_lines) > options.max_lines:
            ja.add(LINES)
    return timing, en, ja


def check_events(
    events: list[SubtitleEvent],
    options: SubtitleOptions,
    report: SubtitleReport | None = None,
) -> SubtitleReport:
    """Set each event's ``violations`` and count them into ``report`` (events sorted)."""
    report = report or SubtitleReport()
    report.violations = dict.fromkeys(RULES, 0)
    report.events = len(events)
    report.compliant_events = report.compliant_en_events = report.compliant_ja_events = 0
    layout = options.layout_enum
    bilingual = layout.has_en and layout.has_ja
    for i, ev in enumerate(events):
        nxt = events[i + 1].start_ms if i + 1 < len(events) else None
        timing, en, ja = _violations_by_side(ev, nxt, options, layout)
        ev.violations = frozenset(timing | en | ja)
        for rule in ev.violations:
            report.violations[rule] += 1
        if not ev.violations:
            report.compliant_events += 1
        if bilingual:
            report.compliant_en_events += not (timing or en)
            report.compliant_ja_events += not (timing or ja)
        else:
            report.compliant_en_events += not ev.violations
            report.compliant_ja_events += not ev.violations
    return report
