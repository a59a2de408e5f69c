"""Translation jobs: start, run (in a worker or in-process), cancel, resume.

Rules that keep people's work safe:
- only segments that are untranslated (or machine-translated from Japanese edited since), or
  machine-translated when ``retranslate_machine`` is asked, are sent; edited and approved
  segments are never touched, even if an editor changes a segment while the job is running
  (every write re-checks the status in its UPDATE);
- results are committed batch by batch, so a job that fails or whose worker dies keeps what it
  already translated, and running it again only sends what is left (a segment translated by
  this job is recognised by ``machine_translated_at >= job.created_at``);
- the raw machine text and its provenance are kept even after an editor changes the English.

What an engine is sent follows its capability flags: the neighbouring sentences of each turn
only if it ``supports_context``; the glossary (project terms, the episode's, speaker names) is
synced to the engine's own glossary only if it ``supports_glossary`` (its state kept per episode
in ``EngineState``), and protected by the engine base class otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from translator import permissions
from translator.engines.base import Engine, EngineError, TranslationRequest, TranslationResult
from translator.engines.registry import available_engines, get_engine
from translator.models import EngineState, Episode, Segment, SegmentRevision, TranslationJob
from translator.services import actions, jobs, memory
from translator.services.qa_flags import segments_changed

log = logging.getLogger(__name__)
Status = Segment.Status
State = TranslationJob.State

# A running job whose worker has not reported for this long is considered dead and resumable.
STALE_AFTER = timedelta(minutes=2)
CONTEXT_NEIGHBOURS = 2  # sentences of the same turn on each side sent as context


class JobError(Exception):
    """A job cannot be started or run; ``str()`` is a message for the editor."""


class JobCancelled(Exception):
    pass


def segments_to_translate(job: TranslationJob) -> QuerySet[Segment]:
    """What this job still has to send (resumable: already-done rows drop out)."""
    qs = Segment.objects.filter(episode_id=job.episode_id)
    if job.retranslate_machine:
        qs = qs.filter(status__in=[Status.UNTRANSLATED, Status.MACHINE]).filter(
            Q(machine_translated_at__isnull=True) | Q(machine_translated_at__lt=job.created_at)
        )
    else:  # and machine English whose Japanese was edited since (services.structure)
        qs = qs.filter(
            Q(status=Status.UNTRANSLATED, machine_text="")
            | Q(status=Status.MACHINE, source_stale=True)
        )
    return qs.order_by("order")


@transaction.atomic
def start_translation_job(
    *,
    episode_id: int,
    engine: str,
    user: AbstractBaseUser | None = None,
    retranslate_machine: bool = False,
    enqueue: bool = True,
) -> TranslationJob:
    """Create a job and enqueue its task once the transaction commits.

    An episode runs one job at a time: if one is active, it is returned (and re-enqueued if its
    worker died) instead of starting a second.
    """
    permissions.require(user, permissions.can_translate)
    if engine not in available_engines():
        raise JobError(
            f"Unknown engine “{engine}”. Choose one of: {', '.join(available_engines())}."
        )
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    active = episode.jobs.filter(state__in=TranslationJob.ACTIVE_STATES).first()
    if active is not None:
        if is_stale(active) and not _task_waiting(active):
            if enqueue:
                _enqueue_on_commit(active)
            return active
        raise JobError("A translation job is already running for this episode.")
    job = TranslationJob.objects.create(
        episode=episode,
        engine=engine,
        retranslate_machine=retranslate_machine,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    job.total = segments_to_translate(job).count()
    job.save(update_fields=["total"])
    if enqueue:
        _enqueue_on_commit(job)
    return job


def _enqueue_on_commit(job: TranslationJob) -> None:
    from translator.tasks import translate_episode_task

    def enqueue() -> None:
        result = translate_episode_task.enqueue(job.pk)
        TranslationJob.objects.filter(pk=job.pk).update(
            task_id=str(result.id), heartbeat_at=timezone.now()
        )

    transaction.on_commit(enqueue)


def is_stale(job: TranslationJob) -> bool:
    return jobs.is_stale(job, after=STALE_AFTER)


def _task_waiting(job: TranslationJob) -> bool:
    """True while the job's task is still queued (a worker will pick it up)."""
    from translator.tasks import translate_episode_task

    return jobs.task_waiting(translate_episode_task, job)


