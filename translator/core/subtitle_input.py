"""Read timed subtitles (SRT, WebVTT, ASS/SSA) into paragraphs → sentences → imported cues.

Faithful to what real files hold, every stage linear in the input:

1. **Read events** with a tolerant line scanner per format (own parsers, not pysubs2, so each
   event keeps its line number and one damaged event cannot sink the file): SRT/VTT blocks,
   VTT ``NOTE``/``STYLE``/``REGION`` blocks skipped, ASS/SSA sections by name (``[V4 Styles]``
   and ``Marked=`` events of SSA v4 as well as ``[V4+ Styles]``), ``[Fonts]``/``[Graphics]``
   and ``Comment:`` events left out. A garbled timing line, a cue without a timing line, a cue
   with no text are left out; an event ending before it starts gets the minimum duration; a
   stray BOM in mid-file is removed. All of it is listed in ``doc.report`` with line numbers;
   the file is refused (one line) only when no event can be read.
2. **Markup** (:mod:`translator.core.subtitle_markup`): tags removed, ruby ``{漢字|かんじ}`` keeps
   its base (the reading stays on the cue, never in the text an engine sees), ``\\p1`` drawings
   and ``# key=value`` directive lines left out.
3. **Half-width forms** (``｡ ｢ ｣ ､ ･ ｰ``, ``ﾏｲﾅｽ``) made full-width (:mod:`translator.core.normalize`).
4. **Tracks** (:mod:`translator.core.tracks`): lines are told apart by style and script; the
   Japanese track is the source unless another is asked for; the others are kept on
   ``doc.other_tracks`` (an English track can be imported as the existing translation).
5. **Zero-length cues and exact duplicates** (same text, overlapping time) are left out;
   **simultaneous events** (start and end within :data:`SAME_TIME_MS`) are the lines of one cue,
   ordered as they stand on screen (``\\pos`` y, ``\\an``/style alignment, VTT ``line:``; file
   order otherwise). Overlapping cues keep their imported times (export resolves them).
6. **Rolling captions** (each cue repeating the previous one's last line) are de-duplicated.
7. **Labels** (:mod:`translator.core.cue_labels`): speaker labels and sound labels (sound cues).
8. **Sentences** (:mod:`translator.core.cue_sentences`).

The ASS Name field, a VTT voice tag or a label gives the speaker. Lines of one cue are joined
(no space between Japanese, one space between Latin words).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field

import pysubs2

from translator.core.align.data import _ROLLING_MIN_OVERLAP
from translator.core.align.normalise import _rolling_overlap
from translator.core.cue_labels import SOUND, label_names, split_pieces
from translator.core.cue_sentences import PARAGRAPH_GAP_MS, TimedUnit, build_paragraphs
from translator.core.errors import FormatError
from translator.core.normalize import full_width, has_half_width
from translator.core.report import ImportReport, ReportCategory
from translator.core.subtitle_markup import Markup, clean_markup
from translator.core.timing_rules import MIN_DURATION_MS
from translator.core.tracks import (
    DECIDED,
    JA,
    LANGUAGE_NAMES,
    ROMAJI,
    has_karaoke,
    line_language,
    style_languages,
)
from translator.core.types import ParagraphKind, ParsedDocument, TimedLine

__all__ = [
    "PARAGRAPH_GAP_MS",
    "SAME_TIME_MS",
    "join_lines",
    "looks_like_srt",
    "parse_timed",
    "read_caption_lines",
]

SAME_TIME_MS = 42  # one frame at 23.976 fps: events this close in start and end are one cue
_PYSUBS2_FORMAT = {"srt": "srt", "vtt": "vtt", "ass": "ass"}
_TIME = r"(?:\d{1,3}:)?\d{1,2}:\d{2}[,.]\d{1,3}"
_TIMING_LINE = re.compile(rf"^\s*({_TIME})\s*-->\s*({_TIME})(?:\s+(.*))?$")
_SRT_START = re.compile(rf"^\s*\d+\s*\n\s*{_TIME}\s*-->")
_INLINE_TIME = re.compile(r"<(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[.,](\d{3})>")
_PROTECTED_TIME = re.compile("\ue000(\\d+)\ue001")  # private-use marks pysubs2 keeps
_LATIN_END = re.compile(r"[A-Za-z0-9.,!?;:'\")\]]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(\"'\[]")
_CUE_NUMBER = re.compile(r"^\s*\d+\s*$")
_TIME_ONLY = re.compile(rf"^\s*{_TIME}")
_VTT_META = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_DIRECTIVE = re.compile(r"^\s*#\s*[A-Za-z_][\w.\-]*\s*=")
_ASS_TIME = re.compile(r"^\s*(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$")
_VTT_LINE = re.compile(r"(?:^|\s)line:(-?\d+(?:\.\d+)?)(%?)")
_ROLLING_MIN_SHARE = 0.5
_ROLLING_TAIL = 200
_ORPHAN = re.compile(r"^[。．.、，,！？!?…‥」』）)]+$")


def looks_like_srt(head: str) -> bool:
    """Whether the start of a file reads as SRT (a cue number, then a timing line)."""
    return bool(_SRT_START.match(head))


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


@dataclass(slots=True)
class RawEvent:
    """One event as the file states it (markup still in ``text``)."""

    start_ms: int
    end_ms: int
    text: str
    line_no: int | None
    style: str = ""
    name: str = ""
    settings: str = ""  # WebVTT cue settings
    order: int = 0
    more: list[str] = field(default_factory=list)  # SRT text after a blank line in the cue


@dataclass(slots=True)
class _Cue:
    start_ms: int
    end_ms: int
    lines: list[str]
    line_no: int | None
    speaker: str | None = None  # Name field / voice tag
    y: float = 1.0  # vertical position, 0 top … 1 bottom
    order: int = 0
    ruby: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_lines(self.lines)


def _parse_ms(value: str) -> int:
    value = value.replace(",", ".")
    parts = value.split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) > 2 else 0
    return int(round((hours * 3600 + minutes * 60 + seconds) * 1000))


def _strip_boms(text: str, report: ImportReport) -> str:
    text = text.removeprefix("\ufeff")
    count = text.count("\ufeff")
    if count:
        report.add(
            ReportCategory.NORMALISED,
            "stray_bom",
            "byte-order marks in mid-file removed",
            count=count,
        )
        text = text.replace("\ufeff", "")
    return text


def _directive(line: str, line_no: int, report: ImportReport) -> bool:
    if _DIRECTIVE.match(line):
        report.add(
            ReportCategory.LEFT_OUT,
            "directive",
            "renderer directive lines (# key=value) left out",
            example=line.strip(),
            line_no=line_no,
        )
        return True
    return False


def _read_srt_vtt(text: str, fmt: str, report: ImportReport) -> list[RawEvent]:
    """SRT/WebVTT blocks → events; one pass over the lines."""
    lines = text.split("\n")
    events: list[RawEvent] = []
    errors: list[tuple[str, int]] = []
    pending: list[list[tuple[int, str]]] = []
    i = 0
    n = len(lines)
    header = fmt == "vtt"

    # WebVTT: only an empty line ends a cue (YouTube captions hold lines of one space);
    # SRT: a line of spaces too.
    def blank(line: str) -> bool:
        return not line if fmt == "vtt" else not line.strip()

    while i < n:
        if blank(lines[i]):
            i += 1
            continue
        j = i
        while j < n and not blank(lines[j]):
            j += 1
        block = lines[i:j]
        start_line = i + 1
        i = j
        if header:
            header = False
            if block[0].lstrip().startswith("WEBVTT"):
                continue
        if fmt == "vtt" and _VTT_META.match(block[0]):
            continue
        block_lines = [(start_line + k, ln) for k, ln in enumerate(block)]
        block_lines = [(no, ln) for no, ln in block_lines if not _directive(ln, no, report)]
        if not block_lines:
            continue
        # A timing line inside a block starts the next cue (a blank line was lost).
        starts = [k for k, (_no, ln) in enumerate(block_lines) if "-->" in ln]
        for a, b in zip(starts, starts[1:], strict=False):
            if b - 1 > a and _CUE_NUMBER.match(block_lines[b - 1][1]):
                starts[starts.index(b)] = b - 1
        if len(starts) > 1:
            cut = [0, *starts[1:], len(block_lines)]
            pending.extend(block_lines[x:y] for x, y in zip(cut, cut[1:], strict=False))
        else:
            pending.append(block_lines)
        while pending:
            _read_block(pending.pop(0), fmt, events, report, errors)
    if not events:
        if errors:
            raise FormatError(errors[0][0], line_no=errors[0][1])
        raise FormatError(f"no {fmt.upper()} cues found (no 'start --> end' timing lines)")
    return events


def _read_block(
    block_lines: list[tuple[int, str]],
    fmt: str,
    events: list[RawEvent],
    report: ImportReport,
    errors: list[tuple[str, int]],
) -> None:
    timing_at = next((k for k, (_no, ln) in enumerate(block_lines) if "-->" in ln), None)
    if timing_at is None:
        if fmt == "srt" and events and not _looks_like_cue_start(block_lines):
            # A blank line inside a cue's text: the text goes on (pysubs2 does the same).
            events[-1].more.extend(ln for _no, ln in block_lines)
            return
        no, first = block_lines[0]
        report.add(
            ReportCategory.LEFT_OUT,
            "no_timing",
            "cues with no timing line left out",
            example=" / ".join(ln.strip() for _n, ln in block_lines)[:120],
            line_no=no,
        )
        if _looks_like_cue_start(block_lines):
            errors.append(("a cue has no timing line (missing timestamp?)", no))
        return
    no, timing = block_lines[timing_at]
    m = _TIMING_LINE.match(timing)
    body = [ln for _no, ln in block_lines[timing_at + 1 :]]
    if not m:
        report.add(
            ReportCategory.LEFT_OUT,
            "bad_timing",
            "cues with a garbled timing line left out",
            example=(timing.strip() + " " + " / ".join(b.strip() for b in body))[:120],
            line_no=no,
        )
        errors.append(("malformed timing line", no))
        return
    start, end = _parse_ms(m.group(1)), _parse_ms(m.group(2))
    if not body:
        report.add(
            ReportCategory.LEFT_OUT,
            "no_text",
            "cues with no text left out",
            example=timing.strip(),
            line_no=no,
        )
        errors.append(("a cue has no text (truncated file?)", no))
        return
    events.append(
        RawEvent(start, end, "\n".join(body), no, settings=m.group(3) or "", order=len(events))
    )


def _looks_like_cue_start(block: list[tuple[int, str]]) -> bool:
    first = block[0][1]
    return bool(_TIME_ONLY.match(first) or (_CUE_NUMBER.match(first) and len(block) > 1))


_DEFAULT_EVENT_FORMAT = [
    "layer",
    "start",
    "end",
    "style",
    "name",
    "marginl",
    "marginr",
    "marginv",
    "effect",
    "text",
]
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")


def _ass_ms(value: str) -> int | None:
    m = _ASS_TIME.match(value)
    if not m:
        return None
    h, mi, s, frac = m.groups()
    ms = int((frac or "0").ljust(3, "0")[:3])
    return ((int(h) * 60 + int(mi)) * 60 + int(s)) * 1000 + ms


def _read_ass(text: str, report: ImportReport) -> tuple[list[RawEvent], dict[str, int], int]:
    """ASS/SSA sections → events, style alignments (numpad) and PlayResY."""
    reader = _AssReader(report)
    for k, raw in enumerate(text.split("\n")):
        reader.line(raw.strip(), k + 1)
    if not reader.events:
        if reader.first_error:
            raise FormatError(reader.first_error[0], line_no=reader.first_error[1])
        raise FormatError("no Dialogue lines found in the [Events] section")
    return reader.events, reader.styles, reader.play_res_y or 288


@dataclass
class _AssReader:
    """The state of one pass over an ASS/SSA file, line by line."""

    report: ImportReport
    events: list[RawEvent] = field(default_factory=list)
    styles: dict[str, int] = field(default_factory=dict)
    section: str = ""
    event_format: list[str] = field(default_factory=lambda: list(_DEFAULT_EVENT_FORMAT))
    style_format: list[str] = field(default_factory=list)
    play_res_y: int = 0
    legacy: bool = False  # SSA v4 (ScriptType v4.00): legacy alignment numbers
    first_error: tuple[str, int] | None = None

    def line(self, line: str, line_no: int) -> None:
        if not line or line.startswith(";") or line.startswith("!:"):
            return
        m = _SECTION.match(line)
        if m:
            self.section = m.group(1).strip().lower()
            if self.section in ("fonts", "graphics"):
                self.report.add(
                    ReportCategory.LEFT_OUT,
                    "attachments",
                    "embedded font/graphics sections left out",
                    example=f"[{m.group(1)}]",
                    line_no=line_no,
                )
            return
        key, sep, value = line.partition(":")
        if not sep:
            return
        key, value = key.strip().lower(), value.strip()
        if self.section == "script info":
            self._script_info(key, value)
        elif self.section.endswith("styles"):
            self._style(key, value)
        elif self.section == "events":
            self._event(key, value, line, line_no)

    def _script_info(self, key: str, value: str) -> None:
        if key == "playresy":
            with contextlib.suppress(ValueError):
                self.play_res_y = int(float(value))
        elif key == "scripttype":
            self.legacy = value.lower() in ("v4.00", "v4")

    def _style(self, key: str, value: str) -> None:
        if key == "format":
            self.style_format = [f.strip().lower() for f in value.split(",")]
        elif key == "style" and self.style_format:
            fields = [f.strip() for f in value.split(",", len(self.style_format) - 1)]
            info = dict(zip(self.style_format, fields, strict=False))
            try:
                align = int(info.get("alignment", "2"))
            except ValueError:
                align = 2
            if self.legacy or self.section.startswith("v4 "):
                align = {5: 7, 6: 8, 7: 9, 9: 4, 10: 5, 11: 6}.get(align, align)
            self.styles[info.get("name", "")] = align

    def _event(self, key: str, value: str, line: str, line_no: int) -> None:
        if key == "format":
            self.event_format = [f.strip().lower() for f in value.split(",")]
            return
        if key in ("comment", "dialogue"):
            fields = value.split(",", len(self.event_format) - 1)
        if key == "comment":
            self.report.add(
                ReportCategory.LEFT_OUT,
                "comment",
                "Comment events left out",
                example=fields[-1][:120],
                line_no=line_no,
            )
            return
        if key != "dialogue":
            self.report.add(
                ReportCategory.LEFT_OUT,
                "other_event",
                "non-dialogue events (Picture, Sound, Movie, Command) left out",
                example=line[:120],
                line_no=line_no,
            )
            return
        info = dict(zip(self.event_format, fields, strict=False))
        start = _ass_ms(info.get("start", ""))
        end = _ass_ms(info.get("end", ""))
        if len(fields) < len(self.event_format) or start is None or end is None:
            self.report.add(
                ReportCategory.LEFT_OUT,
                "bad_timing",
                "events with a garbled timing or too few fields left out",
                example=line[:120],
                line_no=line_no,
            )
            self.first_error = self.first_error or ("a Dialogue line is garbled", line_no)
            return
        self.events.append(
            RawEvent(
                start,
                end,
                info.get("text", ""),
                line_no,
                style=info.get("style", "").strip().lstrip("*"),
                name=info.get("name", "").strip(),
                order=len(self.events),
            )
        )


def _y_of(markup: Markup, alignment: int, play_res_y: int) -> float:
    if markup.pos_y is not None and play_res_y:
        return min(1.0, max(0.0, markup.pos_y / play_res_y))
    align = markup.alignment or alignment
    return {7: 0.05, 8: 0.05, 9: 0.05, 4: 0.5, 5: 0.5, 6: 0.5}.get(align, 0.95)


def _vtt_y(settings: str) -> float:
    m = _VTT_LINE.search(settings)
    if not m:
        return 0.95
    value = float(m.group(1))
    if m.group(2):
        return min(1.0, max(0.0, value / 100))
    return min(1.0, max(0.0, 1 + value * 0.06 if value < 0 else value * 0.06))


def _display_lines(markup: Markup, ev: RawEvent, fmt: str, report: ImportReport) -> list[str]:
    """The event's non-blank display lines, directive lines (``# key=value``) left out."""
    lines = []
    for ln in _PROTECTED_TIME.sub("", markup.text).split("\n"):
        if fmt == "ass" and _DIRECTIVE.match(ln):
            _directive(ln, ev.line_no or 0, report)
            continue
        if fmt != "ass" and _DIRECTIVE.match(ln):
            continue  # already reported by the block scan
        ln = ln.strip()
        if ln:
            lines.append(ln)
    return lines


