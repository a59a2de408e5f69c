"""The one entry point import calls: bytes or text in, a fully segmented document out.

decode → detect format → structure (text), speech-recognition JSON, or timed events
(srt/vtt/ass) → is it Japanese? → the kinds chosen in the preview → sentences (ASR spaces
removed, unpunctuated speech bounded) → cues → estimated timing (untimed text only, anchored at
the timestamps written in it). Bad input raises only :class:`InputError` subclasses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath

from translator.core.cues import split_cues
from translator.core.encoding import decode_bytes, normalize_newlines, not_japanese_reason
from translator.core.errors import (
    DecodingError,
    EmptyInputError,
    InputTooLargeError,
    NotJapaneseError,
)
from translator.core.formats import (
    AUTO,
    MAX_TEXT_CHARS,
    InputFormat,
    ReadOptions,
    detect_format,
    get_format,
)
from translator.core.report import ReportCategory
from translator.core.requests import ImportRequest
from translator.core.sentences import asr_space_count, remove_asr_spaces, split_sentences
from translator.core.timing import estimate_timing
from translator.core.types import Paragraph, ParagraphKind, ParsedDocument, SentenceDraft

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
LEFT_OUT = "left_out"  # the preview's fourth choice of kind
__all__ = ["LEFT_OUT", "MAX_TEXT_CHARS", "apply_kinds", "segment_document"]


def segment_document(
    data: bytes | str,
    request: ImportRequest | None = None,
    *,
    protected_terms: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedDocument:
    """Decode, parse and segment an import file as ``request`` says; every transcript cue
    gets a time.

    Text that does not read as Japanese is refused (:class:`NotJapaneseError`) unless
    ``request.check_language`` is false, an encoding is given explicitly, or (timed files)
    another track than the Japanese one is chosen: the user's override. The request's
    ``kinds`` are applied (the preview's choices); its ``english_*`` fields are the
    service's concern."""
    request = request or ImportRequest()
    text, encoding_name = _decode(data, request.encoding, max_bytes)
    spec = _input_format(text, request)
    check = request.check_language and (not isinstance(data, bytes) or request.encoding == AUTO)
    if spec.timed_file and request.track not in (None, "", "ja"):
        check = False
    doc = spec.read(text, ReadOptions(protected_terms=protected_terms, track=request.track))
    if check:
        _check_japanese(doc, encoding_name, data if isinstance(data, bytes) else None)
    apply_kinds(doc, request.kinds)
    if spec.untimed:
        _segment_text(doc, protected_terms)
    _keep_paragraphs_with_text(doc)
    doc.source_format = spec.name
    doc.encoding = encoding_name
    if request.duration_ms is not None:
        doc.duration_ms = request.duration_ms
    if spec.untimed:
        estimate_timing(doc.paragraphs, duration_ms=request.duration_ms)
        if doc.duration_ms is None:
            ends = [c.end_ms for p in doc.paragraphs for s in p.sentences for c in s.cues]
            doc.duration_ms = max((e for e in ends if e is not None), default=None)
    doc.title = _title(request.title, doc.title, request.filename)
    return doc


def _decode(data: bytes | str, encoding: str, max_bytes: int) -> tuple[str, str]:
    """The text and the name of its encoding; refuses oversized, binary and empty input."""
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
    return text, encoding_name


def _input_format(text: str, request: ImportRequest) -> InputFormat:
    name = (request.format or AUTO).lower()
    if name == AUTO:
        name = detect_format(text, request.filename)
    return get_format(name)


def _keep_paragraphs_with_text(doc: ParsedDocument) -> None:
    """Drop empty paragraphs; refuse a document with nothing left, warn when no dialogue."""
    doc.paragraphs = [p for p in doc.paragraphs if p.sentences]
    if any(p.kind == ParagraphKind.TRANSCRIPT for p in doc.paragraphs):
        return
    if not doc.paragraphs:
        raise EmptyInputError("no recognisable text to import")
    if all(p.kind == ParagraphKind.SOUND for p in doc.paragraphs):
        doc.warnings.append("no dialogue found; only sound cues were imported")
    else:
        doc.warnings.append("no transcript turns found; only show notes were imported")


KIND_CHOICES = ("transcript", "description", "show_note", LEFT_OUT)


def apply_kinds(doc: ParsedDocument, kinds: Mapping[int, str] | None) -> None:
    """Apply the kinds the user chose in the preview (by ``line_no``): a paragraph may become
    another kind or be left out; a left-out line may be kept as any kind."""
    if not kinds:
        return
    kept: list[Paragraph] = []
    left: list[Paragraph] = []
    for paragraph in doc.paragraphs:
        want = kinds.get(paragraph.line_no) if paragraph.line_no is not None else None
        if want == LEFT_OUT:
            left.append(paragraph)
            doc.report.add(
                ReportCategory.LEFT_OUT,
                "by_user",
                "left out in the preview",
                example=paragraph.raw_text,
                line_no=paragraph.line_no,
            )
            continue
        if want in KIND_CHOICES:
            _set_kind(paragraph, ParagraphKind(want))
        kept.append(paragraph)
    for paragraph in doc.left_out:
        want = kinds.get(paragraph.line_no) if paragraph.line_no is not None else None
        if want in KIND_CHOICES and want != LEFT_OUT:
            _set_kind(paragraph, ParagraphKind(want))
            kept.append(paragraph)
            entry = doc.report.entry("kept_by_user") or doc.report.add(
                ReportCategory.MOVED, "kept_by_user", "kept in the preview", count=0
            )
            entry.count += 1
        else:
            left.append(paragraph)
    kept.sort(key=lambda p: p.line_no if p.line_no is not None else 0)
    doc.paragraphs = kept
    doc.left_out = sorted(left, key=lambda p: p.line_no if p.line_no is not None else 0)


def _set_kind(paragraph: Paragraph, kind: ParagraphKind) -> None:
    if kind != ParagraphKind.TRANSCRIPT:
        paragraph.speaker = None
        paragraph.start_ms = None
        for sentence in paragraph.sentences:  # timed input: notes and descriptions are untimed
            for cue in sentence.cues:
                cue.start_ms = cue.end_ms = None
    paragraph.kind = kind


def _segment_text(doc: ParsedDocument, protected_terms: Sequence[str]) -> None:
    previous: str | None = None
    spaces = japanese = 0
    for paragraph in doc.paragraphs:
        a, b = asr_space_count(paragraph.raw_text)
        spaces, japanese = spaces + a, japanese + b
    # Tokenised ASR output (はい 始め て いき ましょ う): spaces between Japanese characters go.
    tokenised = spaces >= 3 and spaces * 8 >= japanese
    for paragraph in doc.paragraphs:
        text = _join(paragraph.raw_text.split("\n"))
        if tokenised:
            joined = remove_asr_spaces(text)
            if joined != text:
                doc.report.add(
                    ReportCategory.NORMALISED,
                    "asr_spaces",
                    "spaces between Japanese characters removed (tokenised speech recognition)",
                    example=text[:80],
                    line_no=paragraph.line_no,
                )
                text = joined
        context = previous if paragraph.kind == ParagraphKind.TRANSCRIPT else None
        for sentence_text in split_sentences(text, previous=context):
            sentence = SentenceDraft(sentence_text)
            sentence.cues = split_cues(sentence_text, protected=protected_terms)
            paragraph.sentences.append(sentence)
        if paragraph.kind == ParagraphKind.TRANSCRIPT:
            previous = text


_LATIN_END = re.compile(r"[A-Za-z0-9.,!?;:'\")\]]")
_LATIN_START = re.compile(r"[A-Za-z0-9(\"'\[]")


def _join(lines: list[str]) -> str:
    """Join display lines (no space between Japanese, one between Latin words); linear."""
    parts: list[str] = []
    last = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if last and _LATIN_END.fullmatch(last) and _LATIN_START.match(line):
            parts.append(" ")
        parts.append(line)
        last = line[-1]
    return "".join(parts)


def _check_japanese(doc: ParsedDocument, encoding_name: str, raw: bytes | None) -> None:
    """Refuse text that does not read as Japanese, judged on what would be imported (not on
    SRT timing lines or ASS style headers), in one line naming what it looks like."""
    sample: list[str] = []
    size = 0
    for paragraph in doc.paragraphs:
        sample.append(paragraph.raw_text)
        size += len(paragraph.raw_text)
        if size > 200_000:
            break
    reason = not_japanese_reason("\n".join(sample), encoding_name, raw)
    if reason:
        raise NotJapaneseError(reason)


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
