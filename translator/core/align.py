"""Transfer the timing of rough timed captions onto a clean transcript.

Pure Python, no Django. The caller hands in the transcript's cues (text in transcript order) and
the caption file's events as :class:`TimedLine`; it gets back a time span per cue, how each span
was found, and a coverage report.

How it works
------------
1. **Normalise** both sides for matching (:func:`_normalize`): NFKC per character (full/half
   width, compatibility kanji, half-width kana with their voiced marks recomposed), katakana
   folded to hiragana, lower case, and everything that is not a letter or digit dropped
   (punctuation, spaces, symbols, the long-vowel mark ``ー``). Each normalised character keeps the
   offset of the character it came from, so results map back to (cue, offset) and
   (caption line, offset).
2. **Clean the captions** (:func:`_caption_stream`): sort by start; turn ``\\N`` into a space;
   strip VTT ``<c>``-style and ASS ``{...}`` tags; read inline ``<00:00:01.000>`` timestamps as time
   knots inside the line. YouTube auto-captions roll: every event repeats the tail of the previous
   one. When a file looks rolling (at least 30% of its events start with 4+ characters that end
   the text so far) the repeated prefix of each event is dropped, so each character appears once
   and keeps the time of the event where it *first* appeared - that is when it was spoken; later
   events only keep it on screen.
3. **Align** the two normalised strings (:func:`_match`), patience-diff style: anchors are k-grams
   that occur exactly once in both ranges; keep the longest chain increasing in both (LIS,
   O(m log m)); recurse into the gaps between anchors with the same rule (uniqueness re-checked
   inside the smaller range, k from 6 down to 2). Gaps whose two sides multiply to at most
   ``_SMALL_GAP`` are filled with :class:`difflib.SequenceMatcher`, keeping blocks of two or more
   characters and single characters only near the diagonal (a right character between two
   recognition errors). Gaps too large for that and without any anchor stay unmatched. Every
   level is linear in its range and ranges shrink fast, so the whole is near-linear (a one-hour
   episode, 20k characters a side, aligns in about 0.1 s; see bench/bench_align.py).
4. **Caption character times** (:func:`_model_times`). Each caption line (or the stretch between
   two inline timestamps: a *segment*) holds speech and the pauses inside it; only its start and
   end are known. What was said comes from the transcript (:func:`_spoken_units`): a matched
   character takes its transcript character's speaking length in morae (a kanji ~1.7, a small
   kana 0.4, a Latin letter 1.3, a long-vowel mark ー one more), a substituted stretch shares
   the transcript stretch's length, a few transcript characters the recogniser dropped still
   take their time inside the line, and a known filler (えー, あの, まあ...) said at a
   transcript pause counts as part of that pause. Pauses sit where the transcript has a
   sentence end (。？！), a clause mark (、…) or a cue boundary (quotes, brackets, ー and
   spaces between Latin words are not pauses), or where the recogniser wrote punctuation or a
   space. Each kind's typical length is estimated from the file itself
   (:func:`_estimate_pause_units`: median time per unit over segments without a pause, then
   the median extra time of segments with one kind). Then a small Gaussian model: speech
   between two pauses (a breath group, possibly over several contiguous lines) runs at one
   rate; every segment's duration is its speech at its groups' rates plus its pauses. The
   rates are estimated jointly (maximum a posteriori, a few coordinate-descent sweeps; a group
   seen in a pause-free line is pinned by it, others lean on the file's median rate), and each
   segment's leftover time is shared among its pauses by their expected variance. A character
   in a pause-free segment never takes more than ``_MAX_UNIT_MS`` per unit (a word followed by
   silence up to the next timestamp is not stretched). Lines with a pause whose groups are
   seen nowhere else keep an irreducible uncertainty: plain-line captions reach ~97% of cues
   within 300 ms on the test material, word-timed ones about the same.
5. **Transcript character times** (:func:`_char_times`): a matched character takes its caption
   character's span. Unmatched characters between two matches are spread over the caption
   characters between those matches (so pauses between caption lines stay where they are), or,
   when there are none (words the recogniser dropped), placed next to the speech they belong to
   with the silence at the transcript's pause. Before the first / after the last match the
   caption file's start / end act as neighbours. A cue runs from its first character's start to
   its last character's end; it is ``"aligned"`` when at least half of its characters matched,
   otherwise ``"interpolated"`` (the service flags those as estimated).
6. :func:`apply_timing_rules` runs over the timed cues in transcript order (no overlaps, 2-frame
   gap, 5/6 s to 7 s). Cues are never dropped or reordered; ``timed=False`` cues (show notes) are
   skipped and get no time.
"""