def _clean_events(
    raw_events: list[RawEvent],
    fmt: str,
    report: ImportReport,
    styles: dict[str, int],
    play_res_y: int,
) -> list[tuple[RawEvent, _Cue]]:
    out: list[tuple[RawEvent, _Cue]] = []
    for ev in raw_events:
        text = "\n".join([ev.text, *ev.more]) if ev.more else ev.text
        if fmt != "ass":
            text = _protect_inline_times(text)
        markup = clean_markup(text, ass=fmt == "ass")
        lines = _display_lines(markup, ev, fmt, report)
        if markup.drawing and not lines:
            report.add(
                ReportCategory.LEFT_OUT,
                "drawing",
                "vector drawings (\\p1) left out",
                example=ev.text[:60],
                line_no=ev.line_no,
            )
            continue
        if not lines:
            report.add(
                ReportCategory.LEFT_OUT,
                "no_text",
                "cues with no text left out",
                example=ev.text[:60] or "(empty)",
                line_no=ev.line_no,
            )
            continue
        if any(has_half_width(ln) for ln in lines):
            before = " / ".join(lines)
            lines = [full_width(ln) for ln in lines]
            report.add(
                ReportCategory.NORMALISED,
                "half_width",
                "half-width forms made full-width",
                example=f"{before} → {' / '.join(lines)}",
                line_no=ev.line_no,
            )
        for base, reading in markup.ruby:
            report.add(
                ReportCategory.NORMALISED,
                "ruby",
                "ruby readings kept on the cue, base text imported",
                example=f"{base}（{reading}）",
                line_no=ev.line_no,
            )
        if fmt == "ass":
            y = _y_of(markup, styles.get(ev.style, 2), play_res_y)
        else:
            y = 0.05 if markup.alignment in (7, 8, 9) else _vtt_y(ev.settings)
        speaker = ev.name or markup.voice or None
        out.append(
            (
                ev,
                _Cue(
                    ev.start_ms,
                    ev.end_ms,
                    lines,
                    ev.line_no,
                    speaker,
                    y,
                    ev.order,
                    [(full_width(b), r) for b, r in markup.ruby],
                ),
            )
        )
    return out


