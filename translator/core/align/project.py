"""Project caption times onto the transcript's characters and cues: the entry point
:func:`align_cues`. See docs/alignment.md, steps 5-6."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from translator.core.align.data import (
    _ASR_MARK,
    _CLAUSE,
    _CLAUSE_MARKS,
    _EXCERPT_CHARS,
    _NO_PAUSE,
    _SENTENCE,
    _SENTENCE_END,
    _TYPICAL_CHAR_MS,
    MIN_ALIGNED_SHARE,
    AlignCue,
    AlignmentReport,
    AlignmentResult,
    Method,
)
from translator.core.align.match import _match
from translator.core.align.normalise import _caption_stream, _CaptionStream, _line_units, _normalize
from translator.core.align.rates import (
    _estimate_pause_units,
    _gap_layout,
    _model_times,
    _shift_filler_pauses,
    _spoken_units,
)
from translator.core.errors import InputError
from translator.core.timing_rules import TimingRules, apply_timing_rules
from translator.core.types import TimedLine


def _transcript_pauses(cues: Sequence[AlignCue], where: list[tuple[int, int]]) -> list[int]:
    """Pause kind before each normalised transcript character, from the text around it: a
    sentence end, a clause mark or a cue boundary. Long-vowel marks, quotes, brackets and the
    spaces between Latin words are not pauses."""
    out = [_NO_PAUSE] * len(where)
    for i in range(1, len(where)):
        (c0, o0), (c1, o1) = where[i - 1], where[i]
        if c0 == c1:
            between = cues[c1].text[o0 + 1 : o1]
        else:
            between = cues[c0].text[o0 + 1 :] + " " + cues[c1].text[:o1]
        if not between:
            continue
        if any(ch in _SENTENCE_END for ch in between):
            out[i] = _SENTENCE
        elif c0 != c1 or any(ch in _CLAUSE_MARKS for ch in between):
            out[i] = _CLAUSE
    return out


def _pauses_on_captions(
    a_kinds: list[int], pairs: list[tuple[int, int]], b: str
) -> list[tuple[int, int]]:
    """Carry transcript pauses over to caption positions ``(j, kind)``: a pause before a
    transcript character goes before the caption character it covers; caption characters
    inserted at a transcript pause (fillers) come after the silence."""
    n_b = len(b)
    out = []
    n_a = len(a_kinds)
    bounds = [(-1, -1), *pairs, (n_a, n_b)]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        gap_a, gap_b = i1 - i0 - 1, j1 - j0 - 1
        if gap_b > 0:
            offset, step, head, tail = _gap_layout(i0, j0, i1, j1, a_kinds, b)
            if i1 < n_a and a_kinds[i1]:
                # Before a trailing filler or other inserted characters, else before the match.
                if tail:
                    out.append((j1 - tail, a_kinds[i1]))
                elif gap_a == 0:
                    out.append((j0 + 1, a_kinds[i1]))
                else:
                    out.append((j1, a_kinds[i1]))
            for r, i in enumerate(range(i0 + 1, i1)):
                if a_kinds[i]:
                    j = j0 + 1 if r == 0 and head else min(int(offset + r * step), n_b - 1)
                    out.append((j, a_kinds[i]))
        elif j1 < n_b:
            # Dropped words: their pauses fall between the two matched caption characters.
            kind = max(a_kinds[i0 + 1 : i1 + 1])
            if kind:
                out.append((j1, kind))
    return out


def _spread(
    ts: list[float],
    te: list[float],
    lo: int,
    hi: int,
    left: float,
    right: float,
    a_pause: list[float],
) -> None:
    """Time transcript characters ``lo..hi-1`` that have no caption characters between
    ``left`` and ``right``. With no pause among them, spread evenly; otherwise each character
    takes a typical duration and the rest of the time goes to the pauses (before each character
    and before ``hi``) by weight, so dropped words stay next to the speech they belong to."""
    n = hi - lo
    weights = [a_pause[i] if i < len(a_pause) else 0.0 for i in range(lo, hi + 1)]
    total_pause = sum(weights)
    span = max(0.0, right - left)
    if total_pause <= 0:
        char_ms, unit_pause_ms = span / n, 0.0
    else:
        char_ms = min(span / (n + total_pause), _TYPICAL_CHAR_MS)
        unit_pause_ms = (span - n * char_ms) / total_pause
    t = left
    for r, i in enumerate(range(lo, hi)):
        t += weights[r] * unit_pause_ms
        ts[i] = t
        t += char_ms
        te[i] = t


def _char_times(
    n_a: int,
    pairs: list[tuple[int, int]],
    cs: list[float],
    ce: list[float],
    a_kinds: list[int],
    a_pause: list[float],
    b: str,
) -> tuple[list[float], list[float]]:
    """Start and end time of each transcript character (see step 4 of the module docstring)."""
    n_b = len(cs)

    def t_start(x: float) -> float:  # time at caption position x, x seen as a start
        j = int(x)
        if j >= n_b:
            return ce[-1]
        return cs[j] + (x - j) * (ce[j] - cs[j])

    def t_end(x: float) -> float:  # time at caption position x, x seen as an end
        j = int(x)
        if j == x:
            j -= 1
        if j < 0:
            return cs[0]
        if j >= n_b:
            return ce[-1]
        return cs[j] + (x - j) * (ce[j] - cs[j])

    ts = [0.0] * n_a
    te = [0.0] * n_a
    bounds = [(-1, -1), *pairs, (n_a, n_b)]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        if 0 <= i1 < n_a:
            ts[i1], te[i1] = cs[j1], ce[j1]
        gap_a = i1 - i0 - 1
        if gap_a <= 0:
            continue
        if j1 - j0 - 1 > 0:
            offset, step, _head, _tail = _gap_layout(i0, j0, i1, j1, a_kinds, b)
            for r in range(gap_a):
                ts[i0 + 1 + r] = t_start(offset + r * step)
                te[i0 + 1 + r] = t_end(offset + (r + 1) * step)
        else:
            left = ce[j0] if j0 >= 0 else cs[0]
            right = cs[j1] if j1 < n_b else ce[-1]
            _spread(ts, te, i0 + 1, i1, left, right, a_pause)
    return ts, te


def _excerpt(cues: Sequence[AlignCue], where: list[tuple[int, int]], first: int, last: int) -> str:
    """Transcript text from normalised character ``first`` to ``last`` (inclusive)."""
    (c0, o0), (c1, o1) = where[first], where[last]
    if c0 == c1:
        text = cues[c0].text[o0 : o1 + 1]
    else:
        pieces = [cues[c0].text[o0:]] + [cues[c].text for c in range(c0 + 1, c1)]
        pieces.append(cues[c1].text[: o1 + 1])
        text = " ".join(p.strip() for p in pieces)
    text = " ".join(text.split())
    if len(text) > _EXCERPT_CHARS:
        text = text[: _EXCERPT_CHARS - 1] + "…"
    return text


def align_cues(
    cues: Sequence[AlignCue],
    captions: Sequence[TimedLine],
    *,
    rules: TimingRules | None = None,
) -> AlignmentResult:
    """Give each timed cue a time span taken from ``captions`` by character alignment.

    Raises :class:`InputError` when the captions hold no timed text. Never drops or reorders
    cues; ``timed=False`` cues are skipped. Keys must be unique."""
    keys = [c.key for c in cues]
    if len(set(keys)) != len(keys):
        raise ValueError("align_cues: cue keys must be unique")
    cap = _caption_stream(captions)
    if not cap.text:
        raise InputError("the caption file has no timed text")
    side = _TranscriptSide.of(cues)
    n_a = len(side.text)
    pairs = _match(side.text, cap.text)
    matched = [False] * n_a
    for i, _j in pairs:
        matched[i] = True
    ts, te, cs = _transcript_times(cap, side, cues, pairs)

    # Cue spans and methods, then the timing rules over the timed cues in order.
    raw_spans: list[tuple[int, int]] = []
    methods: list[Method] = []
    for lo, hi in side.cue_ranges.values():
        if hi > lo:
            start, end = ts[lo], te[hi - 1]
            hits = sum(matched[lo:hi])
            ok = hits >= MIN_ALIGNED_SHARE * (hi - lo)
        else:  # nothing to match (punctuation only): a point where it sits
            start = end = ts[lo] if lo < n_a else (te[-1] if n_a else cs[0])
            ok = False
        raw_spans.append((int(round(start)), int(round(end))))
        methods.append("aligned" if ok else "interpolated")
    spans = apply_timing_rules(raw_spans, rules)

    times: dict[Hashable, tuple[int, int]] = {}
    method: dict[Hashable, Method] = {}
    for ci, span, how in zip(side.cue_ranges, spans, methods, strict=True):
        times[cues[ci].key] = span
        method[cues[ci].key] = how
    report = _report(cues, side, matched, methods, cap)
    return AlignmentResult(times=times, method=method, report=report)


@dataclass
class _TranscriptSide:
    """The timed cues' normalised text, each character mapped back to (cue index, offset)."""

    text: str
    where: list[tuple[int, int]]
    cue_ranges: dict[int, tuple[int, int]]  # cue index -> its range in ``text``
    units: list[float]  # speaking units per character

    @classmethod
    def of(cls, cues: Sequence[AlignCue]) -> _TranscriptSide:
        pieces: list[str] = []
        where: list[tuple[int, int]] = []
        cue_ranges: dict[int, tuple[int, int]] = {}
        units: list[float] = []
        pos = 0
        for ci, cue in enumerate(cues):
            if not cue.timed:
                continue
            norm, offsets = _normalize(cue.text)
            units.extend(_line_units(norm, offsets, cue.text))
            pieces.append(norm)
            where.extend((ci, o) for o in offsets)
            cue_ranges[ci] = (pos, pos + len(norm))
            pos += len(norm)
        return cls("".join(pieces), where, cue_ranges, units)