from __future__ import annotations

import bisect
import difflib
import re
import statistics
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from translator.core.errors import InputError
from translator.core.timing_rules import TimingRules, apply_timing_rules
from translator.core.types import TimedLine

Method = Literal["aligned", "interpolated"]

# A cue is "aligned" when at least this share of its normalised characters matched.
MIN_ALIGNED_SHARE = 0.5
# Anchor lengths tried in each range, longest first.
_ANCHOR_LENGTHS = (6, 4, 3, 2)
# Gaps with len(a) * len(b) up to this are filled with difflib directly.
_SMALL_GAP = 4096
# Gaps without anchors are still tried with difflib up to this size; beyond, left unmatched.
_LARGE_GAP = 40_000
# Rolling-caption detection: overlap length that counts, and share of events that must have it.
_ROLLING_MIN_OVERLAP = 4
_ROLLING_MIN_SHARE = 0.3
# Only the last this-many normalised characters are searched for a rolling overlap.
_ROLLING_TAIL_CHARS = 200
_EXCERPT_CHARS = 60
# Silence assumed before a character when spreading a caption line's span over its
# characters: after a sentence end in the transcript (_SENTENCE), at a cue boundary or clause
# mark, or where the recogniser put a space or punctuation (_CLAUSE).
# The weights are estimated from the captions themselves (:func:`_estimate_pause_units`);
# these are the fallbacks, in character units.
_SENTENCE_PAUSE = 4.0
_CLAUSE_PAUSE = 1.0
_ASR_PAUSE = 0.5
_NO_PAUSE, _CLAUSE, _SENTENCE, _ASR_MARK = 0, 1, 2, 3
# Longest time one character (or pause unit) may take when spreading a span over characters.
_MAX_UNIT_MS = 400.0
# Timing model inside a caption segment (_model_times). Spreads, as a share of the typical value:
# speaking rate between breath groups, one pause's length, one character's speaking time.
# Generic guesses, not fitted: results change by under a point between half and double.
_RATE_CV = 0.15
_PAUSE_CV = 0.5
_UNIT_CV = 0.3
_EDGE_SD_MS = 30.0  # uncertainty of a segment's own start / end time
_SWEEPS = 4  # coordinate-descent sweeps over the breath-group rates
_CONTIGUOUS_MS = 40  # segments closer than this continue the same breath group
# A transcript stretch missing from the captions up to this long was spoken (its time is in the
# caption line); a longer one is more likely absent from the audio.
_MAX_DROPPED_CHARS = 4
# Duration given to a transcript character the recogniser dropped, next to a pause.
_TYPICAL_CHAR_MS = 150.0
# Fillers as normalised (ー dropped, katakana folded): えー, あの, まあ, えっと, うーん, ...
_FILLERS = ("え", "ええ", "あ", "あの", "その", "まあ", "えと", "えっと", "うん", "ん", "なんか")
_LONG_VOWEL_MARKS = frozenset("ーｰ〜～")
_SMALL_KANA = frozenset("ぁぃぅぇぉゃゅょゎ")
_SENTENCE_END = frozenset("。．？！?!")
_CLAUSE_MARKS = frozenset("、，,；;：:…‥—―　")


@dataclass(frozen=True)
class AlignCue:
    """One transcript cue's Japanese text, in transcript order. ``key`` identifies it to the
    caller (a cue id). ``timed=False`` marks text absent from the audio (show notes)."""

    key: Hashable
    text: str
    timed: bool = True