def read_caption_lines(text: str, fmt: str) -> list[TimedLine]:
    """The raw timed lines of a caption file, for timing alignment: inline word timestamps
    (``<00:00:01.000>``) and rolling-caption line breaks are kept, since they carry timing."""
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


def _assign_tracks(
    cleaned: list[tuple[RawEvent, _Cue]], fmt: str
) -> tuple[dict[str, list[_Cue]], dict[str, list[str]]]:
    """Split the cues into language tracks, line by line: ``{lang: cues}`` and the styles of
    each track (ASS)."""
    langs: list[list[str | None]] = []
    per_style: dict[str, Counter[str]] = {}
    for ev, cue in cleaned:
        karaoke = fmt == "ass" and has_karaoke(ev.text)
        row = [line_language(ln, karaoke=karaoke) for ln in cue.lines]
        langs.append(row)
        counter = per_style.setdefault(ev.style, Counter())
        counter.update(lang for lang in row if lang)
    by_style = style_languages(per_style) if fmt == "ass" else {}
    overall = Counter(lang for row in langs for lang in row if lang in DECIDED)
    ranked = [lang for lang, _n in overall.most_common() if lang != ROMAJI] or [JA]
    main = JA if overall.get(JA) else ranked[0]
    # A language is a track of its own only when it is a real share of the file (a bilingual
    # twin); a few English words in a Japanese file (``git push``) stay with the main track.
    # Chinese and romaji lines are never Japanese text, and a track named by its styles is a
    # track.
    minor = {
        lang
        for lang, count in overall.items()
        if lang not in (main, "zh", ROMAJI)
        and count < max(3, 0.3 * overall[main])
        and lang not in by_style.values()
    }
    # Bilingual cues (a Japanese line over its Chinese twin): the language each line position
    # usually holds decides an ambiguous line there (``もちろん / 当然``).
    by_position: dict[tuple[int, int], Counter[str]] = {}
    for row in langs:
        for k, lang in enumerate(row):
            if lang in DECIDED:
                by_position.setdefault((len(row), k), Counter())[lang] += 1
    tracks: dict[str, list[_Cue]] = {}
    track_styles: dict[str, list[str]] = {}
    previous = main
    for (ev, cue), row in zip(cleaned, langs, strict=True):
        style_lang = by_style.get(ev.style) or ""
        decided = [lang for lang in row if lang in DECIDED]
        resolved: list[str] = []
        for k, lang in enumerate(row):
            position = by_position.get((len(row), k))
            usual = position.most_common(1)[0] if position and len(row) > 1 else None
            if style_lang:
                resolved.append(style_lang)
            elif lang in DECIDED:
                resolved.append(lang)
            elif lang == "han" and usual and usual[1] >= 0.7 * sum(position.values()) >= 2:
                resolved.append(usual[0])
            elif decided and len(set(decided)) == 1:
                resolved.append(decided[0])
            elif lang == "han":
                resolved.append(JA if JA in (decided or [previous]) else (decided or [previous])[0])
            else:  # no letters (♪～, …): with the line it stands with, else the previous cue
                resolved.append(decided[0] if decided else previous)
        resolved = [main if lang in minor else lang for lang in resolved]
        previous = resolved[0] if len(set(resolved)) == 1 else previous
        groups: dict[str, list[str]] = {}
        for lang, ln in zip(resolved, cue.lines, strict=True):
            groups.setdefault(lang, []).append(ln)
        for lang, lines in groups.items():
            part = _Cue(
                cue.start_ms,
                cue.end_ms,
                lines,
                cue.line_no,
                cue.speaker,
                cue.y,
                cue.order,
                [r for r in cue.ruby if any(r[0] in ln for ln in lines)],
            )
            tracks.setdefault(lang, []).append(part)
            if ev.style and ev.style not in track_styles.setdefault(lang, []):
                track_styles[lang].append(ev.style)
    return tracks, track_styles


