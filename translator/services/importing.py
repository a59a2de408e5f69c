"""Import an episode: decode, segment (core) and write it in one transaction.

Uploads above ``JIMAKU_INLINE_IMPORT_BYTES`` are previewed and imported by the worker
(``ImportJob``, ``translator.tasks.import_task``) with progress on the page, so no web request
parses a large file.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from translator import permissions
from translator.core.encoding import decode_bytes
from translator.core.errors import FormatError, InputError
from translator.core.formats import detect_format, get_format
from translator.core.pipeline import KIND_CHOICES, segment_document
from translator.core.requests import ImportRequest
from translator.core.romaji import suggest_english_name
from translator.core.subtitle_input import match_track, read_timed_lines
from translator.core.types import ParsedDocument, TimedLine, split_speaker_label
from translator.models import (
    Cue,
    Episode,
    GlossaryTerm,
    ImportJob,
    Segment,
    SegmentRevision,
    Speaker,
)
from translator.services import jobs
from translator.services.editing import strip_invisible
from translator.services.qa_flags import segments_changed

log = logging.getLogger(__name__)


def preview_document(
    *,
    data: bytes | str,
    request: ImportRequest | None = None,
    protected_terms: tuple[str, ...] = (),
) -> ParsedDocument:
    """Segment without touching the database. Raises ``InputError`` for bad input."""
    return segment_document(
        data,
        request,
        protected_terms=protected_terms,
        max_bytes=settings.JIMAKU_MAX_IMPORT_BYTES,
    )


def import_episode(
    *,
    data: bytes | str,
    request: ImportRequest | None = None,
    glossary: dict[str, str] | None = None,
    user: AbstractBaseUser | None = None,
) -> Episode:
    """Create an episode with its speakers, segments and cues. All or nothing.

    The request's ``english_track`` (a track of the same file, e.g. ``"en"``) or
    ``english_file`` (a second, English subtitle file with the same timing) is imported as the
    existing English of each segment it overlaps in time (status edited, provenance
    ``imported``)."""
    permissions.require(user, permissions.can_import)
    request = request or ImportRequest()
    glossary = glossary or {}
    doc = preview_document(data=data, request=request, protected_terms=tuple(glossary))
    english = english_lines(
        doc, english_track=request.english_track, english_file=request.english_file
    )
    return save_document(
        doc=doc,
        filename=request.filename or "",
        target_language=request.target_language,
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
        spec = get_format(detect_format(text))
        if not spec.timed_file:
            raise FormatError("the English file is not a timed subtitle file (SRT, VTT or ASS)")
        return read_timed_lines(text, spec.name)
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
            display_name=strip_invisible(suggest_english_name(label))[:100],
            order=i,
        )
        for i, label in enumerate(doc.speakers)
    )
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(episode=episode, source=src, target=dst)
        for src, dst in (glossary or {}).items()
    )
    segments, cue_drafts = _segment_rows(episode, doc)
    if english:
        _attach_english(segments, cue_drafts, english)
    Segment.objects.bulk_create(segments, batch_size=500)
    if segments and segments[0].pk is None:  # backends without RETURNING ids
        segments = list(episode.segments.order_by("order"))
    _create_cues(segments, cue_drafts)
    if english:
        _english_revisions(segments, user)
    segments_changed(episode_id=episode.pk)
    return episode


def _segment_rows(episode: Episode, doc: ParsedDocument) -> tuple[list[Segment], list[list]]:
    """One unsaved ``Segment`` per non-empty sentence, in order, with its cue drafts."""
    segments: list[Segment] = []
    cue_drafts = []
    for turn, paragraph in enumerate(doc.paragraphs):
        label = "・".join(split_speaker_label(paragraph.speaker))
        for sentence in paragraph.sentences:
            if not sentence.text.strip():
                continue
            segments.append(
                Segment(
                    episode=episode,
                    order=len(segments),
                    kind=paragraph.kind.value,
                    turn=turn,
                    speaker_label=label[:100],
                    source_text=sentence.text,
                )
            )
            cue_drafts.append(sentence.cues)
    return segments, cue_drafts


def _create_cues(segments: list[Segment], cue_drafts: list[list]) -> None:
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


def _english_revisions(segments: list[Segment], user: AbstractBaseUser | None) -> None:
    """The history of English imported with the file: one edit per segment that got some."""
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


# --- large imports in the worker ---------------------------------------------------

PREVIEW_PARAGRAPHS = 12  # paragraphs shown in the preview
PREVIEW_SENTENCES = 20  # sentences shown per paragraph (one paragraph may be a whole file)
PREVIEW_CHARS = 400  # characters shown per sentence


def runs_in_worker(size_bytes: int) -> bool:
    """Whether an import of this size is done by the worker (with progress) rather than inside
    the web request: above ``JIMAKU_INLINE_IMPORT_BYTES``."""
    return size_bytes > settings.JIMAKU_INLINE_IMPORT_BYTES


def pending_dir() -> Path:
    path = Path(settings.DATA_DIR) / "pending-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(data: bytes | str) -> str:
    """Keep an upload server-side under a random name (never the user's file name).

    Each new stash first deletes the abandoned ones (:func:`cleanup_pending`)."""
    cleanup_pending()
    token = uuid.uuid4().hex
    raw = data.encode("utf-8") if isinstance(data, str) else data
    (pending_dir() / token).write_bytes(raw)
    return token


def _is_token(token: str) -> bool:
    return len(token or "") == 32 and all(c in "0123456789abcdef" for c in token)


PENDING_PARTS = ("en",)  # files kept beside an upload: the English subtitle file


def stash_part(token: str, part: str, data: bytes) -> None:
    """Keep a companion file of a stashed upload (``part`` from ``PENDING_PARTS``)."""
    if _is_token(token) and part in PENDING_PARTS:
        (pending_dir() / f"{token}-{part}").write_bytes(data)


def read_pending(token: str, *, part: str = "") -> bytes | None:
    if not _is_token(token) or (part and part not in PENDING_PARTS):
        return None
    path = pending_dir() / (f"{token}-{part}" if part else token)
    return path.read_bytes() if path.is_file() else None


def discard_pending(token: str) -> None:
    if _is_token(token):
        (pending_dir() / token).unlink(missing_ok=True)
        for part in PENDING_PARTS:
            (pending_dir() / f"{token}-{part}").unlink(missing_ok=True)


PENDING_MAX_AGE = timedelta(days=1)


def cleanup_pending(*, max_age: timedelta = PENDING_MAX_AGE) -> list[str]:
    """Delete the stashed uploads (and the files kept beside them) not touched for ``max_age``:
    previews nobody imported. An upload that a queued or running import job still needs is kept
    whatever its age. Returns the names of the deleted files, sorted."""
    folder = Path(settings.DATA_DIR) / "pending-imports"
    if not folder.is_dir():
        return []
    cutoff = time.time() - max_age.total_seconds()
    needed = set(
        ImportJob.objects.filter(state__in=ImportJob.ACTIVE_STATES).values_list("token", flat=True)
    )
    deleted = []
    for path in folder.iterdir():
        token = path.name.split("-", 1)[0]
        if not _is_token(token) or token in needed:
            continue
        try:
            if path.stat().st_mtime >= cutoff:
                continue
            path.unlink()
        except OSError:  # gone meanwhile (another process cleaned up), or not ours to delete
            continue
        deleted.append(path.name)
    return sorted(deleted)


PREVIEW_ROWS = 400  # paragraphs (and left-out lines) whose kind the preview lets the user change


def _preview_sentences(texts: list[str]) -> list[dict[str, str]]:
    shown = [
        {"text": t[:PREVIEW_CHARS] + ("…" if len(t) > PREVIEW_CHARS else "")}
        for t in texts[:PREVIEW_SENTENCES]
    ]
    return shown + ([{"text": "…"}] if len(texts) > PREVIEW_SENTENCES else [])


def preview_rows(doc: ParsedDocument, *, limit: int = PREVIEW_ROWS) -> tuple[list[dict], int]:
    """The rows of the preview's kinds table, in file order — each paragraph and each left-out
    line (``line_no``, ``kind``, ``speaker``, bounded ``sentences``, ``raw_text``,
    ``left_out``, ``choosable``: may its kind be chosen; sound cues keep theirs) — and how many
    more rows there are past ``limit``. JSON-ready: the inline preview shows them, an import
    job stores them."""
    rows = sorted(
        [(p, False) for p in doc.paragraphs] + [(p, True) for p in doc.left_out],
        key=lambda row: row[0].line_no or 0,
    )
    out = [
        {
            "line_no": p.line_no,
            "kind": str(p.kind),
            "speaker": p.speaker,
            "sentences": [] if left else _preview_sentences([s.text for s in p.sentences]),
            "raw_text": p.raw_text[:PREVIEW_CHARS] if left else "",
            "left_out": left,
            "choosable": left or str(p.kind) in KIND_CHOICES,
        }
        for p, left in rows[:limit]
    ]
    return out, max(0, len(rows) - limit)


def english_track_choices(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Tracks of the report that can be imported as the existing English of each segment."""
    if not report:
        return []
    chosen = report.get("chosen_track")
    return [t for t in report.get("tracks", []) if t["name"] != chosen and t["name"] == "en"]


def preview_summary(doc: ParsedDocument) -> dict[str, Any]:
    """What the preview page shows of a document, as JSON (stored on an ``ImportJob``)."""
    rows, more = preview_rows(doc)
    return {
        "title": doc.title,
        "source_format": doc.source_format,
        "encoding": doc.encoding,
        "duration_ms": doc.duration_ms,
        "speakers": doc.speakers,
        "warnings": list(doc.warnings),
        "report": doc.report.to_dict() if doc.report else None,
        "n_paragraphs": len(doc.paragraphs),
        "n_sentences": sum(len(p.sentences) for p in doc.paragraphs),
        "n_cues": sum(len(s.cues) for p in doc.paragraphs for s in p.sentences),
        "rows": rows,
        "rows_more": more,
    }


def start_import_job(
    *,
    data: bytes | str,
    filename: str | None,
    options: dict[str, Any],
    user: AbstractBaseUser,
    kind: str = ImportJob.Kind.TRANSCRIPT,
    english_file: bytes | None = None,
    english_file_name: str | None = None,
) -> ImportJob:
    """Hand a large upload to the worker: a transcript's preview first (then ``confirm``), or a
    project file's restore. Returns at once; the job's page shows the progress.
    ``english_file``: a second, English subtitle file, kept beside the upload and imported as
    the existing English."""
    permissions.require(user, permissions.can_import)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if isinstance(data, str):
        options = {**options, "encoding": "utf-8"}
    token = stash_upload(raw)
    if english_file is not None and kind == ImportJob.Kind.TRANSCRIPT:
        stash_part(token, "en", english_file)
        options = {**options, "english_file_name": (english_file_name or "english")[:255]}
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            stage=ImportJob.Stage.IMPORT
            if kind == ImportJob.Kind.PROJECT
            else ImportJob.Stage.PREVIEW,
            token=token,
            filename=(filename or "")[:255],
            size_bytes=len(raw),
            options=options,
            requested_by=user,
        )
        _enqueue_on_commit(job)
    return job