def resume_stale_jobs(*, force: bool = False) -> list[TranslationJob]:
    """Re-enqueue active jobs whose worker died. ``force``: every active job whose task is not
    waiting in the queue (use it when no worker is running, e.g. before starting workers)."""
    from translator.tasks import translate_episode_task

    resumed = []
    for job in jobs.to_resume(
        TranslationJob, task=translate_episode_task, after=STALE_AFTER, force=force
    ):
        with transaction.atomic():
            _enqueue_on_commit(job)
        resumed.append(job)
    return resumed


def request_cancel(*, job_id: int, user: AbstractBaseUser | None = None) -> TranslationJob:
    """Stop a job after its current batch. ``user`` (``None``: the command line) must be a
    reviewer or the translator who started it (``PermissionDenied`` otherwise)."""
    job = TranslationJob.objects.get(pk=job_id)
    permissions.require(
        user,
        lambda u: permissions.can_cancel_job(u, job),
        "You can cancel only the jobs you started.",
    )
    if job.state == State.QUEUED:
        TranslationJob.objects.filter(pk=job_id, state=State.QUEUED).update(
            state=State.CANCELLED, cancel_requested=True, finished_at=timezone.now()
        )
    elif job.state == State.RUNNING:
        TranslationJob.objects.filter(pk=job_id).update(cancel_requested=True)
    job.refresh_from_db()
    return job


def _contexts(segments: list[Segment]) -> dict[int, tuple[str, ...]]:
    """Neighbouring sentences of the same turn, so short replies translate well."""
    by_turn: dict[tuple[int, int], list[Segment]] = {}
    for seg in Segment.objects.filter(
        episode_id=segments[0].episode_id, turn__in={s.turn for s in segments}
    ).only("id", "turn", "order", "source_text", "episode_id"):
        by_turn.setdefault((seg.episode_id, seg.turn), []).append(seg)
    contexts: dict[int, tuple[str, ...]] = {}
    for turn_segments in by_turn.values():
        turn_segments.sort(key=lambda s: s.order)
        for i, seg in enumerate(turn_segments):
            lo, hi = max(0, i - CONTEXT_NEIGHBOURS), i + CONTEXT_NEIGHBOURS + 1
            neighbours = [s.source_text for s in turn_segments[lo:hi] if s.pk != seg.pk]
            contexts[seg.pk] = tuple(neighbours)
    return contexts


def _write_result(job: TranslationJob, segment: Segment, result: TranslationResult) -> bool:
    """Store one machine translation unless a person got there first. Returns True if written."""
    return write_machine_result(segment, result)


def write_machine_result(
    segment: Segment,
    result: TranslationResult,
    *,
    user: AbstractBaseUser | None = None,
    one_segment: bool = False,
) -> bool:
    """Store one machine translation if ``segment`` is still at the version it was read at.
    Returns True if written. The English follows the machine only while nobody has written
    their own: an edited or approved row gets the machine text and provenance only, and only
    when ``one_segment`` (an editor asked for this row: :mod:`translator.services.structure`),
    which also replaces a translation-memory fill. A batch job leaves those rows alone."""
    now = timezone.now()
    machine = result.text.strip()
    fields = {
        "machine_text": machine,
        "machine_engine": result.engine,
        "machine_engine_version": result.engine_version[:200],
        "machine_translated_at": now,
        "machine_flags": list(result.warnings),
        "version": F("version") + 1,
    }
    fresh = {"text": machine, "source_stale": False}  # translated from the Japanese as it is now
    base = Segment.objects.filter(pk=segment.pk, version=segment.version)
    machine_statuses = [Status.UNTRANSLATED, Status.MACHINE] + (
        [Status.MEMORY] if one_segment else []
    )
    new_text, new_status = machine, Status.MACHINE
    updated = base.filter(status__in=machine_statuses).update(
        status=Status.MACHINE, **fresh, **fields
    )
    if not updated and one_segment:
        updated = base.filter(status__in=[Status.EDITED, Status.APPROVED]).update(**fields)
        new_text, new_status = segment.text, segment.status
    if not updated:
        return False
    SegmentRevision.objects.create(
        segment_id=segment.pk,
        user=user if user is not None and user.is_authenticated else None,
        action=SegmentRevision.Action.MACHINE,
        old_text=segment.text,
        new_text=new_text,
        old_status=segment.status,
        new_status=new_status,
        version=segment.version + 1,
        edit_action=actions.current(),
    )
    return True


