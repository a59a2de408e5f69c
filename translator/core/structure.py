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

    Footer noise              ← anything after the last turn that is set off by a blank line

Speaker labels: short (≤ 16 display units), no sentence punctuation, not a number or a time,
at the start of a line. A label counts when it is used at least twice, when every part of a
joint label is a known speaker, when it carries a timestamp, or when it stands inside the
transcript section (after the heading, or between confirmed turns). So "注意: …" in the page
header, or "12:30" in a sentence, is never a speaker. A page without any turns becomes one
unlabelled paragraph per blank-line-separated block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_BARE_TS = re.compile(rf"^\s*[\[(（]\s*(?P<ts>{_TS})\s*[\])）]\s*$")
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
_LABEL_FORBIDDEN = re.compile(r"[。、，,.!！?？「」『』…\"“”/\\<>=@#$%&|~{}]")
_NOISE_LINE = re.compile(r"^\W{0,3}$|(?:\blogo|ロゴ)$", re.IGNORECASE)
_SENTENCE_FINAL = re.compile(r"[。．.!！?？]$")
MAX_LABEL_UNITS = 16


@dataclass
class _Turn:
    label: str
    text_lines: list[str]
    line_no: int
    start_ms: int | None
    stamped: bool


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


def _match_turn(line: str) -> tuple[str, str, int | None] | None:
    m = _TURN.match(line)
    if not m:
        return None
    label = m.group("label").strip()
    if not is_label_like(label):
        return None
    ts = m.group("ts1") or m.group("ts2")
    return label, m.group("text"), (parse_timestamp_ms(ts) if ts else None)


def parse_text_transcript(text: str) -> ParsedDocument:
    """Split a plain-text/Markdown page into title, description, show notes and turns."""
    lines = text.split("\n")
    n = len(lines)
    notes_at = next((i for i, ln in enumerate(lines) if _SHOW_NOTES_HEADING.match(ln)), None)
    heading_at = next((i for i, ln in enumerate(lines) if _TRANSCRIPT_HEADING.match(ln)), None)

    candidates = {i: t for i, ln in enumerate(lines) if (t := _match_turn(ln)) is not None}
    counts: dict[str, int] = {}
    for label, _, _ in candidates.values():
        counts[label] = counts.get(label, 0) + 1
    known = {label for label, c in counts.items() if c >= 2}
    in_section_from = heading_at if heading_at is not None else n

    def confirmed(i: int) -> bool:
        label, _, ts = candidates[i]
        if label in known or ts is not None:
            return True
        parts = split_speaker_label(label)
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
            candidates[i] = (lines[i].strip().strip("*_#【】[]").strip(), "", None)
        turn_lines = sorted(bare)

    doc = ParsedDocument(title="", paragraphs=[])
    first_turn = turn_lines[0] if turn_lines else None
    header_end = min(i for i in (notes_at, heading_at, first_turn, n) if i is not None)
    _read_header(lines[:header_end], doc)

    if notes_at is not None and notes_at == header_end:
        notes_end = min(i for i in (heading_at, first_turn, n) if i is not None and i > notes_at)
        doc.paragraphs.extend(_read_show_notes(lines, notes_at + 1, notes_end))
    if turn_lines:
        doc.paragraphs.extend(_read_turns(lines, turn_lines, candidates))
    else:
        start = (heading_at + 1) if heading_at is not None else header_end
        if notes_at is not None and heading_at is None and notes_at >= header_end:
            start = n  # everything after the notes heading was read as notes
        doc.paragraphs.extend(_read_blocks(lines, start, n))
        if not doc.paragraphs and heading_at is None and notes_at is None:
            # Plain prose: the header reader took it all; use every block instead.
            title_is_heading = not _SENTENCE_FINAL.search(doc.title)
            skip = doc.title if title_is_heading else ""
            doc.paragraphs.extend(_read_blocks(lines, 0, n, skip_title=skip))
            doc.description = ""
    if not doc.title:
        doc.title = next((ln.strip() for ln in lines if ln.strip()), "")[:200]
    return doc


def _bare_label_turns(lines: list[str], section_from: int, colon_lines: set[int]) -> list[int]:
    """Lines holding only a speaker label, followed directly by text (some label recurs)."""
    found: dict[str, list[int]] = {}
    for i in range(section_from + 1 if section_from < len(lines) else 0, len(lines) - 1):
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


def _read_header(header: list[str], doc: ParsedDocument) -> None:
    meaningful = [
        (i, ln.strip().lstrip("#").strip())
        for i, ln in enumerate(header)
        if ln.strip() and not _NOISE_LINE.search(ln.strip())
    ]
    if not meaningful:
        return
    prose = [k for k, (_, ln) in enumerate(meaningful) if _SENTENCE_FINAL.search(ln)]
    title = meaningful[0][1]
    description = ""
    if prose:
        last = prose[-1]
        description = meaningful[last][1]
        for k in range(last - 1, -1, -1):
            if k not in prose:
                title = meaningful[k][1]
                break
    doc.title = title[:200]
    doc.description = description


def _read_show_notes(lines: list[str], start: int, end: int) -> list[Paragraph]:
    notes: list[Paragraph] = []
    for i in range(start, end):
        raw = lines[i].strip()
        if not raw or _NOISE_LINE.search(raw):
            continue
        m = _BULLET.match(lines[i])
        if m:
            notes.append(Paragraph(ParagraphKind.SHOW_NOTE, m.group("text").strip(), line_no=i + 1))
        elif notes and lines[i - 1].strip():
            notes[-1].raw_text += "\n" + raw  # wrapped bullet
        else:
            notes.append(Paragraph(ParagraphKind.SHOW_NOTE, raw, line_no=i + 1))
    return notes


def _read_turns(
    lines: list[str], turn_lines: list[int], candidates: dict[int, tuple[str, str, int | None]]
) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    for k, i in enumerate(turn_lines):
        label, first_text, start_ms = candidates[i]
        stop = turn_lines[k + 1] if k + 1 < len(turn_lines) else len(lines)
        is_last = k + 1 == len(turn_lines)
        body = [first_text.strip()] if first_text.strip() else []
        j = i + 1
        while j < stop:
            ln = lines[j].strip()
            if not ln:
                # A blank line ends the turn unless more of the same turn follows before the
                # next label; after the last turn a blank line starts the footer.
                if is_last and body:
                    break
                j += 1
                continue
            if _BARE_TS.match(ln) or _TRANSCRIPT_HEADING.match(ln):
                j += 1
                continue
            body.append(ln)
            j += 1
        if not body:
            continue
        paragraphs.append(
            Paragraph(
                ParagraphKind.TRANSCRIPT,
                "\n".join(body),
                speaker=label,
                start_ms=start_ms,
                line_no=i + 1,
            )
        )
    return paragraphs


def _read_blocks(lines: list[str], start: int, end: int, skip_title: str = "") -> list[Paragraph]:
    blocks: list[Paragraph] = []
    current: list[str] = []
    first_line = 0
    for i in range(start, end + 1):
        ln = lines[i].strip() if i < end else ""
        if ln and not _TRANSCRIPT_HEADING.match(ln):
            if not current:
                first_line = i
            current.append(ln)
            continue
        if current:
            block = "\n".join(current)
            if not (skip_title and block == skip_title and not blocks):
                blocks.append(Paragraph(ParagraphKind.TRANSCRIPT, block, line_no=first_line + 1))
            current = []
    return blocks
