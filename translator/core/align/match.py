"""Match the two normalised strings, patience-diff style (unique k-gram anchors, LIS, difflib
in small gaps). See docs/alignment.md, step 3."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence

from translator.core.align.data import _ANCHOR_LENGTHS, _LARGE_GAP, _SMALL_GAP


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
