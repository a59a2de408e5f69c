"""Recognise the parts of a plain-text / Markdown podcast page.

Page shape (see ``translator/samples/sample_episode.txt``)::

    Title line
    Short description.

    ショー・ノート            ← heading (also "Show notes", "## ショーノート", …)
      • bullet               ← •・-*●◦■◆, "1." / "1)" / ①: one SHOW_NOTE paragraph each

    トランスクリプト          ← heading (optional: the first run of speaker turns also starts it)
    永野: はい皆さん…         ← speaker turn, ``:`` or ``：``; joint labels "友野・澤"
    [00:12:34] 澤: …         ← timestamps before the label …
    友野 (12:34): …          ← … or after it; they set ``Paragraph.start_ms``
    永野:                     ← a label alone on its line; the turn text follows
    …continuation lines…

    Footer noise              ← after the last turn, a blank line then a line that is not prose

Other label formats (modelled on real exports; fixtures in ``tests/fixtures/transcripts/``):

    **A** [00:00]             ← ASR Markdown (AssemblyAI, Descript: ``**Speaker 1** (00:01:02)``,
    本文…                       Otter: ``Speaker 1  0:03``): a label line with a time, then text
    [00:12:34] 名前: 発言      ← timestamp first, with a colon …
    00:12:34 名前 発言         ← … or with a space (the name must recur)
    よう/ 発言                 ← slash labels of fan transcripts (``／`` too)
    【名前】発言                ← bracketed labels
    名前「発言」                ← a name before a quoted line (the name must recur)

Anonymous labels (``A``, ``B``, ``Speaker 1``) are speakers like any other; the user names them.

Nothing is dropped silently: the title and the description (the header's prose, a
``DESCRIPTION`` paragraph) are kept; page chrome, headings that are structure (``# Transcript``,
``## Speakers`` and its list), bare timestamps and the footer go to
``ParsedDocument.left_out`` (one paragraph per line, with the kind it would have if the user
keeps it) and to the import report's LEFT_OUT entries. Every non-blank line ends up in a
paragraph, in the title, or in ``left_out``.

Speaker labels: short (≤ 16 display units), no sentence punctuation, not a number or a time,
at the start of a line. A label counts when it is used at least twice, when every part of a
joint label is a known speaker, when it carries a timestamp, or when it stands inside the
transcript section (after the heading, or between confirmed turns). So "注意: …" in the page
header, or "12:30" in a sentence, is never a speaker. A page without any turns becomes one
unlabelled paragraph per blank-line-separated block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from translator.core.report import ReportCategory
from translator.core.types import Paragraph, ParagraphKind, ParsedDocument, split_speaker_label

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TURN = re.compile(
    rf"""^\s*
    (?:[\[(（]\s*(?P<ts1>{_TS})\s*[\])）]\s*)?      # [00:12:34] before the label
    (?:\*\*|__)?(?P<label>[^\s:：\[\]()（）*][^:：\[\]()（）]*?)(?:\*\*|__)?
    \s*(?:[\[(（]\s*(?P<ts2>{_TS})\s*[\])）])?\s*     # (12:34) after the label
    (?:\*\*|__)?[:：](?:\*\*|__)?(?!\d)\s*(?P<text>.*)$""",
    re.VERBOSE,
)
# A label line of ASR Markdown / Otter text: "**A** [00:00]", "**Speaker 1** (00:01:02)",
# "Speaker 1  0:03"; the turn text follows on the next lines (or after the time).
_LABEL_LINE = re.compile(
    rf"""^\s*(?P<bold>\*\*|__)?(?P<label>[^\s*_\[\]()（）:：][^*_\[\]()（）:：]*?)(?(bold)(?:\*\*|__))
    \s*(?:[\[(（]\s*(?P<ts>{_TS})\s*[\])）]|\s(?P<bare>{_TS}))\s*(?P<text>.*)$""",
    re.VERBOSE,
)
# "00:12:34 名前 発言" (no colon): the name must recur to count.
_TS_SPACE = re.compile(
    rf"^\s*[\[(（]?(?P<ts>{_TS})[\])）]?\s+(?P<label>[^\s:：]+)\s+(?P<text>\S.*)$"
)
# "00:12:34 名前: 発言" (a bare timestamp, then a colon label).
_TS_COLON = re.compile(
    rf"^\s*(?P<ts>{_TS})\s+(?P<label>[^\s:：][^:：]{{0,15}}?)\s*[:：]\s*(?P<text>.*)$"
)
_SLASH = re.compile(r"^\s*(?P<label>[^\s/／:：][^/／:：]{0,15}?)\s*[/／]\s*(?P<text>.*)$")
_LENTICULAR = re.compile(r"^\s*【(?P<label>[^【】]{1,16})】\s*(?P<text>.*)$")
_QUOTED = re.compile(r"^\s*(?P<label>[^\s「」『』]{1,8})\s*(?P<text>「[^「]*」)\s*$")
_BARE_TS = re.compile(rf"^\s*[\[(（]?\s*(?P<ts>{_TS})\s*[\])）]?\s*$")
_BULLET = re.compile(r"^\s*(?:[•・\-*●◦○▪■◆□◇]|\d{1,2}[.)．）]|[①-⑳])\s*(?P<text>\S.*)$")
_SHOW_NOTES_HEADING = re.compile(
    r"^\s*(?:#+\s*)?(?:ショー・?ノート|ショーノート|show\s*notes?|番組内容|トピック|今回の内容|目次)"
    r"\s*[:：]?\s*$",
    re.IGNORECASE,
)
_TRANSCRIPT_HEADING = re.compile(
    r"^\s*(?:#+\s*)?(?:トランスクリプト|文字起こし|書き起こし|transcript(?:ion)?|本文)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_SPEAKERS_HEADING = re.compile(
    r"^\s*(?:#+\s*)?(?:speakers?|participants?|話者|出演者?|登場人物)\s*[:：]?\s*$", re.IGNORECASE
)
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+\S")
_LABEL_FORBIDDEN = re.compile(r"[。、，,.!！?？「」『』…\"“”/\\<>=@#$%&|~{}]")
_NOISE_LINE = re.compile(r"^\W{0,3}$|(?:\blogo|ロゴ)$", re.IGNORECASE)
_SENTENCE_FINAL = re.compile(r"[。．.!！?？]$")
_PARTICLE_END = re.compile(r"[はがをにもとでへのや]$")
MAX_LABEL_UNITS = 16

# LEFT_OUT report codes and messages.
_LEFT_OUT_MESSAGES = {
    "page_chrome": "page chrome left out (navigation, links, the show's own blurb)",
    "footer": "page footer after the last turn left out",
    "heading": "headings that are structure left out (not speech)",
    "speaker_list": "speaker lists left out (the speakers are taken from the turns)",
    "timestamp": "timestamp lines left out (their times are kept as anchors)",
    "noise": "lines without text left out",
    "empty_turn": "speaker labels with no text after them left out",
    "unrecognised": "lines not recognised as part of the transcript left out",
}


@dataclass
class _Candidate:
    label: str
    text: str
    start_ms: int | None
    strict: bool = False  # needs the label to recur (spaced and quoted forms)
    stamped_line: bool = False  # an ASR label line (label + time, text below)


@dataclass
class _Ctx:
    lines: list[str]
    doc: ParsedDocument
    used: set[int] = field(default_factory=set)
    title_at: int | None = None

    def leave_out(self, i: int, code: str, kind: ParagraphKind = ParagraphKind.TRANSCRIPT) -> None:
        if i in self.used or not self.lines[i].strip():
            return
        self.used.add(i)
        text = self.lines[i].strip()
        self.doc.left_out.append(Paragraph(kind, text, line_no=i + 1))
        self.doc.report.add(
            ReportCategory.LEFT_OUT, code, _LEFT_OUT_MESSAGES[code], example=text, line_no=i + 1
        )


def parse_timestamp_ms(value: str) -> int:
    """``"00:12:34"``, ``"12:34"`` or ``"1:02:03.5"`` → milliseconds."""
    value = value.replace(",", ".")
    parts = value.split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2]) if len(parts) >= 2 else 0
    hours = int(parts[-3]) if len(parts) >= 3 else 0
    return int(round((hours * 3600 + minutes * 60 + seconds) * 1000))


def display_units(text: str) -> float:
    """Full-width characters count 1, half-width 0.5."""
    import unicodedata

    return sum(1 if unicodedata.east_asian_width(c) in "FWA" else 0.5 for c in text)


def is_label_like(label: str) -> bool:
    """Short, no sentence punctuation, not a number or time, at most three words."""
    label = label.strip()
    if not label or display_units(label) > MAX_LABEL_UNITS:
        return False
    if _LABEL_FORBIDDEN.search(label) or label.isdigit() or re.fullmatch(r"[\d\s:：]+", label):
        return False
    return not len(label.split()) > 3


def _ms(ts: str | None) -> int | None:
    return parse_timestamp_ms(ts) if ts else None


def _match_turn(line: str) -> _Candidate | None:
    """The speaker label (and time, and first text) a line starts with, in any known format."""
    if len(line) > 4000 and not line[:200].strip():
        return None
    head = line[:300]  # labels are at the start: never scan a megabyte line with these
    rest = line[300:]
    m = _TURN.match(head)
    if m and is_label_like(m.group("label")):
        ts = m.group("ts1") or m.group("ts2")
        return _Candidate(m.group("label").strip(), m.group("text") + rest, _ms(ts))
    m = _LABEL_LINE.match(head)
    if m and is_label_like(m.group("label")) and (m.group("bold") or not m.group("text")):
        label = m.group("label").strip()
        return _Candidate(
            label, m.group("text") + rest, _ms(m.group("ts") or m.group("bare")), stamped_line=True
        )
    m = _TS_COLON.match(head)
    if m and is_label_like(m.group("label")):
        return _Candidate(m.group("label").strip(), m.group("text") + rest, _ms(m.group("ts")))
    m = _TS_SPACE.match(head)
    if m and is_label_like(m.group("label")) and display_units(m.group("label")) <= 8:
        return _Candidate(m.group("label"), m.group("text") + rest, _ms(m.group("ts")), strict=True)
    m = _LENTICULAR.match(head)
    if m and is_label_like(m.group("label")):
        return _Candidate(m.group("label").strip(), m.group("text") + rest, None)
    m = _SLASH.match(head)
    if (
        m
        and is_label_like(m.group("label"))
        # "A/ 発言" is a label; "A/B テスト" is not
        and not (
            re.search(r"[A-Za-z0-9]$", m.group("label"))
            and re.match(r"\s*[/／][A-Za-z0-9]", head[m.end("label") :])
        )
    ):
        return _Candidate(m.group("label").strip(), m.group("text") + rest, None)
    if not rest:
        m = _QUOTED.match(line)
        if m and is_label_like(m.group("label")) and not _PARTICLE_END.search(m.group("label")):
            return _Candidate(m.group("label"), m.group("text")[1:-1], None, strict=True)
    return None


def _find_turns(
    lines: list[str], heading_at: int | None
) -> tuple[dict[int, _Candidate], list[int]]:
    """The speaker-turn candidates by line and the lines that start a turn: labels that
    recur (or carry a time), one-off labels between them, the lines after a transcript
    heading, else bare labels on their own line inside the transcript section."""
    n = len(lines)
    candidates = {i: c for i, ln in enumerate(lines) if (c := _match_turn(ln)) is not None}
    counts: dict[str, int] = {}
    for c in candidates.values():
        counts[c.label] = counts.get(c.label, 0) + 1
    known = {label for label, k in counts.items() if k >= 2}
    # A spaced or quoted label ("00:12:34 名前 発言", "名前「…」") counts only when it recurs.
    candidates = {i: c for i, c in candidates.items() if not c.strict or c.label in known}
    in_section_from = heading_at if heading_at is not None else n

    def confirmed(i: int) -> bool:
        c = candidates[i]
        if c.label in known or c.start_ms is not None:
            return True
        parts = split_speaker_label(c.label)
        return len(parts) > 1 and all(p in known for p in parts)

    turn_lines = sorted(i for i in candidates if confirmed(i))
    if turn_lines:  # a one-off label between confirmed turns is a speaker too
        first, last = turn_lines[0], turn_lines[-1]
        turn_lines = sorted(set(turn_lines) | {i for i in candidates if first < i < last})
    elif heading_at is not None:  # every speaker talks once: trust the heading
        turn_lines = sorted(i for i in candidates if i > heading_at)
    # Bare labels on their own line ("永野" then the text) inside the transcript section.
    bare = _bare_label_turns(lines, in_section_from, set(candidates))
    if bare and not turn_lines:
        for i in bare:
            candidates[i] = _Candidate(lines[i].strip().strip("*_#【】[]").strip(), "", None)
        turn_lines = sorted(bare)
    return candidates, turn_lines


def _timestamps_before_turns(
    ctx: _Ctx, turn_lines: list[int], candidates: dict[int, _Candidate]
) -> None:
    """A timestamp alone on the line before a turn ("00:12:34" then "名前: 発言") is its time."""
    lines = ctx.lines
    for i in turn_lines:
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if candidates[i].start_ms is None and j >= 0 and (m := _BARE_TS.match(lines[j])):
            candidates[i].start_ms = parse_timestamp_ms(m.group("ts"))
            ctx.used.add(j)


def parse_text_transcript(text: str) -> ParsedDocument:
    """Split a plain-text/Markdown page into title, description, show notes and turns."""
    lines = text.split("\n")
    n = len(lines)
    doc = ParsedDocument(title="", paragraphs=[])
    ctx = _Ctx(lines, doc)
    notes_at = next((i for i, ln in enumerate(lines) if _SHOW_NOTES_HEADING.match(ln)), None)
    heading_at = next((i for i, ln in enumerate(lines) if _TRANSCRIPT_HEADING.match(ln)), None)

    candidates, turn_lines = _find_turns(lines, heading_at)
    _timestamps_before_turns(ctx, turn_lines, candidates)
    first_turn = turn_lines[0] if turn_lines else None
    header_end = min(i for i in (notes_at, heading_at, first_turn, n) if i is not None)
    header_paragraphs = _read_header(ctx, header_end)

    if notes_at is not None and notes_at == header_end:
        notes_end = min(i for i in (heading_at, first_turn, n) if i is not None and i > notes_at)
        ctx.leave_out(notes_at, "heading")
        doc.paragraphs.extend(_read_show_notes(ctx, notes_at + 1, notes_end))
    if turn_lines:
        doc.paragraphs[:0] = header_paragraphs
        _leave_out_between(ctx, header_end, turn_lines[0])
        doc.paragraphs.extend(_read_turns(ctx, turn_lines, candidates))
    else:
        start = (heading_at + 1) if heading_at is not None else header_end
        if notes_at is not None and heading_at is None and notes_at >= header_end:
            start = n  # everything after the notes heading was read as notes
        if heading_at is not None:
            ctx.leave_out(heading_at, "heading")
        blocks = _read_blocks(ctx, start, n)
        if not blocks and not doc.paragraphs and heading_at is None and notes_at is None:
            # Plain prose: every block is text (none of it is a description).
            ctx.used.clear()
            doc.left_out.clear()
            doc.report.entries.clear()
            header_paragraphs = []
            doc.description = ""
            t = ctx.title_at
            if (
                doc.title
                and t is not None
                and len(lines[t].strip()) <= 100
                and (t + 1 >= n or not lines[t + 1].strip())
            ):
                ctx.used.add(t)  # a heading-like line of its own stays the title
            blocks = _read_blocks(ctx, 0, n)
        doc.paragraphs[:0] = header_paragraphs
        doc.paragraphs.extend(blocks)
    if not doc.title:  # no header: a heading before the first turn, else the file name
        title_at = _title_line(ctx, first_turn if first_turn is not None else n)
        if title_at is not None:
            doc.title = lines[title_at].strip().lstrip("#").strip()[:200]
            ctx.used.add(title_at)
    for i, line in enumerate(lines):  # the safety net: nothing is dropped silently
        if line.strip() and i not in ctx.used:
            ctx.leave_out(i, "noise" if _NOISE_LINE.search(line.strip()) else "unrecognised")
    doc.left_out.sort(key=lambda p: p.line_no or 0)
    return doc


def _title_line(ctx: _Ctx, end: int) -> int | None:
    """The first line before ``end`` that can be a title (not used, not structure)."""
    for i in range(end):
        s = ctx.lines[i].strip()
        if (
            s
            and i not in ctx.used
            and not (_is_structure(s) or _SHOW_NOTES_HEADING.match(s) or _NOISE_LINE.search(s))
            and not _BULLET.match(s)
        ):
            return i
    return None


def _bare_label_turns(lines: list[str], section_from: int, colon_lines: set[int]) -> list[int]:
    """Lines holding only a speaker label, followed directly by text (some label recurs)."""
    found: dict[str, list[int]] = {}
    for i in range(section_from + 1 if section_from < len(lines) else 0, len(lines) - 1):
        if len(lines[i]) > 40:
            continue
        label = lines[i].strip().strip("*_#【】[]").strip()
        nxt = lines[i + 1].strip()
        if (
            i not in colon_lines
            and label
            and nxt
            and display_units(label) <= 8
            and is_label_like(label)
            and not _BULLET.match(lines[i])
            and (i == 0 or not lines[i - 1].strip())
        ):
            found.setdefault(label, []).append(i)
    if not any(len(idx) >= 2 for idx in found.values()):
        return []
    return sorted(i for idx in found.values() for i in idx)


def _read_header(ctx: _Ctx, header_end: int) -> list[Paragraph]:
    """Title, description paragraphs; everything else in the header is page chrome."""
    lines, doc = ctx.lines, ctx.doc
    meaningful = [
        (i, lines[i].strip().lstrip("#").strip())
        for i in range(header_end)
        if lines[i].strip() and not _NOISE_LINE.search(lines[i].strip())
    ]
    for i in range(header_end):
        if lines[i].strip() and _NOISE_LINE.search(lines[i].strip()):
            ctx.leave_out(i, "page_chrome")
    if not meaningful:
        return []
    prose = [k for k, (_, ln) in enumerate(meaningful) if _SENTENCE_FINAL.search(ln)]
    title_k = 0
    description: list[int] = []
    if prose:
        last = prose[-1]
        title_k = -1
        for k in range(last - 1, -1, -1):
            if k not in prose:
                title_k = k
                break
        # The description: the prose after the title (all of it when there is no title line).
        description = [k for k in prose if k > title_k]
    if title_k >= 0:
        doc.title = meaningful[title_k][1][:200]
        ctx.title_at = meaningful[title_k][0]
        ctx.used.add(ctx.title_at)
    paragraphs: list[Paragraph] = []
    for k in description:
        i, text = meaningful[k]
        ctx.used.add(i)
        if paragraphs and meaningful[k - 1][0] == i - 1 and k - 1 in description:
            paragraphs[-1].raw_text += "\n" + text  # a wrapped line of the same paragraph
        else:
            paragraphs.append(Paragraph(ParagraphKind.DESCRIPTION, text, line_no=i + 1))
    doc.description = "\n\n".join(p.raw_text for p in paragraphs)
    for k, (i, _) in enumerate(meaningful):
        if k != title_k and k not in description:
            ctx.leave_out(i, "page_chrome", ParagraphKind.DESCRIPTION)
    return paragraphs


def _read_show_notes(ctx: _Ctx, start: int, end: int) -> list[Paragraph]:
    lines = ctx.lines
    notes: list[Paragraph] = []
    for i in range(start, end):
        raw = lines[i].strip()
        if not raw:
            continue
        if _NOISE_LINE.search(raw):
            ctx.leave_out(i, "noise", ParagraphKind.SHOW_NOTE)
            continue
        if _TRANSCRIPT_HEADING.match(raw) or _SPEAKERS_HEADING.match(raw):
            ctx.leave_out(i, "heading", ParagraphKind.SHOW_NOTE)
            continue
        ctx.used.add(i)
        m = _BULLET.match(lines[i])
        if m:
            notes.append(Paragraph(ParagraphKind.SHOW_NOTE, m.group("text").strip(), line_no=i + 1))
        elif notes and lines[i - 1].strip():
            notes[-1].raw_text += "\n" + raw  # wrapped bullet
        else:
            notes.append(Paragraph(ParagraphKind.SHOW_NOTE, raw, line_no=i + 1))
    return notes


def _leave_out_between(ctx: _Ctx, start: int, end: int) -> None:
    """Lines between the header (or notes) and the first turn: headings, speaker lists."""
    in_speakers = False
    for i in range(start, end):
        raw = ctx.lines[i].strip()
        if not raw or i in ctx.used:
            continue
        if _SPEAKERS_HEADING.match(raw):
            in_speakers = True
            ctx.leave_out(i, "heading")
        elif (
            _TRANSCRIPT_HEADING.match(raw)
            or _SHOW_NOTES_HEADING.match(raw)
            or _MD_HEADING.match(raw)
        ):
            in_speakers = False
            ctx.leave_out(i, "heading")
        elif in_speakers and (_BULLET.match(raw) or is_label_like(raw.strip("*_ "))):
            ctx.leave_out(i, "speaker_list")
        elif _BARE_TS.match(raw):
            ctx.leave_out(i, "timestamp")


def _is_structure(line: str) -> bool:
    return bool(
        _TRANSCRIPT_HEADING.match(line) or _SPEAKERS_HEADING.match(line) or _MD_HEADING.match(line)
    )


def _read_turns(
    ctx: _Ctx, turn_lines: list[int], candidates: dict[int, _Candidate]
) -> list[Paragraph]:
    lines = ctx.lines
    paragraphs: list[Paragraph] = []
    for k, i in enumerate(turn_lines):
        c = candidates[i]
        ctx.used.add(i)
        stop = turn_lines[k + 1] if k + 1 < len(turn_lines) else len(lines)
        is_last = k + 1 == len(turn_lines)
        body = [c.text.strip()] if c.text.strip() else []
        j = i + 1
        after_blank = False
        while j < stop:
            ln = lines[j].strip()
            if not ln:
                after_blank = bool(body)
                j += 1
                continue
            # After the last turn, a blank line then a line that is not prose starts the
            # footer ("番組について", links); prose after a blank line is more of the turn.
            if is_last and after_blank and not _SENTENCE_FINAL.search(ln):
                break
            if _BARE_TS.match(ln):
                ctx.leave_out(j, "timestamp")
            elif _is_structure(ln):
                ctx.leave_out(j, "heading")
            else:
                ctx.used.add(j)
                body.append(ln)
            after_blank = False
            j += 1
        if is_last:
            for rest in range(j, len(lines)):
                ctx.leave_out(rest, "footer")
        if not body:
            ctx.used.discard(i)
            ctx.leave_out(i, "empty_turn")
            continue
        paragraphs.append(
            Paragraph(
                ParagraphKind.TRANSCRIPT,
                "\n".join(body),
                speaker=c.label,
                start_ms=c.start_ms,
                line_no=i + 1,
            )
        )
    return paragraphs


def _read_blocks(ctx: _Ctx, start: int, end: int) -> list[Paragraph]:
    lines = ctx.lines
    blocks: list[Paragraph] = []
    current: list[str] = []
    first_line = 0
    for i in range(start, end + 1):
        ln = lines[i].strip() if i < end else ""
        if ln and i in ctx.used:
            continue
        if ln and _is_structure(ln):
            ctx.leave_out(i, "heading")
            ln = ""
        if ln:
            if not current:
                first_line = i
            current.append(ln)
            ctx.used.add(i)
            continue
        if current:
            blocks.append(
                Paragraph(ParagraphKind.TRANSCRIPT, "\n".join(current), line_no=first_line + 1)
            )
            current = []
    return blocks