@dataclass
class AlignmentReport:
    """What the alignment achieved, for the editor and for the episode's record."""

    coverage: float  # share of transcript characters (normalised) matched, 0..1
    cues_aligned: int
    cues_interpolated: int
    largest_unmatched_chars: int  # longest run of unmatched transcript characters
    largest_unmatched_excerpt: str  # its text as written in the transcript (shortened)
    caption_chars: int  # normalised caption characters after de-duplication
    transcript_chars: int  # normalised characters of the timed cues
    rolling_captions: bool = False  # repeated prefixes were removed
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (for storing on the episode)."""
        return asdict(self)

    def summary(self) -> str:
        """One line for the editor."""
        text = (
            f"{self.coverage:.0%} of the transcript matched the captions; "
            f"{self.cues_aligned} cues aligned, {self.cues_interpolated} interpolated"
        )
        if self.largest_unmatched_chars:
            text += f"; largest unmatched stretch {self.largest_unmatched_chars} characters"
        return text + "."


@dataclass
class AlignmentResult:
    times: dict[Hashable, tuple[int, int]]  # key -> (start_ms, end_ms), timed cues only
    method: dict[Hashable, Method]  # key -> "aligned" | "interpolated"
    report: AlignmentReport


# --------------------------------------------------------------------------- normalisation

_FOLD_CACHE: dict[str, str] = {}
_DROPPED_LETTERS = frozenset("ー")  # long-vowel mark: ASR writes it or not


def _fold_char(ch: str) -> str:
    """Normalise one character: a string of zero or more letters/digits, or a lone combining
    mark (to be composed with the previous character)."""
    cached = _FOLD_CACHE.get(ch)
    if cached is not None:
        return cached
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        cat = unicodedata.category(c)
        if cat[0] == "M":
            out.append(c)
            continue
        if cat[0] not in "LN" or c in _DROPPED_LETTERS:
            continue
        c = c.lower()
        code = ord(c)
        if 0x30A1 <= code <= 0x30F6:  # katakana ァ..ヶ -> hiragana ぁ..ゖ
            c = chr(code - 0x60)
        out.append(c)
    folded = "".join(out)
    _FOLD_CACHE[ch] = folded
    return folded


def _normalize(text: str) -> tuple[str, list[int]]:
    """Return ``(normalised, offsets)``: ``offsets[k]`` is the index in ``text`` of the
    character normalised character ``k`` came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for idx, ch in enumerate(text):
        if ch.isascii():
            if ch.isalnum():
                chars.append(ch.lower())
                offsets.append(idx)
            continue
        for c in _fold_char(ch):
            if unicodedata.category(c)[0] == "M":
                # A voiced mark from half-width kana (ｶﾞ): compose it with what came before.
                if chars:
                    composed = unicodedata.normalize("NFC", chars[-1] + c)
                    if len(composed) == 1:
                        chars[-1] = composed
                continue
            chars.append(c)
            offsets.append(idx)
    return "".join(chars), offsets


# --------------------------------------------------------------------------- captions

_INLINE_TIME = r"<(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})>"
_TOKEN_RE = re.compile(_INLINE_TIME + r"|(\\[Nnh])|(<[^>]*>|\{[^}]*\})")


@dataclass
class _CaptionStream:
    text: str  # normalised, de-duplicated
    source: list[tuple[int, int]]  # per character: (caption line index, offset in cleaned text)
    # Per character: _CLAUSE where the recogniser put a space or punctuation before it.
    pause: list[int]
    units: list[float]  # per character: rough speaking time in kana units (_speech_units)
    # Runs of characters sharing one time span: (first char, end char, start_ms, end_ms).
    segments: list[tuple[int, int, int, int]]
    rolling: bool


