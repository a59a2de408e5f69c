"""Import an episode: decode, segment (core) and write it in one transaction."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from translator.core.pipeline import segment_document
from translator.core.romaji import suggest_english_name
from translator.core.types import ParsedDocument, split_speaker_label
from translator.models import Cue, Episode, GlossaryTerm, Segment, Speaker
from translator.services.editing import strip_invisible
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
) -> ParsedDocument:
    """Segment without touching the database. Raises ``InputError`` for bad input."""
    return segment_document(
        data,
        filename=filename,
        fmt=fmt,
        encoding=encoding,
        title=title or None,
        duration_ms=duration_ms,
        protected_terms=protected_terms,
        max_bytes=settings.JIMAKU_MAX_IMPORT_BYTES,
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
) -> Episode:
    """Create an episode with its speakers, segments and cues. All or nothing."""
    glossary = glossary or {}
    doc = preview_document(
        data=data,
        filename=filename,
        fmt=fmt,
        encoding=encoding,
        title=title,
        duration_ms=duration_ms,
        protected_terms=tuple(glossary),
    )
    return save_document(
        doc=doc,
        filename=filename or "",
        target_language=target_language,
        glossary=glossary,
        user=user,
    )


@transaction.atomic
def save_document(
    *,
    doc: ParsedDocument,
    filename: str = "",
    target_language: str = Episode.TargetLanguage.EN_US,
    glossary: dict[str, str] | None = None,
    user: AbstractBaseUser | None = None,
) -> Episode:
    """Write an already segmented document as a new episode."""
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
            display_name=strip_invisible(suggest_english_name(label))[:100],
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
            )
            for segment, cues in zip(segments, cue_drafts, strict=True)
            for i, cue in enumerate(cues)
        ),
        batch_size=1000,
    )
    refresh_qa_flags(episode_id=episode.pk)
    return episode
