"""Fit a transcript to the speech found in its audio. Pure Python + numpy, no Django.

The audio says *where the pauses are* (:class:`~translator.core.audio.SpeechRegions`); the
transcript says *how much is said* between them (each cue's reading length in morae, from
fugashi's kana readings); rough captions, when given, say roughly *where the words are*.

How it works
------------
1. **Atoms.** The speech regions are cut into atoms of at most ``_PIECE_MS`` of speech. A
   sentence boundary sits between two atoms: at a real pause (the gap between two regions), or,
   at a cost, at a cut inside continuous speech (sentences run together, or the detector bridged
   a short pause). Time is measured on a *speech clock* that only runs while someone speaks,
   so text is spread over speech and never over silence.
2. **Costs** (negative log-likelihoods, in nats):
   - a sentence's speech duration against its expected duration (reading morae x its
     speaker's speaking rate), log-normal, looser for short sentences;
   - every pause inside a sentence costs its length over ``_TAU_INSIDE_MS`` (pauses inside a
     sentence are short); a pause at a sentence boundary costs ``log(tau_b / tau_in) + L /
     tau_b`` instead, with a longer ``tau_b`` where the speaker changes: long pauses are
     sentence and turn boundaries, short ones usually not, and the durations decide;
   - speech before the first sentence or after the last one (an untranscribed intro, music the
     detector took for speech) costs ``_SKIP_PER_S`` per second; speech left out between two
     sentences (an ad, a passage cut from the transcript) ``_SKIP_MID_FIXED`` plus
     ``_SKIP_MID_PER_S`` per second, so it is skipped rather than absorbed by the sentences
     around it;
   - with captions, each sentence's start and end leans towards where the captions put them
     (Gaussian, ``_HINT_SD_MS``, capped so a wrong caption cannot drag a sentence far).
3. **Dynamic programming over the whole episode**: sentence by sentence, the best total cost of
   ending the sentence at each atom boundary, within a band around the expected position.
   Every sentence is placed jointly, so an error in one place does not shift the rest.
4. **Speaking rates** start as the episode's total speech over its total morae, then are
   re-estimated per speaker from the fit (median time per mora of the speaker's sentences) and
   the fit is run again in a narrower band; ``_PASSES`` passes in all.
5. **Cues inside a sentence.** Its commas and cue boundaries are expected pauses; they are
   matched (a small monotone DP) to the pauses detected inside the sentence, which become
   anchors. A cue boundary matched to a pause sits at it; one inside continuous speech is
   placed by counting syllable nuclei (loudness peaks, :func:`.vad.syllable_peaks`) between
   its anchors in proportion to the reading length, else by reading length on the speech
   clock. Caption starts, when given, are weighed in.
6. :func:`apply_timing_rules` runs over the timed cues in order (no overlaps, 2-frame gap,
   5/6 s to 7 s), as for every other kind of timing.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass, field

from translator.core.audio import AudioError, SpeechRegions
from translator.core.timing_rules import TimingRules, apply_timing_rules

_PIECE_MS = 240  # longest atom of continuous speech
_TAU_INSIDE_MS = 110.0  # typical pause inside a sentence
_TAU_SENTENCE_MS = 450.0  # typical pause between sentences of one turn
_TAU_TURN_MS = 650.0  # typical pause where the speaker changes
_CUT_SENTENCE = 3.5  # cost of a sentence boundary inside continuous speech
_CUT_TURN = 5.0  # ... of a turn boundary
_SKIP_PER_S = 1.5  # cost per second of speech left out before the first / after the last
_SKIP_MID_PER_S = 0.5  # ... between two sentences (speech the transcript does not have)
_SKIP_MID_FIXED = 8.0  # ... plus this for leaving anything out there
_HINT_SD_MS = 450.0
_HINT_CAP = 8.0
_DUR_VAR_BASE = 0.03  # log-duration variance of a long sentence
_DUR_VAR_PER_MORA = 0.6  # ... plus this over its morae (short sentences vary more)
_PASSES = 3
_BAND_FIRST_MS = 150_000  # first pass: how far (speech clock) a sentence may be from its prior
_BAND_NEXT_MS = 25_000
_BAND_HINT_MS = 25_000
# Matching expected pauses inside a sentence to detected ones (nats).
_UNMATCHED_COMMA = 2.0
_UNMATCHED_CUT = 0.4
_UNMATCHED_PAUSE = 1.0
_MIN_SYLLABLES = 4  # fewer nuclei than this between anchors: place by reading length
_ONSET_SHARE = 0.4  # a syllable starts this share of the way back to the previous nucleus
_SYLLABLE_SD_MS = 200.0  # uncertainty of a boundary placed by counting nuclei
_MIN_MORAE = 0.5
_BEAM = 40.0  # DP states costing more than the best by this much are dropped
_PROP_SD_SHARE = 0.08  # uncertainty of a cue boundary placed by reading length (share of ...)
_PROP_SD_MS = 100.0  # ... its sentence's speech, plus this)
_SMALL_KANA = frozenset("ァィゥェォャュョヮぁぃぅぇぉゃゅょゎ")
_CLAUSE_MARKS = frozenset("、，,")
_CLAUSE_LENGTHENING = 0.5  # a clause end is said a little slower (phrase-final lengthening)


@dataclass(frozen=True)
class FitCue:
    """One transcript cue, in transcript order. Cues of one sentence share ``sentence`` and are
    consecutive; ``turn`` changes where the speaker does. ``timed=False`` cues (show notes)
    get no time. ``hint_ms``: where rough captions put the cue, if they matched it."""

    key: Hashable
    text: str
    sentence: Hashable
    speaker: str = ""
    turn: Hashable = None
    timed: bool = True
    hint_ms: tuple[int, int] | None = None


@dataclass
class FitReport:
    """What the fit found, for the editor and for the episode's record."""

    duration_ms: int
    speech_ms: int
    regions: int
    sentences: int
    cues: int
    boundaries_at_pause: float  # share of sentence boundaries placed at a real pause
    skipped_start_ms: int  # speech before the first sentence (intro, music taken for speech)
    skipped_end_ms: int
    skipped_inside_ms: int = 0  # speech between sentences left out (not in the transcript)
    morae_per_s: dict[str, float] = field(default_factory=dict)  # per speaker
    caption_hints: int = 0  # cues the captions placed
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        text = (
            f"{self.cues} cues timed to the audio ({self.speech_ms / 1000:.0f} s of speech in "
            f"{self.regions} stretches); {self.boundaries_at_pause:.0%} of sentence boundaries "
            "at a pause"
        )
        if self.caption_hints:
            text += f"; {self.caption_hints} cues also placed by the captions"
        return text + "."


