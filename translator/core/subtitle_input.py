"""Read timed subtitles (SRT, WebVTT, ASS/SSA) into paragraphs → sentences → imported cues.

pysubs2 parses the events; a line scan before it checks what pysubs2 would silently accept
(malformed or reversed timestamps, a cue cut off after its timing line) so the error names the
line. Markup (``{\\i1}``, ``<i>``, ``<v Name>``) is stripped to plain text; the ASS Name field, a
VTT voice tag, or a leading ``（名前）``/``(名前)``/``名前：`` gives the speaker. Lines of one cue are
joined (no space between Japanese, one space between Latin words).

Consecutive cues of the same speaker form one paragraph (a new paragraph also starts after a
pause of ``PARAGRAPH_GAP_MS``); the paragraph is split into sentences, and each original cue
becomes a :class:`CueDraft` (``Timing.IMPORTED``) over its slice of the sentence. A cue that
holds the end of one sentence and the start of the next is split in two, its time span divided
in proportion to the characters on each side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pysubs2

from translator.core.errors import FormatError
from translator.core.sentences import sentence_spans
from translator.core.structure import is_label_like
from translator.core.types import (
    CueDraft,
    Paragraph,
    ParagraphKind,
    ParsedDocument,
    SentenceDraft,
    TimedLine,
    Timing,
)

FORMATS = ("text", "srt", "vtt", "ass")
PARAGRAPH_GAP_MS = 1500
_EXTENSIONS = {
    ".srt": "srt",
    ".vtt": "vtt",
    ".ass": "ass",
    ".ssa": "ass",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
}
_PYSUBS2_FORMAT = {"srt": "srt", "vtt": "vtt", "ass": "ass"}
_TIME = r"(?:\d{1,3}:)?\d{1,2}:\d{2}[,.]\d{1,3}"
_TIMING_LINE = re.compile(rf"^\s*({_TIME})\s*-->\s*({_TIME})(?:\s+.*)?$")
_SRT_START = re.compile(rf"^\s*\d+\s*\n\s*{_TIME}\s*-->")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>\n]*>|\{\\[^}]*\}")
# WebVTT inline word timestamps (YouTube auto-captions): <00:01:02.345>
_INLINE_TIME = re.compile(r"<(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[.,](\d{3})>")
_PROTECTED_TIME = re.compile("\ue000(\\d+)\ue001")  # private-use marks pysubs2 keeps
_SPEAKER_PAREN = re.compile(r"^\s*[（(]([^）)\n]{1,20})[）)]\s*")
_SPEAKER_COLON = re.compile(r"^\s*([^:：\s]{1,12})\s*[：:]\s*(?=\S)")
_LATIN_END = re.compile(r"[A-Za-z0-9.,!?;:'\")\]]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(\"'\[]")


def detect_format(text: str, filename: str | None = None) -> str:
    """``text`` | ``srt`` | ``vtt`` | ``ass`` from the content, else from the file extension."""
    head = text.lstrip("\ufeff \t\n")[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("[Script Info]") or re.search(r"^\[V4\+? Styles\]|^\[Events\]", head, re.M):
        return "ass"
    if _SRT_START.match(head):
        return "srt"
    if filename:
        lower = filename.lower()
        for ext, fmt in _EXTENSIONS.items():
            if lower.endswith(ext):
                return fmt
    if re.search(rf"^{_TIME}\s*-->", head, re.M):
        return "srt"
    return "text"


def join_lines(lines: list[str]) -> str:
    """Join display lines: no space between Japanese, one space between Latin words."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out and _LATIN_END.search(out) and _LATIN_START.match(line):
            out += " "
        out += line
    return out


@dataclass
class _Event:
    line: TimedLine
    lines: list[str]  # display lines, plain text
    line_no: int | None


_CUE_NUMBER = re.compile(r"^\s*\d+\s*$")
_TIME_ONLY = re.compile(rf"^\s*{_TIME}")
_VTT_META = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")


