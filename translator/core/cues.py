"""Split one Japanese sentence into subtitle cues for display.

Width: full-width (and ambiguous-width) characters count 1, half-width 0.5. A cue has at most
``max_lines`` lines of at most ``max_units_per_line`` units. Lines break only at phrase
boundaries found with fugashi (bunsetsu ends: after particles, auxiliaries, punctuation), never
inside a word, a run of Latin text (``git push heroku master``), a number with its counter
(``2015年``) or a protected (glossary) term, and never so that a line starts with a particle,
auxiliary, suffix or closing punctuation. Preferred breaks: after 、 then after conjunctive
particles (て, が, けど, ので, から, ば), then after other particles; between two nouns only when
nothing else fits. A single unbreakable piece longer than a line stays whole (the only case a
line may exceed the limit).

Lines are chosen by dynamic programming (fewest lines, then cheapest breaks, then balance); lines
are then paired into cues, preferring cue boundaries at the strongest breaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from translator.core.morph import tokenize
from translator.core.types import CueDraft

_NO_LINE_START_POS = frozenset({"助詞", "助動詞", "接尾辞"})
_CONJUNCTIVE = frozenset(
    {"て", "で", "が", "けど", "けれど", "けれども", "ので", "から", "ば", "し", "たら"}
)
_OPENERS = "「『（(“【〔《〈［"
_NO_START_CHARS = (
    "、。，．,.!！?？」』）)”】〕》〉］ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ々…‥・:：;；"
)
_LATIN_CHAR = re.compile(r"[A-Za-z0-9_\-./:@#+&'%$=~]")
_DIGIT = re.compile(r"[0-9０-９〇一二三四五六七八九十百千万億]")
_FORBIDDEN = 10_000.0
_FORMAL_NOUNS = frozenset({"こと", "もの", "よう", "ため", "わけ", "ところ", "とき", "時", "感じ"})
_KATAKANA_END = re.compile(r"[ァ-ヺー]$")
_KATAKANA_START = re.compile(r"[ァ-ヺ]")


def char_units(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in "FWA" else 0.5


def display_units(text: str) -> float:
    """Display width: full-width characters 1, half-width 0.5."""
    return sum(char_units(c) for c in text)


def _break_costs(sentence: str, protected: Sequence[str]) -> dict[int, float]:
    """Allowed break offsets (0 < i < len) with a cost; missing offsets are forbidden."""
    tokens = tokenize(sentence)
    costs: dict[int, float] = {}
    n = len(sentence)
    for k in range(1, len(tokens)):
        prev, tok = tokens[k - 1], tokens[k]
        i = tok.start
        if not 0 < i < n:
            continue
        if tok.pos1 in _NO_LINE_START_POS or sentence[i] in _NO_START_CHARS:
            continue
        if prev.pos1 == "接頭辞" or sentence[prev.end - 1] in _OPENERS:
            continue
        if (
            tok.pos1 in ("動詞", "形容詞")
            and tok.pos2 == "非自立可能"
            and (prev.pos2 == "接続助詞" or prev.pos1 in ("動詞", "形容詞"))
        ):
            continue  # している, してみる, 書いてある
        if (
            tok.pos1 == "動詞"
            and tok.lemma in ("為る", "する", "出来る")
            and prev.pos3 == "サ変可能"
        ):
            continue  # 所属|している: a verbal noun stays with its する
        if tok.lemma == "言う" and prev.surface in ("って", "と", "っつう"):
            continue  # っていう / という
        if tok.pos3 == "助数詞可能" and _DIGIT.match(sentence[i - 1]):
            continue
        if _DIGIT.match(sentence[i - 1]) and _DIGIT.match(sentence[i]):
            continue
        left = sentence[:i].rstrip()
        right = sentence[i:].lstrip()
        if left and right and _LATIN_CHAR.match(left[-1]) and _LATIN_CHAR.match(right[0]):
            continue  # inside a Latin run
        if prev.surface in ("、", "，", ","):
            cost = 0.0
        elif prev.pos1 == "補助記号":
            cost = 0.5
        elif prev.pos1 == "助詞" and (prev.pos2 == "接続助詞" or prev.surface in _CONJUNCTIVE):
            cost = 1.0
        elif (
            prev.pos1 == "助詞"
            and prev.surface in ("と", "や")
            and tok.pos1 == "名詞"
            and k >= 2
            and tokens[k - 2].pos1 == "名詞"
        ):
            cost = 6.0  # 字幕と|翻訳ツール: keep a coordinated noun phrase together
        elif prev.pos1 == "助詞":
            cost = 5.0 if prev.surface == "の" and prev.pos2 == "格助詞" else 2.0
        elif prev.pos1 == "助動詞":
            cost = 2.5
        elif tok.surface in _FORMAL_NOUNS and prev.pos1 in ("動詞", "助動詞", "形容詞"):
            cost = 7.0  # という|こと, する|ため: keep the clause with its head
        elif prev.pos1 == "名詞" and tok.pos1 == "形容詞":
            continue  # 興味深い, 数多い
        elif prev.pos1 == "名詞" and tok.pos1 == "名詞":
            if _KATAKANA_END.search(sentence[:i]) and _KATAKANA_START.match(sentence, i):
                continue  # a katakana compound is one word (プル|リクエスト)
            if len(tok.surface) == 1 or len(prev.surface) == 1:
                continue  # 日本|語, 翻訳|者: a one-character noun is bound to its neighbour
            cost = 40.0  # a compound noun (配信|ドラマ): only when nothing else fits
        else:
            cost = 4.0
        costs[i] = cost
    for term in protected:
        if not term:
            continue
        start = sentence.find(term)
        while start >= 0:
            for i in range(start + 1, start + len(term)):
                costs.pop(i, None)
            start = sentence.find(term, start + 1)
    return costs


def _line_text(sentence: str, a: int, b: int) -> str:
    return sentence[a:b].strip()


def split_cues(
    sentence: str,
    *,
    max_units_per_line: float = 13,
    max_lines: int = 2,
    protected: Sequence[str] = (),
) -> list[CueDraft]:
    """Cues covering ``sentence`` exactly, each with its display ``lines``; untimed."""
    if not sentence:
        return []
    if display_units(sentence.strip()) <= max_units_per_line:
        return [CueDraft(0, len(sentence), [sentence.strip()] if sentence.strip() else [])]
    costs = _break_costs(sentence, protected)
    points = [0, *sorted(costs), len(sentence)]
    layout = _Layout(sentence, points, costs, max_units_per_line, max_lines)
    cues: list[CueDraft] = []
    for group in layout.best_cues():
        a, b = group[0][0], group[-1][1]
        texts = [t for t in (_line_text(sentence, x, y) for x, y in group) if t]
        cues.append(CueDraft(a, b, texts))
    return cues


def break_lines(
    text: str, *, max_units_per_line: float = 13, max_lines: int = 2, protected: Sequence[str] = ()
) -> list[str]:
    """Display lines for Japanese ``text`` shown in one cue, at the same phrase boundaries as
    :func:`split_cues` uses (never inside a word, a number with its counter, a Latin run or a
    protected term; no line starting with a particle). Fewest lines first, then cheapest breaks,
    then balance. Text too wide for ``max_lines`` lines gets more lines (the caller reports it)
    rather than over-long ones."""
    stripped = text.strip()
    if not stripped:
        return []
    if display_units(stripped) <= max_units_per_line:
        return [stripped]
    costs = _break_costs(text, protected)
    points = [0, *sorted(costs), len(text)]
    layout = _Layout(text, points, costs, max_units_per_line, max_lines)
    if display_units(stripped) <= max_units_per_line * max_lines:
        _cost, lines = layout.cue_layout(0, len(points) - 1)
        if len(lines) <= max_lines and all(
            layout.width(a, b) <= max_units_per_line for a, b in lines
        ):
            return [t for t in (_line_text(text, a, b) for a, b in lines) if t]
    lines = [line for group in layout.best_cues() for line in group]
    return [t for t in (_line_text(text, a, b) for a, b in lines) if t]


_CUE_COST = 100.0  # fewer cues first (each cue is a reading pause for the viewer)
_LINE_COST = 12.0  # then fewer lines
_SHORT_CUE_UNITS = 6.0
_STUB_LINE_UNITS = 4.0  # a second line this short looks like a mistake  # a cue narrower than this next to fuller ones reads as a flash


class _Layout:
    """Cue boundaries and line breaks chosen together by dynamic programming over the allowed
    break points: fewest cues, then cheapest breaks (a cue boundary costs more than a line
    break at the same place), then balanced lines and cues."""

    def __init__(
        self,
        sentence: str,
        points: list[int],
        costs: dict[int, float],
        max_units: float,
        max_lines: int,
    ) -> None:
        self.sentence = sentence
        self.points = points
        self.costs = costs
        self.max_units = max_units
        self.max_lines = max_lines
        self.prefix = [0.0]
        for ch in sentence:
            self.prefix.append(self.prefix[-1] + char_units(ch))

    def width(self, a: int, b: int) -> float:
        s = self.sentence
        while a < b and s[a].isspace():
            a += 1
        while b > a and s[b - 1].isspace():
            b -= 1
        return self.prefix[b] - self.prefix[a]

    def line_cost(self, a: int, b: int) -> float:
        over = max(0.0, self.width(a, b) - self.max_units)
        return _LINE_COST + over * _FORBIDDEN

    def cue_layout(self, i: int, j: int) -> tuple[float, list[tuple[int, int]]]:
        """Best way to show points[i]..points[j] as one cue of 1..max_lines lines."""
        pts = self.points
        a, b = pts[i], pts[j]
        best = (self.line_cost(a, b), [(a, b)])
        if self.max_lines >= 2:
            for k in range(i + 1, j):
                m = pts[k]
                w1, w2 = self.width(a, m), self.width(m, b)
                if w1 > self.max_units or w2 > self.max_units:
                    continue
                imbalance = abs(w1 - w2) / self.max_units
                stub = 15.0 if min(w1, w2) < _STUB_LINE_UNITS else 0.0  # 時間を / alone
                cost = (
                    stub
                    + self.line_cost(a, m)
                    + self.line_cost(m, b)
                    + self.costs.get(m, 0.0) * 3
                    + imbalance * imbalance * 4
                )
                if cost < best[0]:
                    best = (cost, [(a, m), (m, b)])
        return best

    def best_cues(self) -> list[list[tuple[int, int]]]:
        pts = self.points
        n = len(pts)
        cue_units = self.max_units * self.max_lines
        best: list[tuple[float, int, list[tuple[int, int]]]] = [(0.0, -1, [])] + [
            (float("inf"), -1, [])
        ] * (n - 1)
        for j in range(1, n):
            for i in range(j - 1, -1, -1):
                width = self.width(pts[i], pts[j])
                if width > cue_units and i != j - 1:
                    break  # wider cues only get wider as i decreases
                layout_cost, lines = self.cue_layout(i, j)
                boundary = self.costs.get(pts[j], 0.0) * 5 if j != n - 1 else 0.0
                short = 30.0 if width < _SHORT_CUE_UNITS else 0.0
                cost = best[i][0] + _CUE_COST + layout_cost + boundary + short
                if cost < best[j][0]:
                    best[j] = (cost, i, lines)
        groups: list[list[tuple[int, int]]] = []
        j = n - 1
        while j > 0:
            _cost, i, lines = best[j]
            groups.append(lines)
            j = i
        return groups[::-1]