@dataclass
class FitResult:
    times: dict[Hashable, tuple[int, int]]
    report: FitReport


# --------------------------------------------------------------------------- reading length

_MORAE_CACHE: dict[str, float] = {}


def kana_morae(kana: str) -> float:
    """Morae in a katakana/hiragana reading: small kana merge with the previous one; ッ, ン and
    ー count as one."""
    return float(sum(1 for ch in kana if ch not in _SMALL_KANA and not ch.isspace()))


def reading_morae(text: str) -> float:
    """Speaking length of ``text`` in morae, from fugashi's kana readings. Words without a
    reading count by characters (a Latin letter or digit about one mora); punctuation and
    symbols take no time."""
    cached = _MORAE_CACHE.get(text)
    if cached is not None:
        return cached
    from translator.core.morph import tokenize

    total = 0.0
    for token in tokenize(text):
        if token.kana:
            total += kana_morae(token.kana)
        else:
            total += _latin_morae(token.surface)
        if token.surface in _CLAUSE_MARKS:
            total += _CLAUSE_LENGTHENING
    if len(_MORAE_CACHE) < 200_000:
        _MORAE_CACHE[text] = total
    return total


def _latin_morae(surface: str) -> float:
    """A word without a kana reading: an acronym is spelled out (SNS: エスエヌエス), another
    Latin word said the Japanese way (git: ギット), about 0.6 morae a letter plus one; digits
    about one mora each."""
    total = 0.0
    for word in re.findall(r"[A-Za-z]+|[0-9]+|[^\W_]+", surface):
        if word.isascii() and word.isalpha():
            total += 2.0 * len(word) if word.isupper() and len(word) <= 4 else 0.6 * len(word) + 1
        elif word.isdigit():
            total += _number_morae(word)
        else:
            total += len(word)
    return total


_DIGIT_MORAE = {"0": 2, "1": 2, "2": 1, "3": 2, "4": 2, "5": 1, "6": 2, "7": 2, "8": 2, "9": 2}


