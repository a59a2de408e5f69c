"""Decode uploaded bytes to text (layer 1: pure Python, no Django).

Detection order for ``encoding="auto"``:

1. byte-order marks (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. binary data (NUL bytes, many control characters) is refused;
3. ISO-2022-JP when its escape sequences are there (7-bit: it would pass as UTF-8); strict
   UTF-8;
4. otherwise the candidate decodings — the Japanese legacy codecs (CP932 = Shift_JIS with
   Microsoft extensions, EUC-JP) and what charset-normalizer proposes (GB18030, Big5, CP949…) —
   are each decoded strictly and the one that reads most like Japanese wins (:func:`reading`:
   kana share, characters of JIS X 0208, no replacement or private-use characters), not the
   first that decodes: GB2312 Chinese decodes as EUC-JP too, as kanji mojibake without kana.
   When none reads as Japanese, charset-normalizer's own choice is kept, so that the text is
   what it is and :func:`not_japanese_reason` can say what it looks like.

:func:`not_japanese_reason` names text that is not Japanese ("this looks like Chinese
(GB2312)"); the pipeline refuses such input unless the user overrides the source language or
the encoding. Timed and untimed files share this decode stage.

Newlines are normalised to ``\\n`` and a leading BOM character is dropped. The text the editor
sees is otherwise exactly the decoded input; :func:`normalize_for_matching` gives a folded copy
for comparisons only.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from translator.core.errors import DecodingError, EmptyInputError, InputTooLargeError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_JAPANESE_CODECS = ("cp932", "euc_jp")
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``; a leading BOM character is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize_for_matching(text: str) -> str:
    """NFKC width folding (half-width katakana → full-width, full-width ASCII → ASCII).

    For matching only (glossary look-up, alignment); never store the result as editor text."""
    return unicodedata.normalize("NFKC", text)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(
        1 for ch in text if (ch < " " and ch not in _ALLOWED_CONTROLS) or "\x7f" <= ch <= "\x9f"
    )
    return bad / len(text)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if sample.count(0) > max(1, len(sample) // 100):
        return True
    ctrl = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 12, 13, 27))
    return ctrl / len(sample) > 0.05


def _finish(text: str, name: str) -> tuple[str, str]:
    text = normalize_newlines(text)
    if not text.strip():
        raise EmptyInputError("the file contains no text")
    if _control_ratio(text) > 0.02:
        raise DecodingError("the file looks binary, not text")
    return text, name


def decode_bytes(
    data: bytes, *, encoding: str = "auto", max_bytes: int | None = None
) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding_name)``; raise an :class:`InputError`
    subclass (empty, too large, undecodable) with a one-line message."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputTooLargeError(
            f"the file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes"
        )
    if not data or not data.strip():
        raise EmptyInputError("the file is empty")

    wanted = (encoding or "auto").strip().lower()
    if wanted != "auto":
        return _decode_as(data, wanted)

    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(name.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise DecodingError(
                    f"the file starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {exc.start + len(bom)})"
                ) from exc
            return _finish(text, name)

    if _looks_binary(data):
        raise DecodingError("the file looks binary, not text")

    if b"\x1b$B" in data[:65536] or b"\x1b$@" in data[:65536]:  # ISO-2022-JP (JIS), 7-bit
        try:
            return _finish(data.decode("iso2022_jp"), "iso2022_jp")
        except UnicodeDecodeError:
            pass
    try:
        return _finish(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        # A UTF-8 file cut off inside its last character (an interrupted download or copy):
        # drop the partial character rather than mis-detect the whole file as another codec.
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            try:
                return _finish(data[: exc.start].decode("utf-8"), "utf-8")
            except UnicodeDecodeError:
                pass

    return _finish(*_best_candidate(data))


def _best_candidate(data: bytes) -> tuple[str, str]:
    candidates: list[tuple[str, str]] = []
    for name in _JAPANESE_CODECS:
        try:
            candidates.append((data.decode(name), name))
        except UnicodeDecodeError:
            continue
    scored = [(reading(text).japanese_score, text, name) for text, name in candidates]
    scored.sort(key=lambda x: -x[0])
    if scored and reading(scored[0][1]).is_japanese:
        return scored[0][1], scored[0][2]
    guess = _charset_normalizer_guess(data)
    for text, name in [guess] if guess is not None else []:
        r = reading(text)
        if r.is_japanese and (not scored or r.japanese_score > scored[0][0]):
            return text, name
    if guess is not None:
        return guess  # not Japanese: the text as it is, for not_japanese_reason to name
    if scored and scored[0][0] > 0:
        return scored[0][1], scored[0][2]
    raise DecodingError(
        "could not detect the text encoding (tried UTF-8, UTF-16, CP932/Shift_JIS, EUC-JP); "
        "choose the encoding explicitly"
    )


# --- how Japanese does a text read? ---------------------------------------------------------

_SAMPLE_CHARS = 200_000
_JIS_CACHE: dict[str, bool] = {}
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "you",
        "to",
        "of",
        "is",
        "it",
        "that",
        "in",
        "what",
        "this",
        "we",
        "for",
        "i",
        "be",
        "have",
        "not",
        "are",
        "was",
        "on",
        "with",
    ]
)


def _in_jis_x_0208(ch: str) -> bool:
    known = _JIS_CACHE.get(ch)
    if known is None:
        try:
            ch.encode("iso2022_jp")
            known = True
        except UnicodeEncodeError:
            known = False
        if len(_JIS_CACHE) < 50_000:
            _JIS_CACHE[ch] = known
    return known


@dataclass
class Reading:
    """Character counts of a text sample, by script."""

    kana: int = 0
    kanji: int = 0
    kanji_outside_jis: int = 0  # CJK ideographs not in JIS X 0208 (simplified Chinese…)
    hangul: int = 0
    cyrillic: int = 0
    latin_words: int = 0
    english_words: int = 0
    bad: int = 0  # replacement, private use, control characters
    halfwidth_kana: int = 0

    @property
    def letters(self) -> int:
        return self.kana + self.kanji + self.hangul + self.cyrillic + 2 * self.latin_words

    @property
    def japanese_score(self) -> float:
        """Higher reads more like Japanese (for choosing among decodings)."""
        if not self.letters:
            return 0.0
        cjk = self.kana + self.kanji
        jis = 1 - self.kanji_outside_jis / self.kanji if self.kanji else 1.0
        kana_share = self.kana / cjk if cjk else 0.0
        return (
            cjk / self.letters
            + 2 * min(kana_share, 0.5)
            + jis
            - 10 * self.bad / max(1, self.letters)
            - self.halfwidth_kana / max(1, self.letters)
        )

    @property
    def is_japanese(self) -> bool:
        """Kana among the kanji (Chinese has none), kanji of JIS X 0208, no broken characters.
        Latin text around it does not count against it (Japanese tech talk is full of
        English names); too little text to tell passes."""
        if self.bad >= 3 and self.bad * 50 > self.letters:
            return False
        cjk = self.kana + self.kanji
        if self.kana >= max(3, 0.05 * cjk) and self.hangul <= self.kana:
            return self.kanji_outside_jis <= 0.2 * max(1, self.kanji)
        return self.letters < 12 and self.bad == 0


_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def reading(text: str) -> Reading:
    """Count a text's characters by script (on a sample of at most 200,000 characters)."""
    sample = text[:_SAMPLE_CHARS]
    r = Reading()
    for ch in sample:
        o = ord(ch)
        if o < 0x80:
            continue
        if 0x3041 <= o <= 0x30FF and o not in (0x30FB, 0x30FC):
            r.kana += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            r.kanji += 1
            if not _in_jis_x_0208(ch):
                r.kanji_outside_jis += 1
        elif 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            r.hangul += 1
        elif 0x0400 <= o <= 0x04FF:
            r.cyrillic += 1
        elif 0xFF61 <= o <= 0xFF9F:
            r.halfwidth_kana += 1
            r.kana += 1
        elif o == 0xFFFD or 0xE000 <= o <= 0xF8FF or (0x80 <= o <= 0x9F):
            r.bad += 1
    words = _LATIN_WORD.findall(sample)
    r.latin_words = len(words)
    r.english_words = sum(1 for w in words if w.lower() in _ENGLISH_WORDS)
    return r


