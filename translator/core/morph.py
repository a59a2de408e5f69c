"""Shared fugashi + unidic-lite access for the segmentation modules (one lazy Tagger)."""

from __future__ import annotations

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


def tokenize(text: str) -> list[Token]:
    """Morphemes of ``text`` with character offsets. Text MeCab cannot see (after a NUL) is
    simply not covered; callers only use tokens to add or veto boundaries."""
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
