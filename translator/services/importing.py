"""Import an episode: decode, segment (core) and write it in one transaction."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from translator.core.encoding import decode_bytes
from translator.core.errors import FormatError
from translator.core.pipeline import segment_document
from translator.core.romaji import suggest_english_name
from translator.core.subtitle_input import detect_format, match_track, read_timed_lines
from translator.core.types import ParsedDocument, TimedLine, split_speaker_label
from translator.models import Cue, Episode, GlossaryTerm, Segment, SegmentRevision, Speaker
from translator.services.qa_flags import refresh_qa_flags


def preview_document(
    *,
    data: bytes | str,
    filename: str | None = None,
    fmt: str = "auto",
    encoding: str = "auto",
    title: str | None = None,
    duration_ms: int | None = None,
    protected_terms: tuple[str, ...] = (),
    track: str | None = None,
) -> ParsedDocument:
    """Segment without touching the database. Raises ``InputError`` for bad input.
    ``track``: for timed files, the language track to import as the source (default Japanese)."""
    return segment_document(
        data,
        filename=filename,
        fmt=fmt,
        encoding=encoding,
        title=title or None,
        duration_ms=duration_ms,
        protected_terms=protected_terms,
        max_bytes=settings.JIMAKU_MAX_IMPORT_BYTES,
        track=track or None,
    )


def import_episode(
    *,
    data: bytes | str,
    filename: str | None = None,
    fmt: str = "auto",
    encoding: str = "auto",
    title: str | None = None,
    duration_ms: int | None = None,
    target_language: str = Episode.TargetLanguage.EN_US,
    glossary: dict[str, str] | None = None,
    user: AbstractBaseUser | None = None,
    track: str | None = None,
    english_track: str | None = None,
    english_file: bytes | str | None = None,
) -> Episode:
    """Create an episode with its speakers, segments and cues. All or nothing.

    ``english_track`` (a track of the same file, e.g. ``"en"``) or ``english_file`` (a second,
    English subtitle file with the same timing) is imported as the existing English of each
    segment it overlaps in time (status edited, provenance ``imported``)."""
    glossary = glossary or {}
    doc = preview_document(
        data=data,
        filename=filename,
        fmt=fmt,
        encoding=encoding,
        title=title,
        duration_ms=duration_ms,
        protected_terms=tuple(glossary),
        track=track,
    )
    english = english_lines(doc, english_track=english_track, english_file=english_file)
    return save_document(
        doc=doc,
        filename=filename or "",
        target_language=target_language,
        glossary=glossary,
        user=user,
        english=english,
    )


IMPORTED_ENGINE = "imported"  # machine_engine of English imported from a subtitle track


def english_lines(
    doc: ParsedDocument,
    *,
    english_track: str | None = None,
    english_file: bytes | str | None = None,
) -> list[TimedLine] | None:
    """The timed English events to import with ``doc``: a track of the same file or a
    second file. Raises ``InputError`` when the track or file gives none."""
    if english_track:
        lines = doc.other_tracks.get(english_track)
        if not lines:
            raise FormatError(
                f"the file has no {english_track!r} track to import as English "
                f"(tracks: {', '.join(sorted(doc.other_tracks)) or 'none'})"
            )
        return lines
    if english_file is not None:
        text = (
            english_file
            if isinstance(english_file, str)
            else decode_bytes(english_file, max_bytes=settings.JIMAKU_MAX_IMPORT_BYTES)[0]
        )
        fmt = detect_format(text)
        if fmt == "text":
            raise FormatError("the English file is not a timed subtitle file (SRT, VTT or ASS)")
        return read_timed_lines(text, fmt)
    return None


@transaction.atomic
def save_document(
    *,
    doc: ParsedDocument,
    filename: str = "",
    target_language: str = Episode.TargetLanguage.EN_US,
    glossary: dict[str, str] | None = None,
    user: AbstractBaseUser | None = None,
    english: list[TimedLine] | None = None,
) -> Episode:
    """Write an already segmented document as a new episode. ``english``: timed English events
    matched to the segments by time (see :func:`import_episode`)."""
    episode = Episode.objects.create(
        title=doc.title[:300] or filename or "Untitled episode",
        description=doc.description,
        source_format=doc.source_format,
        source_encoding=doc.encoding,
        source_filename=filename[:255],
        duration_ms=doc.duration_ms,
        target_language=target_language,
        import_report=doc.report.to_dict() if doc.report else None,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    Speaker.objects.bulk_create(
        Speaker(
            episode=episode,
            label=label[:100],
            display_name=suggest_english_name(label)[:100],
            order=i,
        )
        for i, label in enumerate(doc.speakers)
    )
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(episode=episode, source=src, target=dst)
        for src, dst in (glossary or {}).items()
    )
    segments: list[Segment] = []
    cue_drafts = []
    order = 0
    for turn, paragraph in enumerate(doc.paragraphs):
        label = "・".join(split_speaker_label(paragraph.speaker))
        for sentence in paragraph.sentences:
            if not sentence.text.strip():
                continue
            segments.append(
                Segment(
                    episode=episode,
                    order=order,
                    kind=paragraph.kind.value,
                    turn=turn,
                    speaker_label=label[:100],
                    source_text=sentence.text,
                )
            )
            cue_drafts.append(sentence.cues)
            order += 1
    if english:
        _attach_english(segments, cue_drafts, english)
    Segment.objects.bulk_create(segments, batch_size=500)
    if segments and segments[0].pk is None:  # backends without RETURNING ids
        segments = list(episode.segments.order_by("order"))
    Cue.objects.bulk_create(
        (
            Cue(
                segment=segment,
                index=i,
                start_ms=cue.start_ms,
                end_ms=cue.end_ms,
                source_start=cue.source_start,
                source_end=cue.source_end,
                source_text=segment.source_text[cue.source_start : cue.source_end],
                lines=cue.lines,
                timing=cue.timing.value,
                ruby=[[base, reading] for base, reading in cue.ruby],
            )
            for segment, cues in zip(segments, cue_drafts, strict=True)
            for i, cue in enumerate(cues)
        ),
        batch_size=1000,
    )
    if english:
        SegmentRevision.objects.bulk_create(
            SegmentRevision(
                segment=segment,
                user=user if user is not None and user.is_authenticated else None,
                action=SegmentRevision.Action.EDIT,
                new_text=segment.text,
                old_status=Segment.Status.UNTRANSLATED,
                new_status=segment.status,
                version=segment.version,
            )
            for segment in segments
            if segment.text
        )
    refresh_qa_flags(episode_id=episode.pk)
    return episode


def _attach_english(segments: list[Segment], cue_drafts: list, english: list[TimedLine]) -> None:
    spans = []
    for cues in cue_drafts:
        times = [(c.start_ms, c.end_ms) for c in cues if c.start_ms is not None]
        spans.append((min(t[0] for t in times), max(t[1] for t in times)) if times else (0, 0))
    texts = match_track(spans, [e for e in english if e.end_ms > e.start_ms])
    for segment, text in zip(segments, texts, strict=True):
        if text:
            segment.text = text[:10_000]
            segment.machine_text = segment.text
            segment.machine_engine = IMPORTED_ENGINE
            segment.status = Segment.Status.EDITED