def _clean_blocks(text: str, fmt: str) -> str:
    """Blank out WebVTT NOTE/STYLE/REGION blocks (line numbers kept) so their text never joins
    a cue; refuse a cue whose timing line is missing (a cue number or a timestamp followed by
    no ``-->`` line), which pysubs2 would otherwise glue onto the previous cue."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip():
            j += 1
        first = lines[i]
        if fmt == "vtt" and (i == 0 or first.lstrip("\ufeff").startswith("WEBVTT")):
            pass  # the header block
        elif fmt == "vtt" and _VTT_META.match(first):
            lines[i:j] = [""] * (j - i)
        elif not any("-->" in ln for ln in lines[i:j]) and (
            _TIME_ONLY.match(first) or (_CUE_NUMBER.match(first) and j - i > 1)
        ):
            raise FormatError("a cue has no timing line (missing timestamp?)", line_no=i + 1)
        i = j
    return "\n".join(lines)


def _scan_timing_lines(text: str, fmt: str) -> list[tuple[int, str | None]]:
    """Validate SRT/VTT timing lines; return (line_no, voice) per cue, in order."""
    lines = text.split("\n")
    cues: list[tuple[int, str | None]] = []
    for i, line in enumerate(lines):
        if "-->" not in line:
            continue
        m = _TIMING_LINE.match(line)
        if not m:
            raise FormatError("malformed timing line", line_no=i + 1)
        start, end = (_parse_ms(m.group(k)) for k in (1, 2))
        if end < start:
            raise FormatError("cue ends before it starts", line_no=i + 1)
        body = []
        for nxt in lines[i + 1 :]:
            if not nxt.strip():
                break
            body.append(nxt)
        if not body and not any(ln.strip() for ln in lines[i + 1 :]):
            raise FormatError("the last cue has no text (truncated file?)", line_no=i + 1)
        voice = _VOICE.search(body[0]) if body else None
        cues.append((i + 1, voice.group(1).strip() if voice else None))
    if not cues:
        raise FormatError(f"no {fmt.upper()} cues found (no 'start --> end' timing lines)")
    return cues


def _parse_ms(value: str) -> int:
    value = value.replace(",", ".")
    parts = value.split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) > 2 else 0
    return int(round((hours * 3600 + minutes * 60 + seconds) * 1000))


def _scan_ass(text: str) -> list[int]:
    lines = [i + 1 for i, ln in enumerate(text.split("\n")) if ln.lstrip().startswith("Dialogue:")]
    if not lines:
        raise FormatError("no Dialogue lines found in the [Events] section")
    return lines


def _protect_inline_times(text: str) -> str:
    """pysubs2 takes any text line holding exactly two timestamps for a timing line, which
    splits YouTube captions with word timestamps apart: hide them between private-use marks."""

    def hide(m: re.Match[str]) -> str:
        h, mi, sec, ms = (int(g or 0) for g in m.groups())
        return f"\ue000{((h * 60 + mi) * 60 + sec) * 1000 + ms}\ue001"

    return _INLINE_TIME.sub(hide, text)


def _restore_inline_times(text: str) -> str:
    def show(m: re.Match[str]) -> str:
        ms = int(m.group(1))
        h, rest = divmod(ms, 3_600_000)
        mi, rest = divmod(rest, 60_000)
        return f"<{h:02d}:{mi:02d}:{rest // 1000:02d}.{rest % 1000:03d}>"

    return _PROTECTED_TIME.sub(show, text)


def _load(text: str, fmt: str) -> pysubs2.SSAFile:
    if fmt in ("srt", "vtt"):
        text = _protect_inline_times(text)
    try:
        return pysubs2.SSAFile.from_string(text, format_=_PYSUBS2_FORMAT[fmt])
    except Exception as exc:  # pysubs2 raises several types for broken files
        raise FormatError(f"not a valid {fmt.upper()} file: {exc}".splitlines()[0]) from exc


def _read_events(text: str, fmt: str) -> list[_Event]:
    if fmt in ("srt", "vtt"):
        text = _clean_blocks(text, fmt)
        scanned: list[tuple[int, str | None]] = _scan_timing_lines(text, fmt)
    else:
        scanned = [(n, None) for n in _scan_ass(text)]
    subs = _load(text, fmt)
    dialogue = [e for e in subs.events if not e.is_comment]
    aligned = len(dialogue) == len(scanned)
    events: list[_Event] = []
    for k, ev in enumerate(dialogue):
        line_no, voice = scanned[k] if aligned else (None, None)
        if ev.end < ev.start:
            raise FormatError("event ends before it starts", line_no=line_no)
        plain = _PROTECTED_TIME.sub("", _TAG.sub("", ev.plaintext)).replace("\u200b", "")
        lines = [ln.strip() for ln in plain.split("\n") if ln.strip()]
        speaker = (ev.name or "").strip() or voice
        if lines and not speaker:
            speaker, lines[0] = _speaker_prefix(lines[0])
        lines = [ln for ln in lines if ln]
        if not lines:
            continue
        timed = TimedLine(int(ev.start), int(ev.end), join_lines(lines), speaker)
        events.append(_Event(timed, lines, line_no))
    if not events:
        raise FormatError(f"the {fmt.upper()} file has no subtitle text")
    return events


def read_caption_lines(text: str, fmt: str) -> list[TimedLine]:
    """The raw timed lines of a caption file, for timing alignment: inline word timestamps
    (``<00:00:01.000>``) and rolling-caption line breaks are kept, since they carry timing."""
    fmt = "ass" if fmt.lower() == "ssa" else fmt.lower()
    if fmt not in _PYSUBS2_FORMAT:
        raise FormatError(f"unsupported subtitle format {fmt!r}")
    subs = _load(text, fmt)
    lines = [
        TimedLine(
            int(ev.start),
            int(ev.end),
            _restore_inline_times(ev.text.replace("\\N", "\n")),
            ev.name or None,
        )
        for ev in subs.events
        if not ev.is_comment and ev.end >= ev.start and ev.text.strip()
    ]
    if not lines:
        raise FormatError(f"the {fmt.upper()} file has no subtitle text")
    return lines


def _speaker_prefix(line: str) -> tuple[str | None, str]:
    for pattern in (_SPEAKER_PAREN, _SPEAKER_COLON):
        m = pattern.match(line)
        if m and is_label_like(m.group(1)):
            return m.group(1).strip(), line[m.end() :].strip()
    return None, line


def parse_timed(text: str, fmt: str) -> ParsedDocument:
    """Parse a timed subtitle file; raise :class:`FormatError` (with a line number where
    possible) for truncated or malformed files."""
    fmt = fmt.lower()
    if fmt == "ssa":
        fmt = "ass"
    if fmt not in _PYSUBS2_FORMAT:
        raise FormatError(f"unsupported subtitle format {fmt!r}")
    events = _read_events(text, fmt)
    groups: list[list[_Event]] = []
    for ev in events:
        if groups:
            last = groups[-1][-1].line
            same = ev.line.speaker is None or ev.line.speaker == last.speaker
            if same and ev.line.start_ms - last.end_ms < PARAGRAPH_GAP_MS:
                groups[-1].append(ev)
                continue
        groups.append([ev])
    paragraphs = [_paragraph(group) for group in groups]
    return ParsedDocument(
        title="",
        paragraphs=paragraphs,
        source_format=fmt,
        duration_ms=max(ev.line.end_ms for ev in events),
    )


def _paragraph(group: list[_Event]) -> Paragraph:
    text = ""
    ev_spans: list[tuple[int, int]] = []
    line_spans: list[list[tuple[int, int]]] = []
    for ev in group:
        sep = " " if text and _LATIN_END.search(text) and _LATIN_START.match(ev.line.text) else ""
        text += sep
        start = len(text)
        spans: list[tuple[int, int]] = []
        for line in ev.lines:
            lsep = " " if len(text) > start and _LATIN_END.search(text) else ""
            lsep = lsep if _LATIN_START.match(line) else ""
            text += lsep
            spans.append((len(text), len(text) + len(line)))
            text += line
        ev_spans.append((start, len(text)))
        line_spans.append(spans)
    speaker = next((ev.line.speaker for ev in group if ev.line.speaker), None)
    paragraph = Paragraph(
        ParagraphKind.TRANSCRIPT,
        text,
        speaker=speaker,
        start_ms=group[0].line.start_ms,
        line_no=group[0].line_no,
        source_events=[ev.line for ev in group],
    )
    for a, b in sentence_spans(text):
        sentence = SentenceDraft(text[a:b])
        overlapping = [k for k, (ea, eb) in enumerate(ev_spans) if ea < b and eb > a]
        for idx, k in enumerate(overlapping):
            ea, eb = ev_spans[k]
            lo, hi = max(a, ea), min(b, eb)
            src_start = 0 if idx == 0 else lo - a
            src_end = len(sentence.text) if idx == len(overlapping) - 1 else hi - a
            ev = group[k].line
            total = max(1, eb - ea)
            duration = ev.end_ms - ev.start_ms
            start_ms = ev.start_ms + round(duration * (lo - ea) / total)
            end_ms = ev.start_ms + round(duration * (hi - ea) / total)
            lines = [
                text[max(la, lo) : min(lb, hi)].strip()
                for la, lb in line_spans[k]
                if la < hi and lb > lo and text[max(la, lo) : min(lb, hi)].strip()
            ]
            sentence.cues.append(
                CueDraft(src_start, src_end, lines, start_ms, end_ms, Timing.IMPORTED)
            )
        paragraph.sentences.append(sentence)
    return paragraph