def _waiting_job(job_id: int, user: AbstractBaseUser) -> ImportJob:
    """The requester's previewed job, locked (inside a transaction)."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    permissions.require(
        user,
        lambda u: u.pk == job.requested_by_id and permissions.can_import(u),
        "This import was started by someone else.",
    )
    if job.state != ImportJob.State.PREVIEWED:
        raise InputError("This preview is no longer waiting to be imported.")
    return job


def confirm_import_job(
    *,
    job_id: int,
    user: AbstractBaseUser,
    title: str = "",
    kinds: dict[int, str] | None = None,
    english_track: str | None = None,
) -> ImportJob:
    """Import what a job previewed (its requester only), with the preview's choices: the kind
    of each paragraph (by ``line_no``) and the track to import as the existing English."""
    with transaction.atomic():
        job = _waiting_job(job_id, user)
        job.stage, job.state, job.step = ImportJob.Stage.IMPORT, ImportJob.State.QUEUED, ""
        job.done = job.total = 0
        options = {**job.options, "kinds": {str(k): v for k, v in (kinds or {}).items()}}
        options["english_track"] = english_track or ""
        if title.strip():
            options["title"] = title.strip()[:300]
        job.options = options
        job.save(update_fields=["stage", "state", "step", "done", "total", "options"])
        _enqueue_on_commit(job)
    return job


def retrack_import_job(*, job_id: int, user: AbstractBaseUser, track: str) -> ImportJob:
    """The track picker of a job's preview: the worker previews the same upload again with
    ``track`` as the source."""
    with transaction.atomic():
        job = _waiting_job(job_id, user)
        job.state, job.step, job.preview = ImportJob.State.QUEUED, "", None
        job.options = {**job.options, "track": (track or "")[:10] or None}
        job.save(update_fields=["state", "step", "preview", "options"])
        _enqueue_on_commit(job)
    return job


def _job_request(job: ImportJob) -> ImportRequest:
    """The import a job's options ask for (the preview's choices once confirmed)."""
    opts = job.options
    kinds = {int(k): v for k, v in (opts.get("kinds") or {}).items() if str(k).isdigit() and v}
    request = ImportRequest.from_options(opts, filename=job.filename or None)
    if job.stage == ImportJob.Stage.IMPORT:
        request = request.replace(
            kinds=kinds or None,
            english_track=opts.get("english_track") or None,
            english_file=read_pending(job.token, part="en"),
        )
    return request


def _enqueue_on_commit(job: ImportJob) -> None:
    from translator.tasks import import_task

    def enqueue() -> None:
        result = import_task.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def _progress(job: ImportJob, **fields: Any) -> None:
    """Committed at once (outside any import transaction): the page polls it."""
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), **fields)


def run_import_job(*, job_id: int) -> ImportJob:
    """The worker's side: preview, import, or restore. Bad input fails the job with its
    one-line message (nothing written); the upload is deleted once nothing needs it."""
    from translator.services import backup

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.state != ImportJob.State.QUEUED:
            return job
        job.state, job.started_at = ImportJob.State.RUNNING, job.started_at or timezone.now()
        job.save(update_fields=["state", "started_at"])
    data = read_pending(job.token)
    try:
        if data is None:
            raise InputError("the uploaded file is gone; please choose it again")
        if job.requested_by is None:  # never run with no account: that is the operator's power
            raise InputError("the account that started this import no longer exists")
        if job.kind == ImportJob.Kind.PROJECT:
            _progress(job, step="restoring")
            episode = backup.import_project(data=data, user=job.requested_by)
            _finish(job, episode=episode)
            return job
        _progress(job, step="segmenting")
        request = _job_request(job)
        doc = preview_document(data=data, request=request)
        if job.stage == ImportJob.Stage.PREVIEW:
            job.preview = preview_summary(doc)
            job.state, job.step = ImportJob.State.PREVIEWED, ""
            job.save(update_fields=["preview", "state", "step"])
            return job
        english = english_lines(
            doc, english_track=request.english_track, english_file=request.english_file
        )
        total = sum(len(p.sentences) for p in doc.paragraphs)
        _progress(job, step="writing", total=total, done=0)
        episode = save_document(
            doc=doc,
            filename=job.filename,
            target_language=request.target_language or Episode.TargetLanguage.EN_US,
            user=job.requested_by,
            english=english,
        )
        _finish(job, episode=episode, done=total)
    except (InputError, backup.BackupError, PermissionDenied) as exc:
        _finish(job, error=str(exc).splitlines()[0][:500] if str(exc) else "refused")
    except Exception as exc:  # a bug: the job says so, the worker logs it
        log.exception("import job %s crashed", job.pk)
        _finish(job, error=f"Unexpected error: {type(exc).__name__}")
        raise
    return job


def _finish(job: ImportJob, *, episode: Episode | None = None, error: str = "", **extra) -> None:
    discard_pending(job.token)
    fields = {
        "state": ImportJob.State.FAILED if error else ImportJob.State.SUCCEEDED,
        "error": error,
        "episode": episode,
        "step": "",
        "finished_at": timezone.now(),
        **extra,
    }
    _progress(job, **fields)


IMPORT_STALE_AFTER = timedelta(minutes=30)  # a running import reports only between its steps


def resume_import_jobs(*, force: bool = False) -> list[ImportJob]:
    """Queue again the import jobs whose worker died (their upload is still stashed).
    ``force``: every active job whose task is not waiting (use it when no worker runs)."""
    from translator.tasks import import_task

    resumed = []
    for job in jobs.to_resume(ImportJob, task=import_task, after=IMPORT_STALE_AFTER, force=force):
        with transaction.atomic():
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.QUEUED, heartbeat_at=timezone.now()
            )
            _enqueue_on_commit(job)
        resumed.append(job)
    return resumed