def _drop_zero_and_duplicates(cues: list[_Cue], report: ImportReport) -> list[_Cue]:
    cues = sorted(cues, key=lambda c: (c.start_ms, c.order))
    kept: list[_Cue] = []
    open_by_text: dict[str, int] = {}  # text → latest end of a kept cue with that text
    for cue in cues:
        if cue.end_ms == cue.start_ms:
            report.add(
                ReportCategory.LEFT_OUT,
                "zero_length",
                "zero-length (hidden) cues left out",
                example=cue.text,
                line_no=cue.line_no,
            )
            continue
        if cue.end_ms < cue.start_ms:
            report.add(
                ReportCategory.REPAIRED,
                "end_before_start",
                "cues ending before they start given the minimum duration",
                example=cue.text,
                line_no=cue.line_no,
            )
            cue.end_ms = cue.start_ms + MIN_DURATION_MS
        text = cue.text
        end = open_by_text.get(text)
        if end is not None and end > cue.start_ms:
            report.add(
                ReportCategory.LEFT_OUT,
                "duplicate",
                "exact duplicate cues (same text, overlapping time) left out",
                example=text,
                line_no=cue.line_no,
            )
            open_by_text[text] = max(end, cue.end_ms)
            continue
        open_by_text[text] = cue.end_ms
        kept.append(cue)
        if len(open_by_text) > 256:  # only recent cues can overlap: keep the map small
            horizon = cue.start_ms
            open_by_text = {t: e for t, e in open_by_text.items() if e > horizon}
    return kept