def _clean_caption(raw: str, start_ms: int, end_ms: int) -> tuple[str, list[tuple[int, int]]]:
    """Strip tags; return the plain text and its time knots ``(offset, ms)`` from inline
    timestamps, clamped into the line and made monotone."""
    parts: list[str] = []
    knots: list[tuple[int, int]] = []
    length = 0
    pos = 0
    for m in _TOKEN_RE.finditer(raw):
        piece = raw[pos : m.start()]
        parts.append(piece)
        length += len(piece)
        pos = m.end()
        if m.group(4) is not None:  # inline timestamp
            h, mi, s, frac = m.group(1, 2, 3, 4)
            ms = ((int(h or 0) * 60 + int(mi)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))
            ms = min(max(ms, start_ms), end_ms)
            if knots and ms < knots[-1][1]:
                ms = knots[-1][1]
            knots.append((length, ms))
        elif m.group(5) is not None:  # \N line break, \h hard space
            parts.append(" ")
            length += 1
    parts.append(raw[pos:])
    return "".join(parts), knots


def _rolling_overlap(tail: str, cur: str, minimum: int) -> int:
    """Longest ``n >= minimum`` with ``tail.endswith(cur[:n])``, else 0."""
    for n in range(min(len(tail), len(cur)), minimum - 1, -1):
        if tail.endswith(cur[:n]):
            return n
    return 0


_UNITS_CACHE: dict[str, float] = {}


def _speech_units(ch: str) -> float:
    """Rough speaking time of a normalised character, in kana (mora) units: a kanji is read
    with about two morae, small kana merge into the previous one, a Latin letter or digit is
    spelled out."""
    cached = _UNITS_CACHE.get(ch)
    if cached is None:
        cached = _UNITS_CACHE[ch] = _speech_units_uncached(ch)
    return cached


def _speech_units_uncached(ch: str) -> float:
    if ch in _SMALL_KANA:
        return 0.4
    if ch.isascii():
        return 1.3
    code = ord(ch)
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or ch == "々":
        return 1.7
    return 1.0


def _line_units(norm: str, offsets: list[int], cleaned: str) -> list[float]:
    """Speaking units of each normalised character of a caption line; a long-vowel mark
    (dropped by normalisation) adds a mora to the character before it."""
    units = [_speech_units(ch) for ch in norm]
    for r, off in enumerate(offsets):
        nxt = offsets[r + 1] if r + 1 < len(offsets) else len(cleaned)
        if nxt > off + 1:
            units[r] += sum(1 for ch in cleaned[off + 1 : nxt] if ch in _LONG_VOWEL_MARKS)
    return units


def _line_marks(offsets: list[int], cleaned: str) -> list[int]:
    """Per normalised character of a caption line: ``_ASR_MARK`` where the recogniser wrote a
    space or punctuation before it (a long-vowel mark does not count), else ``_NO_PAUSE``."""
    out = [_NO_PAUSE] * len(offsets)
    for r in range(1, len(offsets)):
        if offsets[r] > offsets[r - 1] + 1 and any(
            ch not in _LONG_VOWEL_MARKS for ch in cleaned[offsets[r - 1] + 1 : offsets[r]]
        ):
            out[r] = _ASR_MARK
    return out


