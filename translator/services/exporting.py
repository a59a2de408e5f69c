"""Export: read an episode from the database into core export data, render files.

Read-only (no writes), so it lives beside the services that the export views and CLI share.
"""

from __future__ import annotations

from dataclasses import dataclass

from translator.core.export_types import ExportCue, ExportEpisode, ExportSegment, SubtitleLayout
from translator.core.requests import ExportRequest
from translator.core.subtitles import SubtitleReport, build_subtitles
from translator.core.transcript import TRANSCRIPT_FORMATS, render_transcript
from translator.core.types import speaker_display_name
from translator.core.writers import (
    MEDIA_TYPES,
    WRITERS,
    SubtitleTimeError,
    render_subtitles,
    suggested_filename,
)
from translator.models import Cue, Episode
from translator.services import backup

SUBTITLE_FORMATS = tuple(WRITERS)
PROJECT_FORMAT = "project"  # the whole episode as a JSON project file (backup; see backup.py)
ALL_FORMATS = SUBTITLE_FORMATS + TRANSCRIPT_FORMATS + (PROJECT_FORMAT,)
LAYOUTS = tuple(layout.value for layout in SubtitleLayout)
CONTENT_TYPES = {fmt: f"{media_type}; charset=utf-8" for fmt, media_type in MEDIA_TYPES.items()}


class ExportError(ValueError):
    """Unknown format or layout, or times no subtitle format can hold; ``str()`` is a one-line
    message."""


@dataclass
class ExportedFile:
    content: str
    filename: str
    content_type: str
    report: SubtitleReport | None = None  # subtitles only: rule violations and skipped counts


def speaker_names(episode: Episode) -> dict[str, str]:
    """Source label → English display name, joint labels (友野・澤) joined with “&”."""
    return {s.label: s.display_name or s.label for s in episode.speakers.all()}


def media_url_for(episode: Episode) -> str | None:
    if episode.media_url:
        return episode.media_url
    return None


def export_episode_data(episode: Episode) -> ExportEpisode:
    """The whole episode as plain core data (four queries).

    Rows are read as tuples (no model instances) and the cues in one query over the episode,
    grouped here, instead of a ``prefetch_related`` whose ``IN`` list of every segment id made
    a 10,000-segment episode cost more than linear time; display names are worked out once
    per distinct speaker label."""
    names = speaker_names(episode)
    cues: dict[int, list[ExportCue]] = {}
    for segment_id, start_ms, end_ms, source_text, lines, ruby in (
        Cue.objects.filter(segment__episode_id=episode.pk)
        .order_by("segment_id", "index")
        .values_list("segment_id", "start_ms", "end_ms", "source_text", "lines", "ruby")
    ):
        cues.setdefault(segment_id, []).append(
            ExportCue(
                start_ms,
                end_ms,
                source_text,
                tuple(lines or ()),
                tuple((str(b), str(r)) for b, r in (ruby or ())),
            )
        )
    glossary = dict(episode.glossary.values_list("source", "target"))
    speakers: dict[str, str | None] = {}
    out = []
    for pk, order, kind, turn, label, source_text, text, status in episode.segments.order_by(
        "order"
    ).values_list("pk", "order", "kind", "turn", "speaker_label", "source_text", "text", "status"):
        if label not in speakers:
            speakers[label] = speaker_display_name(label, names)
        out.append(
            ExportSegment(
                index=order,
                kind=kind,
                turn=turn,
                speaker=speakers[label],
                speaker_label=label or None,
                source_text=source_text,
                text=text,
                status=status,
                cues=cues.get(pk, []),
            )
        )
    return ExportEpisode(
        title=episode.english_title,
        segments=out,
        glossary=glossary,
        protected_names=sorted(set(names.values())),
        media_url=media_url_for(episode),
        episode_id=episode.pk,
    )


def export_file(*, episode: Episode, request: ExportRequest) -> ExportedFile:
    """Render one export file. Raises ``ExportError`` for an unknown format or layout."""
    fmt, layout = request.format, request.layout
    if fmt not in ALL_FORMATS:
        raise ExportError(f"Unknown format “{fmt}”: choose one of {', '.join(ALL_FORMATS)}.")
    if layout not in LAYOUTS:
        raise ExportError(f"Unknown layout “{layout}”: choose one of {', '.join(LAYOUTS)}.")
    if not 1 <= request.fps <= 120:
        raise ExportError("The frame rate must be between 1 and 120 fps.")
    if fmt == PROJECT_FORMAT:
        stem = suggested_filename(episode.english_title, "json", episode_id=episode.pk)
        return ExportedFile(
            backup.dumps_project(episode_id=episode.pk),
            stem.removesuffix(".json") + ".jimaku.json",
            "application/json; charset=utf-8",
        )
    data = export_episode_data(episode)
    if fmt in SUBTITLE_FORMATS:
        options = request.subtitle_options(title=episode.english_title)
        build = build_subtitles(data, options)
        try:
            content = render_subtitles(build.events, fmt=fmt, layout=layout, options=options)
        except SubtitleTimeError as exc:
            raise ExportError(str(exc)) from exc
        name = suggested_filename(episode.english_title, fmt, layout, episode_id=episode.pk)
        return ExportedFile(content, name, CONTENT_TYPES[fmt], build.report)
    content = render_transcript(data, fmt=fmt, options=request.transcript_options())
    name = suggested_filename(episode.english_title, fmt, None, episode_id=episode.pk)
    return ExportedFile(content, name, CONTENT_TYPES[fmt])
