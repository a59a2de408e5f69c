"""Decode uploaded bytes to text (layer 1: pure Python, no Django).

Detection order for ``encoding="auto"``:

1. byte-order marks (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. binary data (NUL bytes, many control characters) is refused;
3. strict UTF-8;
4. the Japanese legacy codecs (CP932 = Shift_JIS with Microsoft extensions, EUC-JP), each
   decoded strictly and scored by how much of the result is plausible Japanese text (kana,
   common kanji, ASCII) versus rarely intended characters (half-width katakana runs, private
   use, control characters);
5. charset-normalizer as a last resort.

Newlines are normalised to ``\\n`` and a leading BOM character is dropped. The text the editor
sees is otherwise exactly the decoded input; :func:`normalize_for_matching` gives a folded copy
for comparisons only.
"""

from __future__ import annotations

import codecs
import unicodedata

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


def _japanese_score(text: str) -> float:
    """Higher is more plausible Japanese (or ASCII) text; per character."""
    if not text:
        return 0.0
    score = 0.0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            score += 0.5 if (ch.isprintable() or ch in "\n\t\r") else -5
        elif 0x3040 <= o <= 0x309F:  # hiragana: the strongest signal
            score += 2
        elif 0x30A0 <= o <= 0x30FF:  # katakana
            score += 1.5
        elif (
            0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0x4E00 <= o <= 0x9FFF
        ):  # CJK punctuation, full-width ASCII
            score += 1
        elif 0xFF61 <= o <= 0xFF9F:  # half-width katakana: rare in real text, common misdecode
            score -= 0.25
        elif 0xE000 <= o <= 0xF8FF or unicodedata.category(ch).startswith("C"):  # private use
            score -= 5
        else:
            score -= 0.5
    return score / len(text)


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

    best: tuple[float, str, str] | None = None
    for name in _JAPANESE_CODECS:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _japanese_score(text)
        if best is None or score > best[0]:
            best = (score, name, text)
    if best is not None and best[0] > 0.2:
        return _finish(best[2], best[1])

    guess = _charset_normalizer_guess(data)
    if guess is not None:
        return _finish(*guess)
    raise DecodingError(
        "could not detect the text encoding (tried UTF-8, UTF-16, CP932/Shift_JIS, EUC-JP); "
        "choose the encoding explicitly"
    )


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
