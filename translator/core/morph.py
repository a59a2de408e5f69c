"""Shared fugashi + unidic-lite access for the segmentation modules (one lazy Tagger)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Token:
    start: int  # offset into the analysed text
    end: int
    surface: str
    pos1: str  # 名詞, 助詞, 助動詞, ...
    pos2: str  # 格助詞, 終助詞, 固有名詞, ...
    pos3: str
    lemma: str
    kana: str  # reading in katakana ("" when unknown)


_TAGGER: Any = None


def tagger() -> Any:
    """The process-wide fugashi Tagger, created on first use (~40 ms)."""
    global _TAGGER
    if _TAGGER is None:
        import fugashi

        _TAGGER = fugashi.Tagger()
    return _TAGGER


def _field(value: object) -> str:
    return "" if value is None or value == "*" else str(value)


# MeCab is handed at most this many characters per call: a multi-megabyte line made it
# allocate gigabytes and crash (SIGSEGV) the whole process.
MAX_CHARS_PER_CALL = 2048
# Where a long text may be cut for analysis, best first: after sentence punctuation, after a
# comma or whitespace, at a change of script. A cut never falls inside a word of one script.
_SAFE_CUTS = (
    re.compile(r"[。．！？!?…\n]+"),
    re.compile(r"[、，,\s]+"),
    re.compile(r"(?<=[ぁ-ゖ])(?=[^ぁ-ゖー])|(?<=[^ぁ-ゖー])(?=[ぁ-ゖ])"),
)


def chunk_bounds(text: str, max_chars: int = MAX_CHARS_PER_CALL) -> list[tuple[int, int]]:
    """``(start, end)`` windows covering ``text`` in order, each at most ``max_chars`` long,
    cut at the best safe boundary in the window's last half (linear in ``len(text)``)."""
    n = len(text)
    if n <= max_chars:
        return [(0, n)]
    out: list[tuple[int, int]] = []
    start = 0
    while n - start > max_chars:
        limit = start + max_chars
        cut = None
        for pattern in _SAFE_CUTS:
            for m in pattern.finditer(text, start + max_chars // 2, limit):
                cut = m.end()
            if cut is not None and start < cut <= limit:
                break
            cut = None
        if cut is None:
            cut = limit
        out.append((start, cut))
        start = cut
    out.append((start, n))
    return out


def tokenize(text: str) -> list[Token]:
    """Morphemes of ``text`` with character offsets. Text MeCab cannot see (after a NUL) is
    simply not covered; callers only use tokens to add or veto boundaries. Long text is
    analysed in windows of at most :data:`MAX_CHARS_PER_CALL` characters."""
    if not text:
        return []
    if len(text) > MAX_CHARS_PER_CALL:
        out: list[Token] = []
        for a, b in chunk_bounds(text):
            out.extend(
                Token(t.start + a, t.end + a, t.surface, t.pos1, t.pos2, t.pos3, t.lemma, t.kana)
                for t in _tokenize_bounded(text[a:b])
            )
        return out
    return _tokenize_bounded(text)


def _tokenize_bounded(text: str) -> list[Token]:
    if not text:
        return []
    out: list[Token] = []
    pos = 0
    for node in tagger()(text):
        surface = node.surface
        if not surface:
            continue
        start = text.find(surface, pos)
        if start < 0:
            break
        end = start + len(surface)
        pos = end
        f = node.feature
        out.append(
            Token(
                start,
                end,
                surface,
                _field(f.pos1),
                _field(f.pos2),
                _field(f.pos3),
                _field(f.lemma),
                _field(getattr(f, "kana", None)),
            )
        )
    return out