def _merge_simultaneous(cues: list[_Cue], report: ImportReport) -> list[_Cue]:
    out: list[_Cue] = []
    group: list[_Cue] = []

    def flush() -> None:
        if not group:
            return
        if len(group) == 1:
            out.append(group[0])
        else:
            ordered = sorted(group, key=lambda c: (c.y, c.order))
            first = ordered[0]
            merged = _Cue(
                min(c.start_ms for c in group),
                max(c.end_ms for c in group),
                [ln for c in ordered for ln in c.lines],
                min((c.line_no for c in group if c.line_no), default=None),
                next((c.speaker for c in ordered if c.speaker), None),
                first.y,
                min(c.order for c in group),
                [r for c in ordered for r in c.ruby],
            )
            names = {c.speaker for c in group if c.speaker}
            if len(names) > 1:  # two named speakers at once: keep them apart
                out.extend(sorted(group, key=lambda c: (c.y, c.order)))
            else:
                out.append(merged)
                report.add(
                    ReportCategory.MERGED,
                    "simultaneous",
                    "simultaneous events joined as the lines of one cue",
                    example=" / ".join(merged.lines),
                    line_no=merged.line_no,
                    count=len(group) - 1,
                )
        group.clear()

    for cue in cues:
        if group and (
            abs(cue.start_ms - group[0].start_ms) <= SAME_TIME_MS
            and abs(cue.end_ms - group[0].end_ms) <= SAME_TIME_MS
        ):
            group.append(cue)
            continue
        flush()
        group.append(cue)
    flush()
    return out


