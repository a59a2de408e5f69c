"""The one entry point import calls: bytes or text in, a fully segmented document out.

decode → detect format → structure (text), speech-recognition JSON, or timed events
(srt/vtt/ass) → is it Japanese? → the kinds chosen in the preview → sentences (ASR spaces
removed, unpunctuated speech bounded) → cues → estimated timing (untimed text only, anchored at
the timestamps written in it). Bad input raises only :class:`InputError` subclasses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath

from translator.core.cues import split_cues
from translator.core.encoding import decode_bytes, normalize_newlines, not_japanese_reason
from translator.core.errors import (
    DecodingError,
    EmptyInputError,
    FormatError,
    InputTooLargeError,
    NotJapaneseError,
)
from translator.core.json_transcript import looks_like_json, parse_json_transcript
from translator.core.report import ReportCategory
from translator.core.sentences import asr_space_count, remove_asr_spaces, split_sentences
from translator.core.structure import parse_text_transcript
from translator.core.subtitle_input import FORMATS, detect_format, parse_timed
from translator.core.timing import estimate_timing
from translator.core.types import Paragraph, ParagraphKind, ParsedDocument, SentenceDraft

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
LEFT_OUT = "left_out"  # the preview's fourth choice of kind
ALL_FORMATS = (*FORMATS, "json")  # json: speech-recognition output (Whisper, AssemblyAI)
# An untimed transcript longer than this is refused before segmentation (about 40 hours of
# speech at 7 characters a second): import stays within bounded time and memory even for a
# 20 MB single line, which used to crash MeCab.
MAX_TEXT_CHARS = 1_000_000


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
    kinds: Mapping[int, str] | None = None,
    check_language: bool = True,
    track: str | None = None,
) -> ParsedDocument:
    """Decode, parse and segment an import file; every transcript cue gets a time.

    Text that does not read as Japanese is refused (:class:`NotJapaneseError`) unless
    ``check_language`` is false, an encoding is given explicitly, or (timed files) another
    track than the Japanese one is chosen: the user's override.

    ``kinds`` maps a paragraph's (or left-out line's) ``line_no`` to the kind the user chose in
    the preview: ``transcript``, ``description``, ``show_note`` or ``left_out``.
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
        fmt = "json" if _is_json_transcript(text, filename) else detect_format(text, filename)
    if fmt not in ALL_FORMATS:
        raise FormatError(
            f"unsupported format {fmt!r} (use one of: auto, {', '.join(ALL_FORMATS)})"
        )

    check = check_language and (not isinstance(data, bytes) or encoding == "auto")
    raw = data if isinstance(data, bytes) else None
    if fmt == "text":
        if len(text) > MAX_TEXT_CHARS:
            raise InputTooLargeError(
                f"the transcript has {len(text):,} characters, over the limit of "
                f"{MAX_TEXT_CHARS:,} for an untimed transcript (split it into episodes)"
            )
        doc = parse_text_transcript(text)
        if check:
            _check_japanese(doc, encoding_name, raw)
        apply_kinds(doc, kinds)
        _segment_text(doc, protected_terms)
    elif fmt == "json":
        doc = parse_json_transcript(text, protected_terms=protected_terms, max_chars=MAX_TEXT_CHARS)
        if check:
            _check_japanese(doc, encoding_name, raw)
        apply_kinds(doc, kinds)
    else:
        doc = parse_timed(text, fmt, track=track)
        if check and track in (None, "", "ja"):
            _check_japanese(doc, encoding_name, raw)
        apply_kinds(doc, kinds)
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


def _is_json_transcript(text: str, filename: str | None) -> bool:
    if (filename or "").lower().endswith(".json"):
        return True
    if not looks_like_json(text):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False  # "[00:00:05] 木村: …" is a transcript line, not JSON
    return True


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
