"""Translation-memory matching, pure Python: normalisation, similarity, the source
difference shown with a fuzzy match, trigram queries for the fuzzy index.

Two sources are "the same" when their normalised forms are equal: Unicode NFKC (full-width
Latin and digits to half-width, half-width katakana to full-width), case folded, punctuation,
symbols of punctuation kind (``~``, ``・``…) and every kind of whitespace removed. So
``ＯＫです。`` and ``okです`` match, ``ｺﾝﾆﾁﾊ`` and ``コンニチハ`` match; ``ー`` (the long vowel
mark, a letter) is kept.

Fuzzy similarity is :func:`rapidfuzz.fuzz.ratio` on the normalised forms (0-100, the
normalised Indel similarity), so punctuation or spacing never lowers a score.
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

FUZZY_THRESHOLD = 75.0  # percent; fuzzy suggestions at or above it
_EXTRA_PUNCTUATION = frozenset("~〜～・･|")


def normalize(text: str) -> str:
    """The form sources are matched on (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(
        ch
        for ch in text
        if not (
            ch in _EXTRA_PUNCTUATION
            or ch.isspace()
            or unicodedata.category(ch)[0] in ("P", "Z", "C")
        )
    )


def source_hash(norm: str) -> str:
    """Key of an exact match: SHA-1 of the normalised source (fits an index on any DB)."""
    return hashlib.sha1(norm.encode("utf-8"), usedforsecurity=False).hexdigest()


def similarity(a_norm: str, b_norm: str) -> float:
    """0-100: how alike two normalised sources are (rapidfuzz ratio)."""
    return float(fuzz.ratio(a_norm, b_norm))


def length_window(norm_len: int, threshold: float = FUZZY_THRESHOLD) -> tuple[int, int]:
    """Lengths a string can have and still reach ``threshold`` against one of ``norm_len``
    characters: ratio = 2·matches / (len a + len b) ≤ 2·min / (a + b)."""
    t = threshold / 100.0
    low = int(norm_len * t / (2 - t))
    high = int(norm_len * (2 - t) / t) + 1
    return max(low, 1), high


def trigrams(norm: str) -> list[str]:
    """Distinct character trigrams of a normalised source, in order of first appearance."""
    seen: dict[str, None] = {}
    for i in range(len(norm) - 2):
        seen.setdefault(norm[i : i + 3], None)
    return list(seen)


@dataclass(frozen=True)
class Scored:
    key: int
    score: float


def best_matches(
    query_norm: str,
    candidates: Iterable[tuple[int, str]],
    *,
    threshold: float = FUZZY_THRESHOLD,
    limit: int = 3,
) -> list[Scored]:
    """The ``limit`` best ``(key, normalised source)`` candidates at or above ``threshold``,
    best first (one C call over all candidates)."""
    pairs = list(candidates)
    if not pairs or not query_norm:
        return []
    found = process.extract(
        query_norm,
        [norm for _, norm in pairs],
        scorer=fuzz.ratio,
        score_cutoff=threshold,
        limit=limit,
    )
    return [Scored(pairs[index][0], float(score)) for _, score, index in found]


def source_diff(matched: str, current: str) -> list[tuple[str, str]]:
    """Character diff from the memory's source (``matched``) to this segment's (``current``),
    as ``(op, text)`` pieces, op in ``equal``/``delete``/``insert``: what differs is what the
    editor has to change in the suggested English."""
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=matched, b=current, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", matched[i1:i2]))
            continue
        if op in ("delete", "replace"):
            out.append(("delete", matched[i1:i2]))
        if op in ("insert", "replace"):
            out.append(("insert", current[j1:j2]))
    return out


def same_english(a: str, b: str) -> bool:
    """Two English renderings are the same wording: equal up to case, spacing, punctuation
    (the same :func:`normalize` as sources; "Yes." and "yes" are one rendering)."""
    return normalize(a) == normalize(b)


def inconsistent_sources(rows: Sequence[tuple[int, str, str]]) -> set[int]:
    """Keys of rows whose normalised source appears elsewhere in ``rows`` with other wording
    (``(key, source_norm, english)``; empty English is not a rendering)."""
    by_norm: dict[str, list[tuple[int, str]]] = {}
    for key, norm, english in rows:
        if norm and english.strip():
            by_norm.setdefault(norm, []).append((key, normalize(english)))
    out: set[int] = set()
    for group in by_norm.values():
        if len({e for _, e in group}) > 1:
            out.update(k for k, _ in group)
    return out