def _derolling(cues: list[_Cue], report: ImportReport) -> list[_Cue]:
    """Rolling captions: a cue that starts with the previous cue's last line repeats it."""
    if len(cues) < 3:
        return cues
    hits = sum(
        1
        for prev, cur in zip(cues, cues[1:], strict=False)
        if cur.lines[0] == prev.lines[-1] and len(cur.lines[0]) >= _ROLLING_MIN_OVERLAP
    )
    # A few repeated short lines (はい / はい) are speech, not a rolling caption.
    if hits < 2 or hits < _ROLLING_MIN_SHARE * (len(cues) - 1):
        return cues
    out: list[_Cue] = []
    tail: list[str] = []
    for cue in cues:
        lines = list(cue.lines)
        while lines and tail and lines[0] in tail:
            lines.pop(0)
        if lines and tail:
            # A partly repeated first line (the caption rolled mid-line): the alignment code's
            # overlap finder gives the repeated prefix.
            n = _rolling_overlap("".join(tail)[-_ROLLING_TAIL:], lines[0], _ROLLING_MIN_OVERLAP)
            if n:
                report.add(
                    ReportCategory.MERGED,
                    "rolling",
                    "rolling-caption repeats removed",
                    example=lines[0][:n],
                    line_no=cue.line_no,
                )
                lines[0] = lines[0][n:].strip()
                lines = [ln for ln in lines if ln]
        if not lines:
            report.add(
                ReportCategory.MERGED,
                "rolling",
                "rolling-caption repeats removed",
                example=" / ".join(cue.lines),
                line_no=cue.line_no,
            )
            continue
        if len(lines) != len(cue.lines):
            report.add(
                ReportCategory.MERGED,
                "rolling",
                "rolling-caption repeats removed",
                example=" / ".join(cue.lines[: len(cue.lines) - len(lines)]),
                line_no=cue.line_no,
            )
        cue.lines = lines
        tail = cue.lines[-2:]
        out.append(cue)
    return out


