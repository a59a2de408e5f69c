"""Plain data shared by the core modules. No Django import here (layer 1 of DESIGN.md).

Times are integer milliseconds; text offsets are indices into the owning sentence's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from translator.core.report import ImportReport


class ParagraphKind(StrEnum):
    TRANSCRIPT = "transcript"  # speaker turns: timed, subtitled, in the transcript
    SHOW_NOTE = "show_note"  # bullet items: translated, untimed
    DESCRIPTION = "description"  # the episode's introduction: translated, untimed, under the title
    SOUND = "sound"  # non-dialogue cues (足音, ♪): subtitled in SDH style, not in the transcript


class Timing(StrEnum):
    ESTIMATED = "estimated"  # from the speech-rate model
    IMPORTED = "imported"  # from a timed subtitle file
    ALIGNED = "aligned"  # transferred from rough captions by alignment
    MANUAL = "manual"  # set by an editor (cue view, waveform): never re-estimated


@dataclass
class CueDraft:
    """One Japanese subtitle event: a slice ``sentence.text[source_start:source_end]``."""

    source_start: int
    source_end: int
    lines: list[str]
    start_ms: int | None = None
    end_ms: int | None = None
    timing: Timing = Timing.ESTIMATED
    # Ruby readings of words in this cue, (base, reading): kept for exports, never translated.
    ruby: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SentenceDraft:
    """One sentence: the unit of translation. ``cues`` cover ``text`` exactly, in order."""

    text: str
    cues: list[CueDraft] = field(default_factory=list)


@dataclass
class Paragraph:
    """A speaker turn (or one show-note bullet). ``raw_text`` is the turn text as in the input."""

    kind: ParagraphKind
    raw_text: str
    speaker: str | None = None  # source label as written, e.g. "友野・澤"
    start_ms: int | None = None  # a timestamp given in the input, if any
    line_no: int | None = None  # 1-based line in the decoded input
    sentences: list[SentenceDraft] = field(default_factory=list)
    # Timed input only: the original subtitle events this paragraph came from.
    source_events: list[TimedLine] = field(default_factory=list)


@dataclass
class TimedLine:
    """One event of a timed subtitle file, reduced to plain text."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None


@dataclass
class ParsedDocument:
    """What an import file contains, before anything touches the database."""

    title: str
    paragraphs: list[Paragraph]
    description: str = ""
    source_format: str = "text"  # text | srt | vtt | ass
    encoding: str = "utf-8"
    duration_ms: int | None = None
    warnings: list[str] = field(default_factory=list)
    report: ImportReport = field(default_factory=ImportReport)
    # Lines of the input not imported (page chrome, structure headings, footer), one paragraph
    # each with the kind it would get if the user keeps it (import preview).
    left_out: list[Paragraph] = field(default_factory=list)
    # Timed files: the events of the tracks not chosen as the source, by language code
    # ("en", "zh"…), for importing an existing translation.
    other_tracks: dict[str, list[TimedLine]] = field(default_factory=dict)

    @property
    def speakers(self) -> list[str]:
        """Distinct individual speaker labels in order of first appearance."""
        seen: dict[str, None] = {}
        for p in self.paragraphs:
            for label in split_speaker_label(p.speaker):
                seen.setdefault(label, None)
        return list(seen)


def split_speaker_label(label: str | None) -> list[str]:
    """A joint label like ``友野・澤`` names two speakers; split on ``・`` only in labels."""
    if not label:
        return []
    return [part.strip() for part in label.split("・") if part.strip()]


def speaker_display_name(label: str | None, names: Mapping[str, str]) -> str | None:
    """English name(s) for a source label, joint labels joined with “&”: ``友野・澤`` →
    ``Tomono & Sawa`` (a part without a name keeps its label); ``None`` for no label."""
    parts = split_speaker_label(label)
    if not parts:
        return None
    return " & ".join(names.get(p) or p for p in parts)