def engine_glossary(episode: Episode) -> dict[str, str]:
    """Terms the engine must follow: the project's and the episode's glossary plus its
    speakers' names (永野 → Nagano), so no engine mangles a name. Glossary entries win over
    names, an episode's term over the project's."""
    terms = {
        s.label: s.display_name
        for s in episode.speakers.all()
        if s.display_name and s.display_name != s.label
    }
    terms.update(memory.effective_glossary(episode.pk))  # project terms, then the episode's
    return terms


def _sync_engine_glossary(engine: Engine, job: TranslationJob, glossary: dict[str, str]) -> None:
    sync_engine_glossary(
        engine, engine_name=job.engine, episode_id=job.episode_id, glossary=glossary
    )


def sync_engine_glossary(
    engine: Engine, *, engine_name: str, episode_id: int, glossary: dict[str, str]
) -> None:
    """An engine with a glossary of its own (``supports_glossary``: DeepL) keeps it current
    before the job, with the state it keeps per episode (``EngineState``: re-created or replaced
    only when the terms changed). Other engines have nothing to sync: the base class protects
    the terms instead."""
    if not engine.supports_glossary:
        return
    row = EngineState.objects.filter(engine=engine_name, episode_id=episode_id).first()
    saved = dict(row.data) if row is not None else {}
    kept = engine.sync_glossary(glossary, saved=saved)
    if kept != saved:
        EngineState.objects.update_or_create(
            engine=engine_name, episode_id=episode_id, defaults={"data": kept}
        )


ProgressCallback = Callable[[TranslationJob], None]


def run_translation_job(
    *, job_id: int, on_progress: ProgressCallback | None = None
) -> TranslationJob:
    """Run (or resume) a job to the end. Never raises for engine failures: the job records them.

    Three steps, like a worker around its task: :func:`claim_job` (mark it running, or leave it
    as it is), :func:`_run_job` (translation memory first, then the engine batch by batch) and
    :func:`_finish` (the final state).
    """
    job = claim_job(job_id=job_id)
    if job is None:
        return TranslationJob.objects.get(pk=job_id)
    try:
        _run_job(job, on_progress)
    except JobCancelled:
        _finish(job, State.CANCELLED)
    except EngineError as exc:
        _finish(job, State.FAILED, error=str(exc))
    except Exception as exc:  # a bug or an unexpected library failure: record, then re-raise
        log.exception("translation job %s crashed", job.pk)
        _finish(job, State.FAILED, error=f"Unexpected error: {type(exc).__name__}: {exc}"[:2000])
        raise
    else:
        _finish(job, State.SUCCEEDED)
    job.refresh_from_db()
    if on_progress:
        on_progress(job)
    return job