def _join_orphan_punctuation(cues: list[_Cue], report: ImportReport) -> list[_Cue]:
    """A cue holding only sentence punctuation (``。`` split off by a caption converter) ends
    the previous cue: its text is appended there and the previous cue lasts until its end."""
    out: list[_Cue] = []
    for cue in cues:
        if out and _ORPHAN.match(cue.text) and cue.start_ms - out[-1].end_ms < PARAGRAPH_GAP_MS:
            prev = out[-1]
            prev.lines[-1] += cue.text
            prev.end_ms = max(prev.end_ms, cue.end_ms)
            report.add(
                ReportCategory.MERGED,
                "orphan_punctuation",
                "punctuation-only cues joined to the cue before",
                example=cue.text,
                line_no=cue.line_no,
            )
            continue
        out.append(cue)
    return out


def _units(cues: list[_Cue], report: ImportReport) -> list[TimedUnit]:
    names = label_names([ln for c in cues for ln in c.lines])
    units: list[TimedUnit] = []
    for cue in cues:
        pieces = split_pieces(cue.lines, names)
        if not pieces:
            continue
        total = sum(len(join_lines(p.lines)) for p in pieces) or 1
        at = 0
        source = TimedLine(cue.start_ms, cue.end_ms, cue.text, cue.speaker)
        for piece in pieces:
            size = len(join_lines(piece.lines))
            duration = cue.end_ms - cue.start_ms
            start = cue.start_ms + round(duration * at / total)
            end = cue.start_ms + round(duration * (at + size) / total)
            at += size
            if piece.kind == SOUND:
                kind = ParagraphKind.SOUND
                report.add(
                    ReportCategory.MOVED,
                    "sound",
                    "sound and music labels imported as sound cues (not in the transcript)",
                    example=" / ".join(piece.lines),
                    line_no=cue.line_no,
                )
            else:
                kind = ParagraphKind.TRANSCRIPT
            speaker = piece.speaker if piece.labelled else cue.speaker
            units.append(
                TimedUnit(
                    start,
                    max(end, start + 1),
                    piece.lines,
                    speaker=speaker if kind != ParagraphKind.SOUND else None,
                    labelled=bool(speaker) and kind != ParagraphKind.SOUND,
                    kind=kind,
                    line_no=cue.line_no,
                    source=source,
                    ruby=[r for r in cue.ruby if any(r[0] in ln for ln in piece.lines)],
                )
            )
    return units