def _caption_stream(captions: Sequence[TimedLine]) -> _CaptionStream:
    """Normalised, de-duplicated caption text in time segments (see the module docstring)."""
    order = sorted(range(len(captions)), key=lambda k: captions[k].start_ms)
    lines = []  # (line index, start, end, normalised, offsets, knots)
    for k in order:
        cap = captions[k]
        start = max(0, int(cap.start_ms))
        end = max(start, int(cap.end_ms))
        cleaned, knots = _clean_caption(cap.text or "", start, end)
        norm, offsets = _normalize(cleaned)
        if norm:
            units = _line_units(norm, offsets, cleaned)
            marks = _line_marks(offsets, cleaned)
            lines.append((k, start, end, norm, offsets, knots, (units, marks)))

    # Rolling detection: how many events start with a stretch that ends the text so far?
    tail = ""
    hits = 0
    for _k, _s, _e, norm, _o, _kn, _u in lines:
        if _rolling_overlap(tail, norm, _ROLLING_MIN_OVERLAP):
            hits += 1
        tail = (tail + norm)[-_ROLLING_TAIL_CHARS:]
    rolling = len(lines) > 1 and hits >= _ROLLING_MIN_SHARE * (len(lines) - 1)

    tail = ""
    kept = []  # (line index, start, end, new normalised chars, their offsets, knots)
    units: list[float] = []
    pause: list[int] = []
    for k, start, end, norm, offsets, knots, (line_units, line_marks) in lines:
        skip = 0
        if rolling:
            skip = _rolling_overlap(tail, norm, min(2, len(norm)))
        new = norm[skip:]
        tail = (tail + new)[-_ROLLING_TAIL_CHARS:]
        if new:
            kept.append((k, start, end, new, offsets[skip:], knots))
            units.extend(line_units[skip:])
            pause.extend(line_marks[skip:])

    text: list[str] = []
    source: list[tuple[int, int]] = []
    segments: list[tuple[int, int, int, int]] = []
    for n, (k, start, end, new, offsets, knots) in enumerate(kept):
        if n + 1 < len(kept):
            # A line overlapping the next one ends where it starts (keeps times monotone).
            end = max(start, min(end, kept[n + 1][1]))
        # Knots cut the line into segments: [(from offset, start_ms, end_ms)].
        bounds = [(0, start)] + [(o, min(ms, end)) for o, ms in knots]
        seg_starts = [off for off, _ms in bounds]
        seg_of = [bisect.bisect_right(seg_starts, o) - 1 for o in offsets]
        for r, (ch, off, seg) in enumerate(zip(new, offsets, seg_of, strict=True)):
            j = len(text)
            text.append(ch)
            source.append((k, off))
            if r == 0 or seg != seg_of[r - 1]:
                seg_start = bounds[seg][1]
                seg_end = bounds[seg + 1][1] if seg + 1 < len(bounds) else end
                segments.append((j, j + 1, seg_start, max(seg_start, seg_end)))
            else:
                lo, _hi, s_ms, e_ms = segments[-1]
                segments[-1] = (lo, j + 1, s_ms, e_ms)
    return _CaptionStream("".join(text), source, pause, units, segments, rolling)


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
    units, pre, post = spoken
    segments = cap.segments
    n = len(cap.text)
    r0 = _rate_prior(segments, kinds, [u + p + q for u, p, q in zip(*spoken, strict=True)])
    if r0 <= 0:
        return _caption_times(cap, [pause_units[k] for k in kinds])
    mu = [u * r0 for u in pause_units]
    var_p = [(_PAUSE_CV * m) ** 2 for m in mu]
    var_r = (_RATE_CV * r0) ** 2
    # Breath groups: a new one after each pause and after a gap between segments.
    group = [0] * n
    g = -1
    prev_end = None
    for lo, hi, s_ms, _e_ms in segments:
        for j in range(lo, hi):
            if j == lo:
                if prev_end is None or s_ms > prev_end + _CONTIGUOUS_MS or kinds[j]:
                    g += 1
            elif kinds[j]:
                g += 1
            group[j] = g
        prev_end = _e_ms
    n_groups = g + 1
    # Per segment: [(group, units)], target D - sum(mu), variance.
    seg_terms: list[dict[int, float]] = []
    seg_target: list[float] = []
    seg_var: list[float] = []
    by_group: list[list[tuple[int, float]]] = [[] for _ in range(n_groups)]
    for si, (lo, hi, s_ms, e_ms) in enumerate(segments):
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
        seg_var.append(var)
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
                num += u * res / seg_var[si]
                den += u * u / seg_var[si]
            new = max(num / den, 0.2 * r0)
            if new != old:
                rate[gi] = new
                for si, u in by_group[gi]:
                    pred[si] += u * (new - old)
    starts = [0.0] * n
    ends = [0.0] * n
    for si, (lo, hi, s_ms, e_ms) in enumerate(segments):
        dur = e_ms - s_ms
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
                pause[j - lo] = max(0.0, mu[kinds[j]] + var_p[kinds[j]] / seg_var[si] * resid)
        total = talk + sum(pause)
        scale = dur / total if total > 0 else 0.0
        if not inner:
            top = max(rate[group[j]] for j in range(lo, hi))
            scale = min(scale, _MAX_UNIT_MS / top) if top > 0 else scale
        t = float(s_ms)
        for r in range(hi - lo):
            t += (before[r] + pause[r] + after[r]) * scale
            starts[lo + r] = t
            t += speech[r] * scale
            ends[lo + r] = t
    return _monotone(starts, ends)