def claim_job(*, job_id: int) -> TranslationJob | None:
    """Mark an active job running (its heartbeat now, its last error cleared) and return it;
    ``None`` when there is nothing to run (finished, or cancelled before it started)."""
    with transaction.atomic():
        job = TranslationJob.objects.select_for_update().get(pk=job_id)
        if job.state not in TranslationJob.ACTIVE_STATES:
            return None
        if job.cancel_requested:
            job.state, job.finished_at = State.CANCELLED, timezone.now()
            job.save(update_fields=["state", "finished_at"])
            return None
        job.state = State.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.error = ""
        job.save(update_fields=["state", "started_at", "heartbeat_at", "error"])
    return job


def _run_job(job: TranslationJob, on_progress: ProgressCallback | None) -> None:
    """What is left to send: exact translation-memory matches first, then the engine, then an
    empty English title."""
    episode = job.episode
    todo = list(segments_to_translate(job))
    already_done = max(0, job.total - len(todo)) if job.total else 0
    if not job.total:
        job.total = len(todo)
    TranslationJob.objects.filter(pk=job.pk).update(total=job.total, done=already_done)
    job.done = already_done
    if todo:
        # Exact translation-memory matches first: only the rest costs an engine request.
        rest = memory.fill_from_memory(segments=todo, episode=episode)
        if len(rest) != len(todo):
            TranslationJob.objects.filter(pk=job.pk).update(
                done=F("done") + (len(todo) - len(rest)), heartbeat_at=timezone.now()
            )
            job.refresh_from_db(fields=["done"])
        todo = rest
    if on_progress:
        on_progress(job)
    if not todo and episode.title_en:
        return
    engine = get_engine(job.engine)
    glossary = engine_glossary(episode)
    _sync_engine_glossary(engine, job, glossary)
    if todo:
        run_batches(job, engine, todo, glossary=glossary, on_progress=on_progress)
    if not episode.title_en:
        _translate_title(engine, episode, glossary)


def run_batches(
    job: TranslationJob,
    engine: Engine,
    todo: list[Segment],
    *,
    glossary: dict[str, str],
    on_progress: ProgressCallback | None = None,
) -> None:
    """Send ``todo`` to ``engine``, committing each finished batch (results, QA flags, progress)
    and stopping after it when the job was cancelled (:class:`JobCancelled`). Context (the
    neighbouring sentences of each turn) is built only for an engine that uses it."""
    contexts = _contexts(todo) if engine.supports_context else {}
    requests = [
        TranslationRequest(text=s.source_text, context=contexts.get(s.pk, ())) for s in todo
    ]

    def on_batch(done: int, pairs: list[tuple[int, TranslationResult]]) -> None:
        with transaction.atomic():
            written = [
                todo[index].pk for index, result in pairs if _write_result(job, todo[index], result)
            ]
            if written:
                segments_changed(segment_ids=written)
            TranslationJob.objects.filter(pk=job.pk).update(
                done=F("done") + len(pairs), heartbeat_at=timezone.now()
            )
        job.refresh_from_db(fields=["done", "cancel_requested"])
        if on_progress:
            on_progress(job)
        if job.cancel_requested:
            raise JobCancelled

    episode = job.episode
    engine.translate(
        requests,
        source_lang=episode.source_language,
        target_lang=episode.target_language,
        glossary=glossary,
        on_batch=on_batch,
    )


def _translate_title(engine: Engine, episode: Episode, glossary: dict[str, str]) -> None:
    """Fill an empty English title from the engine (never over one an editor set meanwhile).
    A failure here leaves the title empty and the job as it is: the segments are done."""
    title = episode.title.strip()
    if not title:
        return
    try:
        [result] = engine.translate(
            [TranslationRequest(text=title)],
            source_lang=episode.source_language,
            target_lang=episode.target_language,
            glossary=glossary,
        )
    except EngineError as exc:
        log.warning("episode %s: title not translated: %s", episode.pk, exc)
        return
    text = " ".join(result.text.split())[:300]
    if text:
        Episode.objects.filter(pk=episode.pk, title_en="").update(title_en=text)


def _finish(job: TranslationJob, state: str, *, error: str = "") -> None:
    TranslationJob.objects.filter(pk=job.pk).update(
        state=state, error=error, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )
