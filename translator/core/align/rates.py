"""The rate model: a time for every caption character, from each line's start and end, its
speech in morae and its pauses. See docs/alignment.md, step 4."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from translator.core.align.data import (
    _ASR_MARK,
    _ASR_PAUSE,
    _CLAUSE,
    _CLAUSE_PAUSE,
    _CONTIGUOUS_MS,
    _EDGE_SD_MS,
    _FILLERS,
    _MAX_DROPPED_CHARS,
    _MAX_UNIT_MS,
    _NO_PAUSE,
    _PAUSE_CV,
    _RATE_CV,
    _SENTENCE,
    _SENTENCE_PAUSE,
    _SWEEPS,
    _UNIT_CV,
)
from translator.core.align.normalise import _CaptionStream


def _estimate_pause_units(
    segments: list[tuple[int, int, int, int]], kinds: list[int], units: list[float]
) -> list[float]:
    """How long each pause kind lasts, in speaking units, from the captions themselves: the
    median time per unit over segments without pauses, then the median extra time of the
    segments with pauses of one kind: clause pauses and recogniser marks from segments with
    only that kind, then sentence pauses with the others subtracted. A kind the file gives
    too little on keeps its default. Indexed by kind (``[0]`` is no pause)."""
    est = [0.0, _CLAUSE_PAUSE, _SENTENCE_PAUSE, _ASR_PAUSE]
    per_unit = []
    counted = []
    for lo, hi, s_ms, e_ms in segments:
        if hi - lo < 2:
            continue
        n = sum(units[lo:hi])
        count = [0, 0, 0, 0]
        for j in range(lo + 1, hi):
            count[kinds[j]] += 1
        if not any(count[1:]) and hi - lo >= 4:
            per_unit.append((e_ms - s_ms) / n)
        counted.append((n, count, e_ms - s_ms))
    unit_ms = statistics.median(per_unit) if len(per_unit) >= 3 else 0.0
    if unit_ms <= 0:
        return est
    done: list[int] = []
    for kind, alone, low, top in (
        (_CLAUSE, True, 0.0, 4.0),
        (_ASR_MARK, True, 0.0, 4.0),
        (_SENTENCE, False, 1.0, 12.0),
    ):
        extra = []
        for n, count, dur in counted:
            if not count[kind] or (alone and sum(count[1:]) != count[kind]):
                continue
            known = sum(count[k] * est[k] for k in done)
            extra.append((dur / unit_ms - n - known) / count[kind])
        if len(extra) >= 3:
            est[kind] = min(max(statistics.median(extra), low), top)
        done.append(kind)
    return est


def _caption_times(cap: _CaptionStream, pause: Sequence[float]) -> tuple[list[float], list[float]]:
    """Start and end time of each caption character: each segment's span spread over its
    characters by their speaking units, plus ``pause[j]`` units of silence before
    character ``j``."""
    n = len(cap.text)
    starts = [0.0] * n
    ends = [0.0] * n
    for lo, hi, s_ms, e_ms in cap.segments:
        pos = [0.0] * (hi - lo)
        acc = 0.0
        for r in range(1, hi - lo):
            acc += cap.units[lo + r - 1] + pause[lo + r]
            pos[r] = acc
        acc += cap.units[hi - 1]
        # Speech at a plausible rate from the segment's start; a span far too long for its
        # characters (a word followed by silence until the next timestamp) is not stretched.
        scale = min((e_ms - s_ms) / acc, _MAX_UNIT_MS) if acc > 0 else 0.0
        for r in range(hi - lo):
            starts[lo + r] = s_ms + pos[r] * scale
            ends[lo + r] = s_ms + (pos[r] + cap.units[lo + r]) * scale
    return _monotone(starts, ends)


def _monotone(starts: list[float], ends: list[float]) -> tuple[list[float], list[float]]:
    """In place: each character starts no earlier than the previous one ended."""
    prev = 0.0
    for j in range(len(starts)):
        if starts[j] < prev:
            starts[j] = prev
        if ends[j] < starts[j]:
            ends[j] = starts[j]
        prev = ends[j]
    return starts, ends


def _rate_prior(
    segments: list[tuple[int, int, int, int]], kinds: list[int], units: list[float]
) -> float:
    """Median time per speaking unit over segments without a pause (ms)."""
    per_unit = []
    for lo, hi, s_ms, e_ms in segments:
        if hi - lo >= 4 and not any(kinds[lo + 1 : hi]):
            n = sum(units[lo:hi])
            if n > 0 and e_ms > s_ms:
                per_unit.append((e_ms - s_ms) / n)
    return statistics.median(per_unit) if len(per_unit) >= 3 else 0.0


def _shift_filler_pauses(
    segments: list[tuple[int, int, int, int]], kinds: list[int], units: list[float]
) -> list[int]:
    """A silent filler (no units) opening a segment: the pause it sits in continues after it,
    inside the segment (the pause before it falls at the segment start and would be lost)."""
    kinds = list(kinds)
    for lo, hi, _s, _e in segments:
        if units[lo] == 0:
            kind = kinds[lo]
            back = lo - 1
            while not kind and back >= 0 and units[back] == 0:
                kind = kinds[back]
                back -= 1
            j = lo
            while j < hi and units[j] == 0:
                j += 1
            if kind and j < hi and not kinds[j]:
                kinds[j] = kind
    return kinds


def _filler_ends(gap: str) -> tuple[int, int]:
    """Length of a known filler word at the start and at the end of a caption gap."""
    head = max((len(f) for f in _FILLERS if gap.startswith(f)), default=0)
    tail = max(
        (len(f) for f in _FILLERS if gap.endswith(f) and len(f) <= len(gap) - head), default=0
    )
    return head, tail


def _gap_layout(
    i0: int, j0: int, i1: int, j1: int, a_kinds: Sequence[int], b: str
) -> tuple[float, float, int, int]:
    """Where the unmatched transcript characters between matches ``(i0, j0)`` and ``(i1, j1)``
    sit among the caption characters between them: character ``r`` of the gap covers caption
    positions ``[offset + r * step, offset + (r + 1) * step)``. A filler word (えー, あの, ...)
    the captions have at an end of the gap where the transcript has a pause is left out of the
    spread; its length at the start and at the end is returned too."""
    gap_a, gap_b = i1 - i0 - 1, j1 - j0 - 1
    head = tail = 0
    if gap_b > 0:
        head, tail = _filler_ends(b[j0 + 1 : j1])
        if head and not (i0 < 0 or i0 + 1 >= len(a_kinds) or a_kinds[i0 + 1] != _NO_PAUSE):
            head = 0
        if tail and not (i1 >= len(a_kinds) or a_kinds[i1] != _NO_PAUSE):
            tail = 0
        if gap_a > 0 and head + tail >= gap_b:
            head = tail = 0
    step = (gap_b - head - tail) / gap_a if gap_a > 0 else 0.0
    return j0 + 1.0 + head, step, head, tail


def _spoken_units(
    a_units: list[float],
    a_kinds: list[int],
    pairs: list[tuple[int, int]],
    b: str,
    b_units: list[float],
) -> tuple[list[float], list[float], list[float]]:
    """Speaking units of each caption character from what the transcript says was spoken, and
    the units of transcript speech the recogniser dropped, per caption position: before the
    pause there (``pre``) or after it (``post``). A matched character takes its transcript
    character's units (the transcript writes long vowels the captions may miss); the
    characters of a substituted stretch share the transcript stretch's units (fillers at its
    ends keep their own); a short dropped stretch adds its units before the next caption
    character."""
    n_b = len(b)
    units = list(b_units)
    pre = [0.0] * n_b
    post = [0.0] * n_b
    bounds = [(-1, -1), *pairs, (len(a_units), n_b)]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        if 0 <= i1 < len(a_units) and j1 < n_b:
            units[j1] = a_units[i1]
        gap_a, gap_b = i1 - i0 - 1, j1 - j0 - 1
        if gap_b > 0:
            _offset, _step, head, tail = _gap_layout(i0, j0, i1, j1, a_kinds, b)
            for j in [*range(j0 + 1, j0 + 1 + head), *range(j1 - tail, j1)]:
                units[j] = 0.0  # a filler said in a pause: part of that pause
            if gap_a > 0 and i0 >= 0 and j1 < n_b:
                lo, hi = j0 + 1 + head, j1 - tail
                said = sum(a_units[i0 + 1 : i1])
                heard = sum(b_units[lo:hi])
                if hi > lo and heard > 0:
                    factor = min(max(said / heard, 0.5), 2.0)
                    for j in range(lo, hi):
                        units[j] = b_units[j] * factor
            continue
        if gap_a <= 0 or j1 >= n_b or i0 < 0:
            continue
        said = sum(a_units[i0 + 1 : i1])
        if gap_a > _MAX_DROPPED_CHARS:
            continue  # a long stretch: more likely not in the audio than missed
        if a_kinds[i0 + 1]:
            post[j1] += said
        else:
            pre[j1] += said
    return units, pre, post


def _model_times(
    cap: _CaptionStream,
    kinds: list[int],
    pause_units: Sequence[float],
    spoken: tuple[list[float], list[float], list[float]],
) -> tuple[list[float], list[float]]:
    """Caption character times from a small Gaussian model: speech between two pauses (a
    breath group) runs at one rate, each segment's duration is its characters' speaking time
    at their group's rate plus the pauses inside it. Rates are estimated jointly (MAP, a few
    coordinate sweeps), then each segment's leftover time goes to its pauses."""
    segments = cap.segments
    r0 = _rate_prior(segments, kinds, [u + p + q for u, p, q in zip(*spoken, strict=True)])
    if r0 <= 0:
        return _caption_times(cap, [pause_units[k] for k in kinds])
    mu = [u * r0 for u in pause_units]
    group, n_groups = _breath_groups(segments, kinds, len(cap.text))
    model = _RateModel(
        segments=segments,
        kinds=kinds,
        spoken=spoken,
        r0=r0,
        mu=mu,
        var_p=[(_PAUSE_CV * m) ** 2 for m in mu],
        group=group,
    )
    model.fit_rates(n_groups)
    return _monotone(*model.place(len(cap.text)))


