"""The import report: what an import merged, normalised, repaired and left out.

Nothing is dropped silently (DESIGN.md "Import report"): every stage of import that changes or
leaves out input says so here, with a count and the first few examples (with line numbers where
known). The report travels on :class:`~translator.core.types.ParsedDocument`, is shown in the
import preview, stored on the episode (``Episode.import_report``) and printed by the commands.
Plain data, no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_EXAMPLES = 5


class ReportCategory(StrEnum):
    TRACKS = "tracks"  # language tracks found in a timed file, and the one chosen
    MERGED = "merged"  # events joined (simultaneous lines of one cue, rolling captions…)
    NORMALISED = "normalised"  # text changed in form only (width, spacing, markup removed)
    REPAIRED = "repaired"  # damaged input kept with a repair (end before start…)
    LEFT_OUT = "left_out"  # input not imported (chrome, directives, duplicates, comments…)
    MOVED = "moved"  # input imported under another kind (sound labels → sound cues…)
    DOWNGRADED = "downgraded"  # a restore that kept less than the file claimed (not published…)


@dataclass
class ReportExample:
    text: str
    line_no: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "line_no": self.line_no}


@dataclass
class ReportEntry:
    """One kind of change (``code``, e.g. ``"half_width"``) with its count and examples."""

    category: ReportCategory
    code: str
    message: str  # one line a user understands, e.g. "half-width forms made full-width"
    count: int = 0
    examples: list[ReportExample] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": str(self.category),
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "examples": [e.to_dict() for e in self.examples],
        }


@dataclass
class ImportReport:
    entries: list[ReportEntry] = field(default_factory=list)
    # Timed files: the tracks found ({"name", "language", "events", "sample"}) and the chosen one.
    tracks: list[dict[str, Any]] = field(default_factory=list)
    chosen_track: str | None = None

    def add(
        self,
        category: ReportCategory,
        code: str,
        message: str,
        *,
        example: str | None = None,
        line_no: int | None = None,
        count: int = 1,
    ) -> ReportEntry:
        """Count one occurrence (or ``count``) of ``code``; keep the first few examples."""
        entry = self.entry(code)
        if entry is None:
            entry = ReportEntry(category, code, message)
            self.entries.append(entry)
        entry.count += count
        if example is not None and len(entry.examples) < MAX_EXAMPLES:
            entry.examples.append(ReportExample(example[:200], line_no))
        return entry

    def entry(self, code: str) -> ReportEntry | None:
        return next((e for e in self.entries if e.code == code), None)

    def by_category(self, category: ReportCategory) -> list[ReportEntry]:
        return [e for e in self.entries if e.category == category]

    @property
    def left_out(self) -> list[ReportEntry]:
        return self.by_category(ReportCategory.LEFT_OUT)

    def __bool__(self) -> bool:
        return bool(self.entries or self.tracks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": [e.to_dict() for e in self.entries],
            "tracks": list(self.tracks),
            "chosen_track": self.chosen_track,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ImportReport:
        report = cls()
        if not data:
            return report
        for raw in data.get("entries", []):
            entry = ReportEntry(
                ReportCategory(raw["category"]),
                str(raw["code"]),
                str(raw["message"]),
                int(raw.get("count", 0)),
                [ReportExample(str(x["text"]), x.get("line_no")) for x in raw.get("examples", [])],
            )
            report.entries.append(entry)
        report.tracks = list(data.get("tracks", []))
        report.chosen_track = data.get("chosen_track")
        return report

    def lines(self) -> list[str]:
        """The report as plain lines, for the command line."""
        out: list[str] = []
        if self.tracks:
            for track in self.tracks:
                mark = "*" if track.get("name") == self.chosen_track else " "
                out.append(
                    f"{mark} track {track.get('name')!s} ({track.get('language', '?')}): "
                    f"{track.get('events', 0)} events, e.g. {track.get('sample', '')!s}"
                )
        for entry in self.entries:
            out.append(f"{entry.category}: {entry.message} ({entry.count})")
            for example in entry.examples:
                where = f"line {example.line_no}: " if example.line_no else ""
                out.append(f"    {where}{example.text}")
        return out