# --------------------------------------------------------------------------- matching


def _lis(seq: Sequence[int]) -> list[int]:
    """Indices of a longest strictly increasing subsequence of ``seq`` (O(n log n))."""
    tails: list[int] = []  # value of the smallest tail of an increasing run of each length
    tail_idx: list[int] = []
    prev = [-1] * len(seq)
    for i, v in enumerate(seq):
        p = bisect.bisect_left(tails, v)
        if p == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[p] = v
            tail_idx[p] = i
        prev[i] = tail_idx[p - 1] if p else -1
    out = []
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.append(i)
        i = prev[i]
    out.reverse()
    return out


def _unique_grams(s: str, lo: int, hi: int, k: int) -> dict[str, int]:
    """k-gram -> position for k-grams of ``s[lo:hi]``; position -1 when it occurs twice."""
    seen: dict[str, int] = {}
    for p in range(lo, hi - k + 1):
        g = s[p : p + k]
        seen[g] = -1 if g in seen else p
    return seen


def _anchor_chain(
    a: str, b: str, a_lo: int, a_hi: int, b_lo: int, b_hi: int
) -> list[tuple[int, int]]:
    """Character pairs from the longest increasing chain of unique shared k-grams."""
    for k in _ANCHOR_LENGTHS:
        if a_hi - a_lo < k or b_hi - b_lo < k:
            continue
        ua = _unique_grams(a, a_lo, a_hi, k)
        ub = _unique_grams(b, b_lo, b_hi, k)
        if len(ub) < len(ua):
            anchors = [(ua[g], pb) for g, pb in ub.items() if pb >= 0 and ua.get(g, -1) >= 0]
        else:
            anchors = [(pa, ub[g]) for g, pa in ua.items() if pa >= 0 and ub.get(g, -1) >= 0]
        if not anchors:
            continue
        anchors.sort()
        chain = _lis([pb for _pa, pb in anchors])
        pairs: list[tuple[int, int]] = []
        last_a = last_b = -1
        for idx in chain:
            pa, pb = anchors[idx]
            for t in range(k):
                if pa + t > last_a and pb + t > last_b:
                    last_a, last_b = pa + t, pb + t
                    pairs.append((last_a, last_b))
        return pairs
    return []


def _difflib_pairs(
    a: str, b: str, a_lo: int, a_hi: int, b_lo: int, b_hi: int
) -> list[tuple[int, int]]:
    """Matching blocks of a small gap. Blocks of one character are kept only next to a kept
    block or a gap end at about the same distance on both sides (a correct character between
    recognition errors), not stray hits far off the diagonal."""
    sa, sb = a[a_lo:a_hi], b[b_lo:b_hi]
    blocks = difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_matching_blocks()
    ends = [(-1, -1)] + [(i + size - 1, j + size - 1) for i, j, size in blocks[:-1]]
    starts = [(i, j) for i, j, _size in blocks[1:]] + [(len(sa), len(sb))]

    def near(di: int, dj: int) -> bool:
        return abs(di - dj) <= 1 and max(di, dj) <= 4

    pairs = []
    for k, (i, j, size) in enumerate(blocks[:-1]):
        if size == 1:
            (pi, pj), (ni, nj) = ends[k], starts[k]
            if not (near(i - pi, j - pj) or near(ni - i, nj - j)):
                continue
        pairs.extend((a_lo + i + t, b_lo + j + t) for t in range(size))
    return pairs