def _breath_groups(
    segments: list[tuple[int, int, int, int]], kinds: list[int], n: int
) -> tuple[list[int], int]:
    """The breath group of each caption character (a new one after each pause and after a gap
    between segments), and the number of groups."""
    group = [0] * n
    g = -1
    prev_end = None
    for lo, hi, s_ms, e_ms in segments:
        for j in range(lo, hi):
            if j == lo:
                if prev_end is None or s_ms > prev_end + _CONTIGUOUS_MS or kinds[j]:
                    g += 1
            elif kinds[j]:
                g += 1
            group[j] = g
        prev_end = e_ms
    return group, g + 1


@dataclass
class _RateModel:
    """The Gaussian timing model of :func:`_model_times`: one rate per breath group."""

    segments: list[tuple[int, int, int, int]]
    kinds: list[int]
    spoken: tuple[list[float], list[float], list[float]]  # units, dropped before, after
    r0: float  # the file's typical rate (ms per unit)
    mu: list[float]  # typical length of each pause kind, ms
    var_p: list[float]  # its variance
    group: list[int]  # breath group per caption character
    rate: list[float] = field(default_factory=list)
    seg_var: list[float] = field(default_factory=list)

    def fit_rates(self, n_groups: int) -> None:
        """MAP rates by coordinate descent. Per segment: its (group → units) terms, the target
        duration minus its expected pauses, and the target's variance."""
        units, pre, post = self.spoken
        mu, var_p, kinds, group, r0 = self.mu, self.var_p, self.kinds, self.group, self.r0
        var_r = (_RATE_CV * r0) ** 2
        seg_terms: list[dict[int, float]] = []
        seg_target: list[float] = []
        by_group: list[list[tuple[int, float]]] = [[] for _ in range(n_groups)]
        for si, (lo, hi, s_ms, e_ms) in enumerate(self.segments):
            terms: dict[int, float] = {group[lo]: units[lo]}
            for j in range(lo + 1, hi):
                terms[group[j - 1]] = terms.get(group[j - 1], 0.0) + pre[j]
                terms[group[j]] = terms.get(group[j], 0.0) + post[j] + units[j]
            pmu = sum(mu[kinds[j]] for j in range(lo + 1, hi))
            pvar = sum(var_p[kinds[j]] for j in range(lo + 1, hi))
            u_total = sum(terms.values())
            var = pvar + (_UNIT_CV * r0) ** 2 * u_total + 2 * _EDGE_SD_MS**2
            seg_terms.append(terms)
            seg_target.append((e_ms - s_ms) - pmu)
            self.seg_var.append(var)
            for gi, u in terms.items():
                by_group[gi].append((si, u))
        rate = [r0] * n_groups
        pred = [r0 * sum(t.values()) for t in seg_terms]
        order = list(range(n_groups))
        for sweep in range(_SWEEPS):
            for gi in order if sweep % 2 == 0 else reversed(order):
                num = r0 / var_r
                den = 1.0 / var_r
                old = rate[gi]
                for si, u in by_group[gi]:
                    res = seg_target[si] - pred[si] + u * old
                    num += u * res / self.seg_var[si]
                    den += u * u / self.seg_var[si]
                new = max(num / den, 0.2 * r0)
                if new != old:
                    rate[gi] = new
                    for si, u in by_group[gi]:
                        pred[si] += u * (new - old)
        self.rate = rate

    def place(self, n: int) -> tuple[list[float], list[float]]:
        """Each character's start and end: its speech at its group's rate, each segment's
        leftover time shared among its pauses by their variance."""
        starts = [0.0] * n
        ends = [0.0] * n
        for si, (lo, hi, s_ms, e_ms) in enumerate(self.segments):
            t = float(s_ms)
            for r, (gap, speech) in enumerate(self._segment_layout(si, lo, hi, e_ms - s_ms)):
                t += gap
                starts[lo + r] = t
                t += speech
                ends[lo + r] = t
        return starts, ends

    def _segment_layout(self, si: int, lo: int, hi: int, dur: int) -> list[tuple[float, float]]:
        """(time before, speaking time) of each character of one segment, scaled to its span."""
        units, pre, post = self.spoken
        rate, group, kinds, mu, var_p = self.rate, self.group, self.kinds, self.mu, self.var_p
        speech = [units[j] * rate[group[j]] for j in range(lo, hi)]
        before = [0.0] * (hi - lo)  # dropped speech before the pause, then after it
        after = [0.0] * (hi - lo)
        for j in range(lo + 1, hi):
            before[j - lo] = pre[j] * rate[group[j - 1]]
            after[j - lo] = post[j] * rate[group[j]]
        pause = [0.0] * (hi - lo)
        inner = [j for j in range(lo + 1, hi) if kinds[j]]
        talk = sum(speech) + sum(before) + sum(after)
        if inner:
            resid = dur - talk - sum(mu[kinds[j]] for j in inner)
            for j in inner:
                pause[j - lo] = max(0.0, mu[kinds[j]] + var_p[kinds[j]] / self.seg_var[si] * resid)
        total = talk + sum(pause)
        scale = dur / total if total > 0 else 0.0
        if not inner:
            top = max(rate[group[j]] for j in range(lo, hi))
            scale = min(scale, _MAX_UNIT_MS / top) if top > 0 else scale
        return [
            ((before[r] + pause[r] + after[r]) * scale, speech[r] * scale) for r in range(hi - lo)
        ]