def not_japanese_reason(text: str, encoding_name: str, data: bytes | None = None) -> str | None:
    """``None`` when ``text`` reads as Japanese (or is too short to tell); otherwise one line
    naming what it looks like, e.g. "this looks like Chinese (GB2312), not Japanese"."""
    r = reading(text)
    if r.is_japanese:
        return None
    if r.hangul and r.hangul >= r.kanji:
        what = "Korean"
    elif r.kanji and r.kana < 0.05 * (r.kana + r.kanji):
        what = f"Chinese ({_chinese_codec(encoding_name, data)})"
    elif r.cyrillic * 2 >= r.letters:
        what = "Russian or another Cyrillic-script language"
    elif r.latin_words * 2 >= r.letters:
        what = "English" if r.english_words * 10 >= r.latin_words else "a Latin-script language"
    elif r.bad:
        what = f"mis-decoded text ({encoding_name})"
    else:
        what = "text in another language"
    return (
        f"this looks like {what}, not Japanese: set the source language (or the encoding) "
        "explicitly to import it anyway"
    )


def _chinese_codec(encoding_name: str, data: bytes | None) -> str:
    name = codecs.lookup(encoding_name).name if encoding_name else ""
    if name in ("gb18030", "gbk", "gb2312") and data is not None:
        try:
            data.decode("gb2312")
            return "GB2312"
        except UnicodeDecodeError:
            return "GB18030"
    return {"big5": "Big5", "big5hkscs": "Big5-HKSCS", "utf-8": "UTF-8"}.get(name, name.upper())


def _decode_as(data: bytes, wanted: str) -> tuple[str, str]:
    try:
        name = codecs.lookup(wanted).name
    except LookupError as exc:
        raise DecodingError(f"unknown encoding {wanted!r}") from exc
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"
    elif name in ("utf-16", "utf-32") and not data[:4].startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        name = f"{name}-le"
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        raise DecodingError(
            f"the file is not valid {wanted} text (undecodable byte at offset {exc.start})"
        ) from exc
    return _finish(text, name)


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    match = from_bytes(data[: 1024 * 1024]).best()
    if match is None or match.encoding is None:
        return None
    if match.chaos > 0.2:
        return None
    try:
        return data.decode(match.encoding), match.encoding
    except (UnicodeDecodeError, LookupError):
        return None