def _read_clean_events(text: str, fmt: str, report: ImportReport) -> list[tuple[RawEvent, _Cue]]:
    """Every readable event of an ``srt``/``vtt``/``ass`` file, markup cleaned (what was left
    out or repaired goes to ``report``)."""
    if fmt not in _PYSUBS2_FORMAT:
        raise FormatError(f"unsupported subtitle format {fmt!r}")
    text = _strip_boms(text, report)
    if fmt == "ass":
        raw, styles, play_res_y = _read_ass(text, report)
    else:
        raw, styles, play_res_y = _read_srt_vtt(text, fmt, report), {}, 0
    return _clean_events(raw, fmt, report, styles, play_res_y)


def default_track(tracks: dict[str, list[_Cue]]) -> str:
    """The source track when the user chose none: Japanese, else the largest track that is
    not romaji (karaoke romaji is the song's reading, not text to translate), else romaji."""
    if JA in tracks:
        return JA
    others = [k for k in tracks if k != ROMAJI] or list(tracks)
    return max(others, key=lambda k: len(tracks[k]))


def parse_timed(text: str, fmt: str, *, track: str | None = None) -> ParsedDocument:
    """Parse a timed subtitle file. Damaged events are repaired or left out and listed in
    ``doc.report``; :class:`FormatError` (with a line number where possible) only when nothing
    can be read. ``track``: the language code of the source track (default Japanese)."""
    report = ImportReport()
    cleaned = _read_clean_events(text, fmt, report)
    if not cleaned:
        raise FormatError(f"the {fmt.upper()} file has no subtitle text")
    tracks, track_styles = _assign_tracks(cleaned, fmt)
    if track and track not in tracks:
        raise FormatError(f"no {track!r} track in the file (found: {', '.join(sorted(tracks))})")
    chosen = track or default_track(tracks)
    for lang, cues in sorted(tracks.items(), key=lambda kv: -len(kv[1])):
        report.tracks.append(
            {
                "name": lang,
                "language": LANGUAGE_NAMES.get(lang, lang),
                "events": len(cues),
                "sample": " / ".join(c.text for c in cues[:2])[:120],
                "styles": track_styles.get(lang, [])[:8],
            }
        )
    report.chosen_track = chosen
    if len(tracks) == 1:
        report.tracks = []  # one track: nothing to say or choose
    cues = _drop_zero_and_duplicates(tracks[chosen], report)
    cues = _merge_simultaneous(cues, report)
    cues = _derolling(cues, report)
    cues = _join_orphan_punctuation(cues, report)
    units = _units(cues, report)
    if not units:
        raise FormatError(f"the {fmt.upper()} file has no subtitle text")
    paragraphs = build_paragraphs(units)
    doc = ParsedDocument(
        title="",
        paragraphs=paragraphs,
        source_format=fmt,
        duration_ms=max(u.end_ms for u in units),
        report=report,
    )
    doc.other_tracks = {
        lang: [TimedLine(c.start_ms, c.end_ms, c.text, c.speaker) for c in cues_]
        for lang, cues_ in tracks.items()
        if lang != chosen
    }
    return doc


def match_track(spans: list[tuple[int, int]], lines: list[TimedLine]) -> list[str]:
    """The text of another track's events per segment time span (``spans`` in time order):
    each event goes to the span it overlaps most (none when it overlaps none). Linear after
    sorting (two pointers)."""
    out: list[list[str]] = [[] for _ in spans]
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    events = sorted(lines, key=lambda e: (e.start_ms, e.end_ms))
    first = 0
    for ev in events:
        while first < len(order) and spans[order[first]][1] <= ev.start_ms:
            first += 1
        best, best_overlap = None, 0
        j = first
        while j < len(order) and spans[order[j]][0] < ev.end_ms:
            a, b = spans[order[j]]
            overlap = min(b, ev.end_ms) - max(a, ev.start_ms)
            if overlap > best_overlap:
                best, best_overlap = order[j], overlap
            j += 1
        if best is not None and ev.text.strip():
            out[best].append(ev.text.strip())
    return [join_lines(texts) for texts in out]


def read_timed_lines(text: str, fmt: str) -> list[TimedLine]:
    """The display text of every dialogue event (markup removed, damaged events left out), with
    the same linear readers as :func:`parse_timed`: for a second file holding a translation."""
    cues = _read_clean_events(text, fmt, ImportReport())
    return [TimedLine(c.start_ms, c.end_ms, c.text, c.speaker) for _ev, c in cues]