def _transcript_times(
    cap: _CaptionStream,
    side: _TranscriptSide,
    cues: Sequence[AlignCue],
    pairs: list[tuple[int, int]],
) -> tuple[list[float], list[float], list[float]]:
    """Start and end of every transcript character, and the caption characters' starts:
    caption character times with silences where the transcript or the captions suggest one
    (the rate model), then carried over the matches."""
    kinds = list(cap.pause)
    a_kinds = _transcript_pauses(cues, side.where)
    for j, kind in _pauses_on_captions(a_kinds, pairs, cap.text):
        if kind > kinds[j] or kinds[j] == _ASR_MARK:
            kinds[j] = kind
    spoken = _spoken_units(side.units, a_kinds, pairs, cap.text, cap.units)
    for lo, _hi, _s, _e in cap.segments:  # speech dropped at a line start is in the gap
        spoken[1][lo] = spoken[2][lo] = 0.0
    kinds = _shift_filler_pauses(cap.segments, kinds, spoken[0])
    talk = [u + p + q for u, p, q in zip(*spoken, strict=True)]
    units = _estimate_pause_units(cap.segments, kinds, talk)
    cs, ce = _model_times(cap, kinds, units, spoken)
    ts, te = _char_times(
        len(side.text), pairs, cs, ce, a_kinds, [units[k] for k in a_kinds], cap.text
    )
    return ts, te, cs