def _match(a: str, b: str) -> list[tuple[int, int]]:
    """Matched character pairs ``(i, j)``, increasing in both (see the module docstring)."""
    pairs: list[tuple[int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        a_lo, a_hi, b_lo, b_hi = stack.pop()
        na, nb = a_hi - a_lo, b_hi - b_lo
        if na <= 0 or nb <= 0:
            continue
        if na == nb and a[a_lo:a_hi] == b[b_lo:b_hi]:
            pairs.extend(zip(range(a_lo, a_hi), range(b_lo, b_hi), strict=True))
            continue
        if na * nb <= _SMALL_GAP:
            pairs.extend(_difflib_pairs(a, b, a_lo, a_hi, b_lo, b_hi))
            continue
        chain = _anchor_chain(a, b, a_lo, a_hi, b_lo, b_hi)
        if not chain:
            if na * nb <= _LARGE_GAP:
                pairs.extend(_difflib_pairs(a, b, a_lo, a_hi, b_lo, b_hi))
            continue
        pairs.extend(chain)
        prev_a, prev_b = a_lo - 1, b_lo - 1
        for i, j in chain:
            if i > prev_a + 1 and j > prev_b + 1:
                stack.append((prev_a + 1, i, prev_b + 1, j))
            prev_a, prev_b = i, j
        stack.append((prev_a + 1, a_hi, prev_b + 1, b_hi))
    pairs.sort()
    return pairs


# --------------------------------------------------------------------------- times


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

    # Transcript side: timed cues only, each character mapped back to (cue index, offset).
    pieces: list[str] = []
    where: list[tuple[int, int]] = []
    cue_ranges: dict[int, tuple[int, int]] = {}
    a_units: list[float] = []
    pos = 0
    for ci, cue in enumerate(cues):
        if not cue.timed:
            continue
        norm, offsets = _normalize(cue.text)
        a_units.extend(_line_units(norm, offsets, cue.text))
        pieces.append(norm)
        where.extend((ci, o) for o in offsets)
        cue_ranges[ci] = (pos, pos + len(norm))
        pos += len(norm)
    a = "".join(pieces)
    n_a = len(a)

    pairs = _match(a, cap.text)
    matched = [False] * n_a
    for i, _j in pairs:
        matched[i] = True
    # Caption character times, with silences where the transcript or the captions suggest one.
    kinds = list(cap.pause)
    a_kinds = _transcript_pauses(cues, where)
    for j, kind in _pauses_on_captions(a_kinds, pairs, cap.text):
        if kind > kinds[j] or kinds[j] == _ASR_MARK:
            kinds[j] = kind
    spoken = _spoken_units(a_units, a_kinds, pairs, cap.text, cap.units)
    for lo, _hi, _s, _e in cap.segments:  # speech dropped at a line start is in the gap
        spoken[1][lo] = spoken[2][lo] = 0.0
    kinds = _shift_filler_pauses(cap.segments, kinds, spoken[0])
    talk = [u + p + q for u, p, q in zip(*spoken, strict=True)]
    units = _estimate_pause_units(cap.segments, kinds, talk)
    cs, ce = _model_times(cap, kinds, units, spoken)
    ts, te = _char_times(n_a, pairs, cs, ce, a_kinds, [units[k] for k in a_kinds], cap.text)

    # Cue spans and methods, then the timing rules over the timed cues in order.
    raw_spans: list[tuple[int, int]] = []
    methods: list[Method] = []
    for lo, hi in cue_ranges.values():
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
    for ci, span, how in zip(cue_ranges, spans, methods, strict=True):
        times[cues[ci].key] = span
        method[cues[ci].key] = how

    # Report.
    n_matched = sum(matched)
    best_len = best_first = run = 0
    for i, hit in enumerate(matched):
        run = 0 if hit else run + 1
        if run > best_len:
            best_len, best_first = run, i - run + 1
    excerpt = _excerpt(cues, where, best_first, best_first + best_len - 1) if best_len else ""
    coverage = n_matched / n_a if n_a else 0.0
    warnings = []
    if cue_ranges and n_matched == 0:
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
    report = AlignmentReport(
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
    return AlignmentResult(times=times, method=method, report=report)
