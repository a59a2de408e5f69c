"""Width normalisation of imported Japanese text.

Half-width katakana and the half-width CJK punctuation block (U+FF61–U+FF9F: ``｡ ｢ ｣ ､ ･ ｰ``,
``ﾏｲﾅｽ``, ``ｶﾞ``) become their full-width forms, with a following half-width (semi-)voiced mark
composed into one character (``ｶﾞ`` → ``ガ``). Nothing else changes: ASCII letters, digits and
full-width Latin stay as written (NFKC of the whole text would also fold ``①`` or ``ｍ²``).
Linear in the text.
"""

from __future__ import annotations

import re
import unicodedata

_HALF_WIDTH_RUN = re.compile("[\uff61-\uff9f]+")


def has_half_width(text: str) -> bool:
    return _HALF_WIDTH_RUN.search(text) is not None


def full_width(text: str) -> str:
    """``text`` with half-width katakana and CJK punctuation made full-width."""
    return _HALF_WIDTH_RUN.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