def _number_morae(digits: str) -> float:
    """Morae of a number said in Japanese: 27 is ニジュウナナ, 2016 ニセンジュウロク; a long
    digit string (a phone number) is read digit by digit."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > 8:
        return float(sum(_DIGIT_MORAE[d] for d in digits))
    total = 0.0
    for group, unit in ((digits[:-4], 2.0), (digits[-4:], 0.0)):  # 万 (マン) groups
        if not group or int(group) == 0:
            continue
        for pos, d in enumerate(reversed(group)):
            if d == "0":
                continue
            if pos == 0:
                total += _DIGIT_MORAE[d]
            else:
                total += 2.0 + (0 if d == "1" else _DIGIT_MORAE[d])  # ジュウ/ヒャク/セン
        total += unit
    return total or 2.0


# --------------------------------------------------------------------------- atoms


@dataclass
class _Atoms:
    speech: list[float]  # S[b]: speech clock at boundary b (b = 0..M)
    after: list[int]  # clock time where speech resumes after boundary b
    before: list[int]  # clock time where speech stops before boundary b
    gap: list[int]  # pause length at boundary b (0 at a cut and at both ends)
    cut: list[bool]  # boundary b is a cut inside continuous speech
    starts: list[int]  # atom start times (for speech clock -> time)


def _atoms(regions: Sequence[tuple[int, int]]) -> _Atoms:
    pieces: list[tuple[int, int, bool]] = []  # (start, end, starts after a cut)
    for start, end in regions:
        n = max(1, math.ceil((end - start) / _PIECE_MS))
        for k in range(n):
            a = start + (end - start) * k // n
            b = start + (end - start) * (k + 1) // n
            pieces.append((a, b, k > 0))
    speech = [0.0]
    for a, b, _cut in pieces:
        speech.append(speech[-1] + (b - a))
    m = len(pieces)
    after = [pieces[b][0] if b < m else pieces[-1][1] for b in range(m + 1)]
    before = [pieces[b - 1][1] if b > 0 else pieces[0][0] for b in range(m + 1)]
    gap = [0] + [max(0, pieces[b][0] - pieces[b - 1][1]) for b in range(1, m)] + [0]
    cut = [False] + [pieces[b][2] for b in range(1, m)] + [False]
    return _Atoms(speech, after, before, gap, cut, [p[0] for p in pieces])


def _clock_to_time(atoms: _Atoms, s: float) -> int:
    """Time at speech clock ``s`` (inside an atom; at a boundary, where speech resumes)."""
    b = bisect.bisect_right(atoms.speech, s) - 1
    b = min(max(b, 0), len(atoms.starts) - 1)
    return int(round(atoms.starts[b] + (s - atoms.speech[b])))


def _time_to_clock(atoms: _Atoms, t: float) -> float:
    b = bisect.bisect_right(atoms.starts, t) - 1
    if b < 0:
        return 0.0
    length = atoms.speech[b + 1] - atoms.speech[b]
    return atoms.speech[b] + min(max(0.0, t - atoms.starts[b]), length)


# --------------------------------------------------------------------------- the fit


@dataclass
class _Sentence:
    cues: list[int]  # indices into the timed cue list
    morae: float
    speaker: str
    turn_start: bool  # the speaker changes at its start
    hint_start: int | None
    hint_end: int | None


def _boundary_costs(atoms: _Atoms, tau_b: float, cut_cost: float):
    import numpy as np

    gap = np.asarray(atoms.gap, dtype=np.float64)
    cut = np.asarray(atoms.cut, dtype=bool)
    cost = math.log(tau_b / _TAU_INSIDE_MS) + gap / tau_b
    cost[cut] = cut_cost
    cost[0] = cost[-1] = 0.0
    return cost


def _dp(
    atoms: _Atoms,
    sentences: list[_Sentence],
    rates: dict[str, float],
    prior: list[tuple[float, float]],
    band_ms: float,
) -> tuple[list[tuple[int, int]], float]:
    """Best ``(start, end)`` boundary of each sentence (sentence j spans atoms start..end-1);
    a sentence starts where the previous one ends, or later when speech is left out."""
    lattice = _Lattice(atoms, prior, band_ms)
    row_idx, row_cost = lattice.first_starts(sentences[0])
    back: list[tuple[object, object]] = []  # per sentence: (end indices, their start)
    start_back: list[tuple[object, object]] = []  # next start -> this sentence's end
    n = len(sentences)
    for j, sent in enumerate(sentences):
        end_idx, end_cost, end_start = lattice.ends(j, sent, rates, row_idx, row_cost)
        back.append((end_idx, end_start))
        if j + 1 == n:
            left = lattice.total_speech - lattice.S[end_idx]  # speech after the last sentence
            row_idx, row_cost = end_idx, end_cost + left * lattice.skip
            break
        row_idx, row_cost, origin = lattice.next_starts(j + 1, sentences[j + 1], end_idx, end_cost)
        start_back.append((row_idx, origin))
    return _backtrack(row_idx, row_cost, back, start_back)


def _backtrack(row_idx, row_cost, back, start_back) -> tuple[list[tuple[int, int]], float]:
    import numpy as np

    best = int(np.argmin(row_cost))
    total = float(row_cost[best])
    spans: list[tuple[int, int]] = []
    end = int(row_idx[best])
    for j in range(len(back) - 1, -1, -1):
        ends, sts = back[j]
        start = int(sts[int(np.searchsorted(ends, end))])
        spans.append((start, end))
        if j:
            targets, origins = start_back[j - 1]
            end = int(origins[int(np.searchsorted(targets, start))])
    spans.reverse()
    return spans, total


class _Lattice:
    """The arrays :func:`_dp` works on: speech clock, pause costs and the band around the
    prior where each boundary may fall."""

    big = 1e18

    def __init__(self, atoms: _Atoms, prior: list[tuple[float, float]], band_ms: float) -> None:
        import numpy as np

        self.prior, self.band_ms = prior, band_ms
        self.S = np.asarray(atoms.speech, dtype=np.float64)
        self.after = np.asarray(atoms.after, dtype=np.float64)
        self.before = np.asarray(atoms.before, dtype=np.float64)
        self.n_b = len(self.S)
        inside = np.asarray(atoms.gap, dtype=np.float64) / _TAU_INSIDE_MS
        inside[0] = inside[-1] = 0.0
        self.inside_prefix = np.concatenate([[0.0], np.cumsum(inside)])  # inside[1..b] = P[b+1]
        self.b_sentence = _boundary_costs(atoms, _TAU_SENTENCE_MS, _CUT_SENTENCE)
        self.b_turn = _boundary_costs(atoms, _TAU_TURN_MS, _CUT_TURN)
        self.skip = _SKIP_PER_S / 1000.0
        self.skip_mid = _SKIP_MID_PER_S / 1000.0
        self.total_speech = self.S[-1]

    def window(self, center: float) -> tuple[int, int]:
        import numpy as np

        lo = int(np.searchsorted(self.S, center - self.band_ms, "left"))
        hi = int(np.searchsorted(self.S, center + self.band_ms, "right"))
        return max(0, lo), min(self.n_b - 1, max(hi, lo))

    def _hint_cost(self, clock, hint: int):
        import numpy as np

        return np.minimum(((clock - hint) / _HINT_SD_MS) ** 2 / 2, _HINT_CAP)

    def first_starts(self, first: _Sentence):
        """Row 0: where the first sentence may start, and at what cost."""
        import numpy as np

        lo0, hi0 = self.window(self.prior[0][0])
        idx = np.arange(lo0, hi0 + 1)
        cost = self.S[idx] * self.skip
        if first.hint_start is not None:
            cost = cost + self._hint_cost(self.after[idx], first.hint_start)
        return idx, cost

    def ends(self, j: int, sent: _Sentence, rates: dict[str, float], row_idx, row_cost):
        """The best cost of sentence ``j`` ending at each atom boundary, and its start."""
        import numpy as np

        S, n_b = self.S, self.n_b
        expected = max(sent.morae, _MIN_MORAE) * rates[sent.speaker]
        var = _DUR_VAR_BASE + _DUR_VAR_PER_MORA / max(sent.morae, 1.0)
        d_min, d_max = expected / 4.0, expected * 4.0 + 1500.0
        ok = row_cost < self.big / 2
        starts, base = row_idx[ok], row_cost[ok]
        if starts.size == 0:
            raise _misfit()
        e_lo = np.maximum(np.searchsorted(S, S[starts] + d_min, "left"), starts + 1)
        e_hi = np.minimum(np.searchsorted(S, S[starts] + d_max, "right"), n_b)
        e_lo_w, e_hi_w = self.window(self.prior[j][1])
        e_lo = np.maximum(e_lo, e_lo_w)
        e_hi = np.minimum(e_hi, e_hi_w + 1)
        counts = np.maximum(e_hi - e_lo, 0)
        if counts.sum() == 0:
            # Nothing in the band: allow the shortest span from every start.
            e_lo = np.minimum(starts + 1, n_b - 1)
            counts = (starts + 1 <= n_b - 1).astype(np.int64)
        pair_start = np.repeat(starts, counts)
        pair_base = np.repeat(base, counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        pair_end = np.repeat(e_lo, counts) + offsets
        dur = S[pair_end] - S[pair_start]
        c = pair_base + np.log(np.maximum(dur, 1.0) / expected) ** 2 / (2 * var)
        c += self.inside_prefix[pair_end] - self.inside_prefix[pair_start + 1]  # pauses inside
        if sent.hint_end is not None:
            c += self._hint_cost(self.before[pair_end], sent.hint_end)
        order = np.lexsort((c, pair_end))
        pe = pair_end[order]
        keep = np.ones(pe.size, dtype=bool)
        keep[1:] = pe[1:] != pe[:-1]
        sel = order[keep]
        if sel.size == 0:
            raise _misfit()
        return pair_end[sel], c[sel], pair_start[sel]

    def next_starts(self, j: int, nxt: _Sentence, end_idx, end_cost):
        """Where sentence ``j`` starts: where the previous one ends (at the boundary between
        them), or, at a cost per second, after speech the transcript does not have (an ad, a
        cut). The beam of starts, their costs and the previous sentence's end for each."""
        import numpy as np

        big, S = self.big, self.S
        bcost = self.b_turn if nxt.turn_start else self.b_sentence
        lo_t, hi_t = self.window(self.prior[j][0])
        lo_t = max(lo_t, int(end_idx[0]))
        targets = np.arange(lo_t, hi_t + 1)
        direct = np.full(targets.size, big)
        at = end_idx - lo_t
        inside_t = (at >= 0) & (at < targets.size)
        direct[at[inside_t]] = end_cost[inside_t]
        origin = targets.copy()
        start_cost = direct
        if targets.size:
            # Best end strictly before each target, by cost - rate * speech clock.
            key = end_cost - self.skip_mid * S[end_idx]
            run_min = np.minimum.accumulate(key)
            run_arg = _running_argmin(key)
            before_t = np.searchsorted(end_idx, targets, "left") - 1
            has = before_t >= 0
            skipped = np.full(targets.size, big)
            skipped[has] = (
                run_min[before_t[has]] + self.skip_mid * S[targets[has]] + _SKIP_MID_FIXED
            )
            use = skipped < direct
            start_cost = np.where(use, skipped, direct)
            origin = np.where(use & has, end_idx[run_arg[np.maximum(before_t, 0)]], targets)
        start_cost = start_cost + bcost[targets]
        if nxt.hint_start is not None:
            start_cost += self._hint_cost(self.after[targets], nxt.hint_start)
        finite = start_cost < big / 2
        if not finite.any():
            raise _misfit()
        beam = finite & (start_cost <= start_cost[finite].min() + _BEAM)
        return targets[beam], start_cost[beam], origin[beam]


