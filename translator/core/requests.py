"""What an import or an export is asked to do, as plain data.

Every layer (forms, views, management commands, the services, the pipeline) passes one
:class:`ImportRequest` or :class:`ExportRequest` instead of re-listing its options; the options
that are kept between requests (the preview's session, a worker's import job) travel as
:meth:`ImportRequest.to_options`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from translator.core.export_types import (
    STRICT_MAX_CPS_EN,
    SubtitleLayout,
    SubtitleOptions,
    TranscriptOptions,
)
from translator.core.formats import AUTO

DEFAULT_TARGET_LANGUAGE = "EN-US"
# The options kept between the preview and the import (JSON-ready).
_STORED = (
    "format",
    "encoding",
    "title",
    "duration_ms",
    "target_language",
    "check_language",
    "track",
)


@dataclass(frozen=True)
class ImportRequest:
    """How to read an import file and what to make of it.

    ``check_language``: refuse text that does not read as Japanese (an explicit encoding, or a
    timed file's non-Japanese ``track``, overrides it). ``kinds``: the kind chosen in the
    preview per paragraph ``line_no`` (``transcript``, ``description``, ``show_note``,
    ``left_out``). ``english_track`` (a track of the same file) or ``english_file`` (an English
    subtitle file with the same timing) is imported as the existing English."""

    filename: str | None = None
    format: str = AUTO
    encoding: str = AUTO
    title: str | None = None
    duration_ms: int | None = None
    target_language: str = DEFAULT_TARGET_LANGUAGE
    check_language: bool = True
    track: str | None = None
    kinds: Mapping[int, str] | None = None
    english_track: str | None = None
    english_file: bytes | str | None = None

    def replace(self, **changes: Any) -> ImportRequest:
        return dataclasses.replace(self, **changes)

    def to_options(self) -> dict[str, Any]:
        """The options kept between requests (no file name, data or preview choices)."""
        return {name: getattr(self, name) for name in _STORED}

    @classmethod
    def from_options(cls, options: Mapping[str, Any], **changes: Any) -> ImportRequest:
        """The request stored by :meth:`to_options` (unknown keys ignored), with ``changes``."""
        fields = {name: options[name] for name in _STORED if name in options}
        fields["title"] = fields.get("title") or None
        fields["track"] = fields.get("track") or None
        return cls(**(fields | changes))


@dataclass(frozen=True)
class ExportRequest:
    """One export file: a subtitle format (``layout``, reading speed, voice tags, frame rate)
    or a transcript format (``timestamps``, ``parallel`` Japanese); ``approved_only`` for
    both."""

    format: str
    layout: str = SubtitleLayout.BILINGUAL.value
    approved_only: bool = False
    strict_reading_speed: bool = False
    voice_tags: bool = False
    fps: float = 25.0
    timestamps: bool = False
    parallel: bool = False

    def subtitle_options(self, *, title: str = "") -> SubtitleOptions:
        return SubtitleOptions(
            layout=self.layout,
            fps=self.fps,
            approved_only=self.approved_only,
            max_cps_en=STRICT_MAX_CPS_EN
            if self.strict_reading_speed
            else SubtitleOptions.max_cps_en,
            voice_tags=self.voice_tags,
            title=title,
        )

    def transcript_options(self) -> TranscriptOptions:
        return TranscriptOptions(
            timestamps=self.timestamps, parallel=self.parallel, approved_only=self.approved_only
        )
