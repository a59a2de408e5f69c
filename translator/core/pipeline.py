"""The one entry point import calls: bytes or text in, a fully segmented document out.

decode → detect format → structure (text) or timed events (srt/vtt/ass) → sentences → cues →
estimated timing (untimed text only). Bad input raises only :class:`InputError` subclasses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from translator.core.cues import split_cues
from translator.core.encoding import decode_bytes, normalize_newlines
from translator.core.errors import (
    DecodingError,
    EmptyInputError,
    FormatError,
    InputTooLargeError,
)
from translator.core.sentences import split_sentences
from translator.core.structure import parse_text_transcript
from translator.core.subtitle_input import FORMATS, detect_format, join_lines, parse_timed
from translator.core.timing import estimate_timing
from translator.core.types import ParagraphKind, ParsedDocument, SentenceDraft

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def segment_document(
    data: bytes | str,
    *,
    filename: str | None = None,
    fmt: str = "auto",
    encoding: str = "auto",
    title: str | None = None,
    duration_ms: int | None = None,
    protected_terms: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    track: str | None = None,
) -> ParsedDocument:
    """Decode, parse and segment an import file; every transcript cue gets a time.
    ``track``: for timed files, the language code of the track to import (default Japanese)."""
    if isinstance(data, bytes):
        text, encoding_name = decode_bytes(data, encoding=encoding, max_bytes=max_bytes)
    else:
        size = len(data.encode("utf-8", errors="surrogatepass"))
        if size > max_bytes:
            raise InputTooLargeError(
                f"the text is {size:,} bytes, over the limit of {max_bytes:,} bytes"
            )
        text, encoding_name = normalize_newlines(data), "utf-8"
        if "\x00" in text:
            raise DecodingError("the text contains NUL characters (binary data?)")
    if not text.strip():
        raise EmptyInputError("the file contains no text")

    fmt = (fmt or "auto").lower()
    if fmt == "ssa":
        fmt = "ass"
    if fmt == "auto":
        fmt = detect_format(text, filename)
    if fmt not in FORMATS:
        raise FormatError(f"unsupported format {fmt!r} (use one of: auto, {', '.join(FORMATS)})")

    if fmt == "text":
        doc = parse_text_transcript(text)
        _segment_text(doc, protected_terms)
    else:
        doc = parse_timed(text, fmt, track=track)
    doc.paragraphs = [p for p in doc.paragraphs if p.sentences]
    if not any(p.kind == ParagraphKind.TRANSCRIPT for p in doc.paragraphs):
        if not doc.paragraphs:
            raise EmptyInputError("no recognisable text to import")
        if all(p.kind == ParagraphKind.SOUND for p in doc.paragraphs):
            doc.warnings.append("no dialogue found; only sound cues were imported")
        else:
            doc.warnings.append("no transcript turns found; only show notes were imported")

    doc.source_format = fmt
    doc.encoding = encoding_name
    if duration_ms is not None:
        doc.duration_ms = duration_ms
    if fmt == "text":
        estimate_timing(doc.paragraphs, duration_ms=duration_ms)
        if doc.duration_ms is None:
            ends = [c.end_ms for p in doc.paragraphs for s in p.sentences for c in s.cues]
            doc.duration_ms = max((e for e in ends if e is not None), default=None)
    doc.title = _title(title, doc.title, filename)
    return doc


def _segment_text(doc: ParsedDocument, protected_terms: Sequence[str]) -> None:
    previous: str | None = None
    for paragraph in doc.paragraphs:
        text = join_lines(paragraph.raw_text.split("\n"))
        context = previous if paragraph.kind == ParagraphKind.TRANSCRIPT else None
        for sentence_text in split_sentences(text, previous=context):
            sentence = SentenceDraft(sentence_text)
            sentence.cues = split_cues(sentence_text, protected=protected_terms)
            paragraph.sentences.append(sentence)
        if paragraph.kind == ParagraphKind.TRANSCRIPT:
            previous = text


def _title(given: str | None, found: str, filename: str | None) -> str:
    for candidate in (given, found):
        if candidate and candidate.strip():
            return candidate.strip()[:200]
    if filename:
        stem = PurePath(filename).stem
        stem = re.sub(r"[_\-]+", " ", stem).strip()
        if stem:
            return stem[:200]
    return "Untitled"