def _report(
    cues: Sequence[AlignCue],
    side: _TranscriptSide,
    matched: list[bool],
    methods: list[Method],
    cap: _CaptionStream,
) -> AlignmentReport:
    n_a = len(side.text)
    n_matched = sum(matched)
    best_len = best_first = run = 0
    for i, hit in enumerate(matched):
        run = 0 if hit else run + 1
        if run > best_len:
            best_len, best_first = run, i - run + 1
    excerpt = _excerpt(cues, side.where, best_first, best_first + best_len - 1) if best_len else ""
    coverage = n_matched / n_a if n_a else 0.0
    warnings = []
    if side.cue_ranges and n_matched == 0:
        warnings.append(
            "no transcript text matched the captions: every cue is interpolated across the "
            "caption span; check that the captions belong to this episode"
        )
    elif n_a and coverage < 0.5:
        warnings.append(
            f"only {coverage:.0%} of the transcript matched the captions: "
            "many cues are interpolated"
        )
    n_aligned = sum(1 for m in methods if m == "aligned")
    return AlignmentReport(
        coverage=round(coverage, 4),
        cues_aligned=n_aligned,
        cues_interpolated=len(methods) - n_aligned,
        largest_unmatched_chars=best_len,
        largest_unmatched_excerpt=excerpt,
        caption_chars=len(cap.text),
        transcript_chars=n_a,
        rolling_captions=cap.rolling,
        warnings=warnings,
    )
