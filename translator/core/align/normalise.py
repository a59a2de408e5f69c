"""Normalise both sides for matching, and clean the captions into one character stream
(rolling captions de-duplicated, inline timestamps kept). See docs/alignment.md, steps 1-2."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from translator.core.align.data import (
    _ASR_MARK,
    _LONG_VOWEL_MARKS,
    _NO_PAUSE,
    _ROLLING_MIN_OVERLAP,
    _ROLLING_MIN_SHARE,
    _ROLLING_TAIL_CHARS,
    _SMALL_KANA,
)
from translator.core.types import TimedLine

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
