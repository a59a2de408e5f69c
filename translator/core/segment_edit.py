"""Editing a segment's structure in plain data: the Japanese re-cut into cues after a source
edit, a segment split in two at a caret, two segments joined. No Django import (layer 1).

Times are integer milliseconds, offsets indices into the segment's Japanese, as in
:mod:`translator.core.types`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from translator.core.cues import break_lines, display_units

_LATIN_END = re.compile(r"[A-Za-z0-9.,!?;:'\")\]]")
_LATIN_START = re.compile(r"[A-Za-z0-9(\"'\[]")


@dataclass
class CuePiece:
    """One cue of a segment as the structure edits see it (a ``Cue`` row without its ids)."""

    source_start: int
    source_end: int
    start_ms: int | None
    end_ms: int | None
    lines: list[str] = field(default_factory=list)
    ruby: list[list[str]] = field(default_factory=list)
    id: int | None = None  # the cue row it stays (None: a new cue, the tail of a cut one)

    @property
    def timed(self) -> bool:
        return self.start_ms is not None and self.end_ms is not None


def clean_source(text: str) -> str:
    """One sentence of Japanese as an editor typed it: lines joined (no space between
    Japanese, one between Latin words, as import joins display lines), outer spaces gone,
    control and invisible format characters (NUL, zero-width spaces, bidi marks) dropped."""
    if not text.isprintable():
        text = "".join(
            ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\n\r\t"
        )
    parts: list[str] = []
    last = ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        if last and _LATIN_END.fullmatch(last) and _LATIN_START.match(line):
            parts.append(" ")
        parts.append(line)
        last = line[-1]
    return "".join(parts)


def join_source(first: str, second: str) -> tuple[str, str]:
    """The Japanese of two merged segments and the separator put between them ("" between
    Japanese, a space between Latin words)."""
    sep = (
        " "
        if first and second and _LATIN_END.fullmatch(first[-1]) and _LATIN_START.match(second[0])
        else ""
    )
    return first + sep + second, sep


def join_english(first: str, second: str) -> str:
    return " ".join(t for t in (first.strip(), second.strip()) if t)


def spread_times(
    units: Sequence[float], start_ms: int, end_ms: int, *, gap_ms: int
) -> list[tuple[int, int]]:
    """Divide ``start_ms..end_ms`` over cues in proportion to their display width (each at
    least one unit), ``gap_ms`` apart, as import's speech-rate estimate spaces the cues of one
    sentence. The first starts at ``start_ms``, the last ends at ``end_ms``."""
    n = len(units)
    if n == 0:
        return []
    span = max(0, end_ms - start_ms)
    gap = gap_ms if span - gap_ms * (n - 1) >= n else 0
    room = span - gap * (n - 1)
    weights = [max(1.0, float(u)) for u in units]
    total = sum(weights)
    out: list[tuple[int, int]] = []
    acc = 0.0
    cursor = start_ms
    for i, w in enumerate(weights):
        acc += w
        end = start_ms + round(room * acc / total) + gap * i if i < n - 1 else end_ms
        out.append((cursor, max(cursor, end)))
        cursor = end + gap
    return out


def kept_ruby(ruby: Sequence[Sequence[str]], text: str) -> list[list[str]]:
    """The (base, reading) pairs whose base is still in ``text``, each once, in order."""
    out: list[list[str]] = []
    for pair in ruby:
        if len(pair) == 2 and pair[0] and pair[0] in text and list(pair) not in out:
            out.append([pair[0], pair[1]])
    return out


@dataclass
class SplitSource:
    """Where a segment's Japanese is cut: ``first`` is ``source[:first_end]``, ``second`` is
    ``source[second_start:]`` (spaces at the cut belong to neither)."""

    source: str
    first: str
    second: str
    cut: int
    first_end: int
    second_start: int


def split_source(source: str, at: int) -> SplitSource | None:
    """Cut ``source`` at offset ``at``; ``None`` when one side would be empty."""
    if not 0 < at < len(source):
        return None
    first_end = len(source[:at].rstrip())
    rest = source[at:]
    second_start = at + len(rest) - len(rest.lstrip())
    first, second = source[:first_end], source[second_start:]
    if not first.strip() or not second.strip():
        return None
    return SplitSource(source, first, second, at, first_end, second_start)


def split_english(text: str, *, at: int | None = None, fraction: float = 0.5) -> tuple[str, str]:
    """Cut English at ``at`` (the editor's caret), else at the space nearest ``fraction`` of
    its length (a text without spaces is cut at that character)."""
    if not text:
        return "", ""
    if at is not None:
        at = max(0, min(len(text), at))
        return text[:at].strip(), text[at:].strip()
    target = round(len(text) * min(1.0, max(0.0, fraction)))
    spaces = [m.start() for m in re.finditer(r"\s+", text)]
    cut = min(spaces, key=lambda i: (abs(i - target), i)) if spaces else target
    return text[:cut].strip(), text[cut:].strip()


def divide_cues(
    cues: Sequence[CuePiece], split: SplitSource, *, gap_ms: int, protected: Sequence[str] = ()
) -> tuple[list[CuePiece], list[CuePiece]]:
    """The cues of each part after :func:`split_source`: cues wholly before the cut go to the
    first, wholly after it to the second (their offsets moved to the second's Japanese); a cue
    straddling the cut is cut there, its time divided by its characters on each side (with a
    ``gap_ms`` gap between the two halves when it has room). Lines are broken again for a cut
    cue; ruby is kept where its base is still in the cue."""
    first: list[CuePiece] = []
    second: list[CuePiece] = []
    full = split.source
    for cue in cues:
        a, b = cue.source_start, cue.source_end
        if b <= split.cut:
            first.append(_piece(cue, a, min(b, split.first_end), 0, full, protected))
        elif a >= split.cut:
            second.append(
                _piece(cue, max(a, split.second_start), b, split.second_start, full, protected)
            )
        else:
            head = _piece(cue, a, split.first_end, 0, full, protected)
            tail = _piece(cue, split.second_start, b, split.second_start, full, protected)
            tail.id = None
            if cue.timed:
                assert cue.start_ms is not None and cue.end_ms is not None
                share = (split.cut - a) / max(1, b - a)
                t = cue.start_ms + round((cue.end_ms - cue.start_ms) * share)
                half = gap_ms // 2 if cue.end_ms - cue.start_ms > 4 * gap_ms else 0
                head.start_ms, head.end_ms = cue.start_ms, max(cue.start_ms, t - half)
                tail.start_ms, tail.end_ms = (
                    min(cue.end_ms, t + (gap_ms - half if half else 0)),
                    (cue.end_ms),
                )
            first.append(head)
            second.append(tail)
    return [c for c in first if c.source_end > c.source_start], [
        c for c in second if c.source_end > c.source_start
    ]


def _piece(
    cue: CuePiece, a: int, b: int, offset: int, full: str, protected: Sequence[str]
) -> CuePiece:
    text = full[a:b]
    whole = (a, b) == (cue.source_start, cue.source_end)
    lines = list(cue.lines) if whole else break_lines(text, protected=protected)
    return CuePiece(
        source_start=a - offset,
        source_end=b - offset,
        start_ms=cue.start_ms,
        end_ms=cue.end_ms,
        lines=lines,
        ruby=kept_ruby(cue.ruby, text),
        id=cue.id,
    )


def cue_units(source: str, pieces: Sequence[tuple[int, int]]) -> list[float]:
    """Display width of each cue's slice of ``source`` (for :func:`spread_times`)."""
    return [display_units(source[a:b].strip()) for a, b in pieces]
