"""The input formats an import reads: one registry (name → reader, extensions, aliases).

Forms, management commands, the pipeline and format detection all build their choices from
:data:`INPUT_FORMATS` (the pattern of pysubs2's ``formats/__init__.py``): adding a format is one
entry here, and an alias such as ``ssa`` is resolved in one place, :func:`get_format`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from translator.core.errors import FormatError, InputTooLargeError
from translator.core.json_transcript import looks_like_json, parse_json_transcript
from translator.core.structure import parse_text_transcript
from translator.core.subtitle_input import looks_like_srt, parse_timed
from translator.core.types import ParsedDocument

AUTO = "auto"  # the choice that means "detect it"
# An untimed transcript longer than this is refused before segmentation (about 40 hours of
# speech at 7 characters a second): import stays within bounded time and memory even for a
# 20 MB single line, which used to crash MeCab.
MAX_TEXT_CHARS = 1_000_000


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need besides the text."""

    protected_terms: Sequence[str] = ()
    track: str | None = None  # timed files: the language track to read as the source


Reader = Callable[[str, ReadOptions], ParsedDocument]


@dataclass(frozen=True)
class InputFormat:
    """One importable format.

    ``timed_file``: a subtitle file (events with times, language tracks). ``untimed``: the
    reader gives paragraphs only; the pipeline splits them into sentences and cues and
    estimates their times."""

    name: str
    label: str
    extensions: tuple[str, ...]
    read: Reader
    aliases: tuple[str, ...] = ()
    timed_file: bool = False
    untimed: bool = False


def _read_text(text: str, options: ReadOptions) -> ParsedDocument:
    if len(text) > MAX_TEXT_CHARS:
        raise InputTooLargeError(
            f"the transcript has {len(text):,} characters, over the limit of "
            f"{MAX_TEXT_CHARS:,} for an untimed transcript (split it into episodes)"
        )
    return parse_text_transcript(text)


def _read_json(text: str, options: ReadOptions) -> ParsedDocument:
    return parse_json_transcript(
        text, protected_terms=options.protected_terms, max_chars=MAX_TEXT_CHARS
    )


def _timed_reader(fmt: str) -> Reader:
    def read(text: str, options: ReadOptions) -> ParsedDocument:
        return parse_timed(text, fmt, track=options.track)

    return read


INPUT_FORMATS: tuple[InputFormat, ...] = (
    InputFormat(
        "text", "Transcript text / Markdown", (".txt", ".md", ".markdown"), _read_text, untimed=True
    ),
    InputFormat("srt", "SRT", (".srt",), _timed_reader("srt"), timed_file=True),
    InputFormat("vtt", "WebVTT", (".vtt",), _timed_reader("vtt"), timed_file=True),
    InputFormat(
        "ass", "ASS / SSA", (".ass", ".ssa"), _timed_reader("ass"), ("ssa",), timed_file=True
    ),
    InputFormat(
        "json",
        "Speech-recognition JSON (Whisper, WhisperX, AssemblyAI)",
        (".json",),
        _read_json,
    ),
)
_BY_NAME = {f.name: f for f in INPUT_FORMATS} | {a: f for f in INPUT_FORMATS for a in f.aliases}
FORMAT_NAMES = tuple(f.name for f in INPUT_FORMATS)
TIMED_FILE_FORMATS = tuple(f for f in INPUT_FORMATS if f.timed_file)
# File endings of timed subtitle files (.srt .vtt .ass .ssa): captions, an English file.
TIMED_FILE_EXTENSIONS = tuple(ext for f in TIMED_FILE_FORMATS for ext in f.extensions)


def get_format(name: str) -> InputFormat:
    """The format called ``name`` or one of its aliases (any case); :class:`FormatError`
    naming the choices otherwise."""
    spec = _BY_NAME.get((name or "").lower())
    if spec is None:
        raise FormatError(
            f"unsupported format {name!r} (use one of: {AUTO}, {', '.join(FORMAT_NAMES)})"
        )
    return spec


def extensions(*, timed_file: bool = False) -> tuple[str, ...]:
    """The file endings of every format (or of timed subtitle files only), in registry order."""
    return tuple(
        ext for f in INPUT_FORMATS if f.timed_file or not timed_file for ext in f.extensions
    )


def format_for_filename(filename: str | None) -> InputFormat | None:
    lower = (filename or "").lower()
    for spec in INPUT_FORMATS:
        if lower.endswith(spec.extensions):
            return spec
    return None


_TIME = r"(?:\d{1,3}:)?\d{1,2}:\d{2}[,.]\d{1,3}"


def detect_format(text: str, filename: str | None = None) -> str:
    """The format's name from the content (JSON, WebVTT, ASS/SSA, SRT), else from the file's
    extension, else ``text``."""
    if _is_json(text, filename):
        return "json"
    head = text.lstrip("\ufeff \t\n")[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("[Script Info]") or re.search(r"^\[V4\+? Styles\]|^\[Events\]", head, re.M):
        return "ass"
    if looks_like_srt(head):
        return "srt"
    by_name = format_for_filename(filename)
    if by_name is not None and by_name.name != "json":
        return by_name.name
    if re.search(rf"^{_TIME}\s*-->", head, re.M):
        return "srt"
    return "text"


def _is_json(text: str, filename: str | None) -> bool:
    if (filename or "").lower().endswith(".json"):
        return True
    if not looks_like_json(text):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False  # "[00:00:05] 木村: …" is a transcript line, not JSON
    return True