def _running_argmin(values):
    """Index of the running minimum of ``values`` at each position."""
    import numpy as np

    idx = np.arange(values.size)
    is_new = np.empty(values.size, dtype=bool)
    if values.size:
        run = np.minimum.accumulate(values)
        is_new[0] = True
        is_new[1:] = values[1:] < run[:-1]
    return np.maximum.accumulate(np.where(is_new, idx, 0))


def _misfit() -> AudioError:
    return AudioError(
        "the transcript does not fit the speech in the audio (it has far more text than the "
        "audio has speech, or the audio belongs to another episode)"
    )


def _prior_from_rates(
    atoms: _Atoms, sentences: list[_Sentence], rates: dict[str, float]
) -> list[tuple[float, float]]:
    """Expected (start, end) of each sentence on the speech clock, scaled to the speech."""
    lengths = [max(s.morae, _MIN_MORAE) * rates[s.speaker] for s in sentences]
    total = sum(lengths) or 1.0
    scale = atoms.speech[-1] / total
    out, pos = [], 0.0
    for length in lengths:
        out.append((pos * scale, (pos + length) * scale))
        pos += length
    return out


def _prior_with_hints(
    atoms: _Atoms, sentences: list[_Sentence], base: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Where captions placed a sentence, centre its band there."""
    out = []
    for s, (a, b) in zip(sentences, base, strict=True):
        if s.hint_start is not None:
            a = _time_to_clock(atoms, s.hint_start)
        if s.hint_end is not None:
            b = _time_to_clock(atoms, s.hint_end)
        out.append((a, max(a, b)))
    return out


def _sentences(timed: list[FitCue], cue_morae: list[float]) -> tuple[list[_Sentence], int]:
    """Sentences (consecutive cues sharing a sentence id) with their reading length and
    caption hints, and how many cues carry a hint."""
    sentences: list[_Sentence] = []
    prev_sentence: object = object()
    prev_turn: object = object()
    for i, cue in enumerate(timed):
        if cue.sentence != prev_sentence or not sentences:
            sentences.append(
                _Sentence(
                    [], 0.0, cue.speaker, bool(sentences) and cue.turn != prev_turn, None, None
                )
            )
        s = sentences[-1]
        s.cues.append(i)
        s.morae += cue_morae[i]
        prev_sentence, prev_turn = cue.sentence, cue.turn
    hints = 0
    for s in sentences:
        first, last = timed[s.cues[0]], timed[s.cues[-1]]
        if first.hint_ms is not None:
            s.hint_start = first.hint_ms[0]
        if last.hint_ms is not None and s is sentences[-1]:
            # Only the last sentence's end: other ends lean on the next start (a caption
            # cue's end is stretched by the timing rules, its start is not).
            s.hint_end = last.hint_ms[1]
        hints += sum(1 for i in s.cues if timed[i].hint_ms is not None)
    return sentences, hints


def _fit_report(
    speech: SpeechRegions,
    n_regions: int,
    atoms: _Atoms,
    sentences: list[_Sentence],
    placed: list[tuple[int, int]],
    rates: dict[str, float],
    hints: int,
) -> FitReport:
    """What the fit found: boundaries at pauses, speech left out, speaking rates, warnings."""
    inner = [a for a, _b in placed[1:]]
    at_pause = sum(1 for b in inner if atoms.gap[b] > 0)
    warnings = []
    speeds = {sp: 1000.0 / r for sp, r in rates.items()}
    odd = [sp or "(no speaker)" for sp, v in speeds.items() if not 3.0 <= v <= 14.0]
    if odd:
        warnings.append(
            f"unusual speaking rate for {', '.join(odd)}: check that the audio and the "
            "transcript are the same episode"
        )
    skipped_start = int(atoms.speech[placed[0][0]])
    skipped_end = int(atoms.speech[-1] - atoms.speech[placed[-1][1]])
    skipped_mid = int(
        sum(
            atoms.speech[placed[j + 1][0]] - atoms.speech[placed[j][1]]
            for j in range(len(placed) - 1)
        )
    )
    if skipped_start + skipped_end + skipped_mid > 0.2 * atoms.speech[-1]:
        warnings.append(
            f"{(skipped_start + skipped_end + skipped_mid) / 1000:.0f} s of the audio's speech "
            "is not in the transcript"
        )
    return FitReport(
        duration_ms=speech.duration_ms,
        speech_ms=int(atoms.speech[-1]),
        regions=n_regions,
        sentences=len(sentences),
        cues=sum(len(s.cues) for s in sentences),
        boundaries_at_pause=round(at_pause / len(inner), 4) if inner else 1.0,
        skipped_start_ms=skipped_start,
        skipped_end_ms=skipped_end,
        skipped_inside_ms=skipped_mid,
        morae_per_s={sp: round(v, 2) for sp, v in speeds.items()},
        caption_hints=hints,
        warnings=warnings,
    )


def fit_transcript(
    cues: Sequence[FitCue],
    speech: SpeechRegions,
    *,
    rules: TimingRules | None = None,
) -> FitResult:
    """Time each timed cue on the speech of ``speech`` (see the module docstring).

    Raises :class:`AudioError` when the audio has no speech or the transcript cannot be placed
    on it. Never drops or reorders cues; ``timed=False`` cues get no time."""
    keys = [c.key for c in cues]
    if len(set(keys)) != len(keys):
        raise ValueError("fit_transcript: cue keys must be unique")
    regions = [(int(a), int(b)) for a, b in speech.regions if b > a]
    if not regions:
        raise AudioError("no speech found in the audio")
    timed = [c for c in cues if c.timed]
    if not timed:
        return FitResult({}, _empty_report(speech, len(regions)))
    atoms = _atoms(regions)

    cue_morae = [reading_morae(c.text) for c in timed]
    sentences, hints = _sentences(timed, cue_morae)
    total_morae = sum(max(s.morae, _MIN_MORAE) for s in sentences)
    global_rate = atoms.speech[-1] / total_morae  # ms per mora
    rates = {s.speaker: global_rate for s in sentences}
    prior = _prior_from_rates(atoms, sentences, rates)
    band = _BAND_FIRST_MS
    if hints:
        prior = _prior_with_hints(atoms, sentences, prior)
        band = max(_BAND_HINT_MS, band if hints < len(timed) / 2 else _BAND_HINT_MS)
    placed: list[tuple[int, int]] = []
    for _pass in range(_PASSES):
        placed, _cost = _dp(atoms, sentences, rates, prior, band)
        rates = _speaker_rates(atoms, sentences, placed, global_rate)
        prior = [(atoms.speech[a], atoms.speech[b]) for a, b in placed]
        band = _BAND_NEXT_MS

    cue_hints = [None if c.hint_ms is None else c.hint_ms[0] for c in timed]
    raw = _cue_spans(
        atoms, sentences, placed, [c.text for c in timed], cue_morae, cue_hints, speech.syllables
    )
    shown = apply_timing_rules(raw, rules)
    times = {timed[i].key: shown[i] for i in range(len(timed))}

    report = _fit_report(speech, len(regions), atoms, sentences, placed, rates, hints)
    return FitResult(times, report)


def _speaker_rates(
    atoms: _Atoms, sentences: list[_Sentence], spans: list[tuple[int, int]], fallback: float
) -> dict[str, float]:
    """Median ms per mora of each speaker's sentences in the fit (sentences of 6+ morae)."""
    per: dict[str, list[float]] = {}
    for j, s in enumerate(sentences):
        if s.morae >= 6:
            d = atoms.speech[spans[j][1]] - atoms.speech[spans[j][0]]
            per.setdefault(s.speaker, []).append(d / s.morae)
    out = {}
    for s in sentences:
        values = per.get(s.speaker, [])
        out[s.speaker] = statistics.median(values) if len(values) >= 3 else fallback
    return out


def clause_marks(text: str) -> list[float]:
    """Reading-length offsets (morae from the start of ``text``) of its clause marks (、),
    where a speaker often pauses."""
    from translator.core.morph import tokenize

    out, pos = [], 0.0
    for token in tokenize(text):
        if token.kana:
            pos += kana_morae(token.kana)
        else:
            pos += _latin_morae(token.surface)
        if token.surface in _CLAUSE_MARKS:
            pos += _CLAUSE_LENGTHENING
            out.append(pos)
    return out


def _match_pauses(
    points: list[tuple[float, bool]], gaps: list[tuple[float, int]], sd: float
) -> dict[int, int]:
    """Match expected pause points ``(speech clock, at a comma)`` to detected pauses ``(speech
    clock, length ms)`` inside one sentence, monotonically, at least cost: a match costs its
    squared distance; an unmatched comma costs more than an unmatched bare cue boundary; an
    unmatched pause costs by its length. Returns point index -> gap index."""
    n, m = len(points), len(gaps)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for k in range(m + 1):
            c = cost[i][k]
            if c == inf:
                continue
            if i < n:  # point unmatched
                skip = _UNMATCHED_COMMA if points[i][1] else _UNMATCHED_CUT
                if c + skip < cost[i + 1][k]:
                    cost[i + 1][k], move[i + 1][k] = c + skip, 1
            if k < m:  # pause unmatched
                extra = _UNMATCHED_PAUSE + gaps[k][1] / _TAU_SENTENCE_MS
                if c + extra < cost[i][k + 1]:
                    cost[i][k + 1], move[i][k + 1] = c + extra, 2
            if i < n and k < m:
                d = (points[i][0] - gaps[k][0]) / sd
                cm = c + min(d * d / 2, 50.0)
                if cm < cost[i + 1][k + 1]:
                    cost[i + 1][k + 1], move[i + 1][k + 1] = cm, 3
    out: dict[int, int] = {}
    i, k = n, m
    while i or k:
        mv = move[i][k]
        if mv == 3:
            out[i - 1] = k - 1
            i, k = i - 1, k - 1
        elif mv == 1:
            i -= 1
        else:
            k -= 1
    return out


def _by_syllables(
    atoms: _Atoms,
    syllables: Sequence[int],
    anchors: list[tuple[float, float]],
    pos: float,
    fallback: int | None,
) -> int | None:
    """A cue boundary inside continuous speech, placed by counting syllable nuclei: between
    the two anchors around it (sentence edges, matched pauses), the boundary after a share of
    the reading length falls after the same share of the nuclei, just before the next one."""
    for (m0, c0), (m1, c1) in zip(anchors, anchors[1:], strict=False):
        if m0 <= pos <= m1 and m1 > m0:
            t0, t1 = _clock_to_time(atoms, c0), _clock_to_time(atoms, c1)
            lo = bisect.bisect_left(syllables, t0)
            hi = bisect.bisect_left(syllables, t1)
            count = hi - lo
            if count < _MIN_SYLLABLES:
                return fallback
            k = lo + int(round((pos - m0) / (m1 - m0) * count))
            if k <= lo or k >= hi:
                return fallback
            prev, nxt = syllables[k - 1], syllables[k]
            return int(nxt - _ONSET_SHARE * (nxt - prev))
    return fallback


def _pause_points(
    s: _Sentence, cue_texts: list[str], cue_morae: list[float]
) -> list[tuple[float, bool, int | None]]:
    """Expected pause points of a sentence: every comma, and every cue boundary, as
    (reading length, is a comma, cue k before the boundary)."""
    weights = [max(cue_morae[i], 0.25) for i in s.cues]
    points: list[tuple[float, bool, int | None]] = []
    acc = 0.0
    for k, i in enumerate(s.cues):
        marks = clause_marks(cue_texts[i]) if weights[k] > 0.25 else []
        ends_with_mark = bool(marks) and marks[-1] >= cue_morae[i] - 1e-6
        for mark in marks[:-1] if ends_with_mark else marks:
            points.append((acc + mark, True, None))
        acc += weights[k]
        if k < len(s.cues) - 1:
            points.append((acc, ends_with_mark, k))
    return points


def _predicted_clock(
    atoms: _Atoms,
    s: _Sentence,
    points: list[tuple[float, bool, int | None]],
    clock_span: tuple[float, float],
    total: float,
    cue_hints: list[int | None],
) -> list[float]:
    """Where on the speech clock each point is expected: by reading length, pulled towards a
    caption hint of the cue after a boundary."""
    s0, s1 = clock_span
    scale = (s1 - s0) / total
    predicted = [s0 + pos * scale for pos, _c, _k in points]
    for p_i, (_pos, _comma, k) in enumerate(points):
        hint = cue_hints[s.cues[k + 1]] if k is not None else None
        if hint is not None:
            sd_prop = _PROP_SD_SHARE * (s1 - s0) + _PROP_SD_MS
            at = min(max(_time_to_clock(atoms, hint), s0), s1)
            w_prop, w_hint = 1 / sd_prop**2, 1 / _HINT_SD_MS**2
            predicted[p_i] = (predicted[p_i] * w_prop + at * w_hint) / (w_prop + w_hint)
    return predicted


def _cue_spans(
    atoms: _Atoms,
    sentences: list[_Sentence],
    sentence_spans: list[tuple[int, int]],
    cue_texts: list[str],
    cue_morae: list[float],
    cue_hints: list[int | None],
    syllables: list[int] = (),  # type: ignore[assignment]
) -> list[tuple[int, int]]:
    """Cue times inside each sentence: the sentence's speech shared by reading length, with
    its commas and cue boundaries matched to the pauses detected inside it (anchors of a
    piecewise-linear map from reading length to speech clock)."""
    spans: list[tuple[int, int]] = []
    for j, s in enumerate(sentences):
        b0, b1 = sentence_spans[j]
        s0, s1 = atoms.speech[b0], atoms.speech[b1]
        start_t, end_t = atoms.after[b0], atoms.before[b1]
        if len(s.cues) == 1:
            spans.append((start_t, end_t))
            continue
        total = sum(max(cue_morae[i], 0.25) for i in s.cues)
        points = _pause_points(s, cue_texts, cue_morae)
        predicted = _predicted_clock(atoms, s, points, (s0, s1), total, cue_hints)
        inner = [b for b in range(b0 + 1, b1) if atoms.gap[b] > 0]
        sd = _PROP_SD_SHARE * (s1 - s0) + _PROP_SD_MS
        matched = _match_pauses(
            [(predicted[p], points[p][1]) for p in range(len(points))],
            [(atoms.speech[b], atoms.gap[b]) for b in inner],
            sd,
        )
        # Anchors of reading length -> speech clock.
        anchors = [(0.0, s0)]
        for p_i, g in sorted(matched.items()):
            anchors.append((points[p_i][0], atoms.speech[inner[g]]))
        anchors.append((total, s1))

        def to_clock(pos: float, anchors=anchors) -> float:
            for (m0, c0), (m1, c1) in zip(anchors, anchors[1:], strict=False):
                if pos <= m1:
                    return c0 + (c1 - c0) * (pos - m0) / (m1 - m0) if m1 > m0 else c1
            return anchors[-1][1]

        cuts: list[tuple[int, int]] = []
        for p_i, (pos, _comma, k) in enumerate(points):
            if k is None:
                continue
            if p_i in matched:
                b = inner[matched[p_i]]
                cuts.append((atoms.before[b], atoms.after[b]))
                continue
            clock = to_clock(pos)
            t = _clock_to_time(atoms, min(max(clock, s0), s1))
            by_syllables = (
                _by_syllables(atoms, syllables, anchors, pos, None) if syllables else None
            )
            hint = cue_hints[s.cues[k + 1]]
            if by_syllables is not None:
                t = by_syllables
                if hint is not None:  # captions too: a little weight to where they put it
                    w_syl, w_hint = 1 / _SYLLABLE_SD_MS**2, 1 / _HINT_SD_MS**2
                    t = int((t * w_syl + hint * w_hint) / (w_syl + w_hint))
            elif hint is not None:
                clock = predicted[p_i] if not matched else (clock + predicted[p_i]) / 2
                t = _clock_to_time(atoms, min(max(clock, s0), s1))
            cuts.append((t, t))
        edges = [start_t, *[c for pair in cuts for c in pair], end_t]
        for k in range(len(s.cues)):
            a, b = edges[2 * k], edges[2 * k + 1]
            a = max(a, spans[-1][1]) if k else a
            spans.append((int(a), int(max(a, b))))
    return spans


def _empty_report(speech: SpeechRegions, n_regions: int) -> FitReport:
    return FitReport(
        duration_ms=speech.duration_ms,
        speech_ms=speech.speech_ms,
        regions=n_regions,
        sentences=0,
        cues=0,
        boundaries_at_pause=1.0,
        skipped_start_ms=0,
        skipped_end_ms=0,
    )
