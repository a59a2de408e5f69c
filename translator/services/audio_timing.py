"""Time an episode's cues from its own audio, alone or with rough captions.

- :func:`start_audio_timing` (web, CLI): checks what can be checked without decoding (media
  attached, captions readable, hand-set times confirmed), creates an :class:`AudioTimingJob`
  and enqueues it for the worker. The web process never decodes audio or loads the detector.
- :func:`run_audio_timing_job` (worker, or in-process from the CLI): finds the speech in the
  media (Silero VAD; reused from an earlier job on the same file), fits the transcript to it
  and writes the cue times in one transaction, recorded as an ``AlignmentRun`` (coverage report
  on the episode, undoable with :func:`translator.services.alignment.undo_alignment`).

Cue times that are not estimates (``imported`` from a subtitle file, ``aligned`` to captions or
audio before) count as set by hand: they are replaced only when the user confirms
(``replace_timed``); otherwise nothing is written and the job says why. Cues an editor retimed
(``manual``: cue view, waveform) are kept by default, the others fitted around them; they are
replaced only with ``replace_manual``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from translator import permissions
from translator.core.audio import AudioError, SpeechRegions
from translator.core.errors import InputError
from translator.models import AlignmentRun, AudioTimingJob, Cue, Episode, Segment
from translator.services import jobs
from translator.services.alignment import read_captions, store_times
from translator.services.qa_flags import segments_changed

log = logging.getLogger(__name__)
State = AudioTimingJob.State
_PROGRESS_EVERY_S = 1.0
# A queued or running job not heard from for this long is dead (its worker was killed): a new
# start replaces it. Analysis reports at least every few seconds; the fit of an hour takes less.
STALE_AFTER = timedelta(minutes=10)


class AudioTimingError(InputError):
    """Audio timing cannot start or failed; ``str()`` is a one-line message for the editor."""


class ConfirmationNeeded(AudioTimingError):
    """Some cues have times that are not estimates: replacing them needs the user's yes."""


def hand_set_count(episode_id: int) -> int:
    """Timed cues whose times are imported or aligned (not estimates, not retimed by an
    editor: those are kept unless replacing them is asked for, see :func:`manual_count`)."""
    return Cue.objects.filter(
        segment__episode_id=episode_id,
        segment__kind=Segment.Kind.TRANSCRIPT,
        timing__in=(Cue.Timing.IMPORTED, Cue.Timing.ALIGNED),
    ).count()


def timing_counts(episode_id: int) -> tuple[int, int]:
    """(imported or aligned cues, cues set by hand) of the episode's subtitles, one query:
    what the timing panel asks about before a run replaces them."""
    from django.db.models import Count, Q

    counts = Cue.objects.filter(
        segment__episode_id=episode_id,
        segment__kind__in=(Segment.Kind.TRANSCRIPT, Segment.Kind.SOUND),
    ).aggregate(
        timed=Count(
            "pk",
            filter=Q(
                segment__kind=Segment.Kind.TRANSCRIPT,
                timing__in=(Cue.Timing.IMPORTED, Cue.Timing.ALIGNED),
            ),
        ),
        manual=Count("pk", filter=Q(timing=Cue.Timing.MANUAL)),
    )
    return counts["timed"], counts["manual"]


def _check_confirmed(episode_id: int, replace_timed: bool) -> None:
    n = hand_set_count(episode_id)
    if n and not replace_timed:
        raise ConfirmationNeeded(
            f"{n} cues have imported or aligned times; confirm replacing them "
            "(tick “Replace imported and aligned times”, or --replace) to time from the audio"
        )


def media_key(path: str | os.PathLike) -> str:
    """What identifies an analysed file: its path and size (a replaced file is new)."""
    try:
        size = os.path.getsize(path)
    except OSError:
        size = -1
    return f"{Path(path).resolve()}:{size}"[:1100]


def _episode_media_path(episode: Episode) -> str:
    if not episode.media_file:
        raise AudioTimingError(
            "the episode has no audio: attach its audio or video file (Media panel) first"
        )
    try:
        return default_storage.path(episode.media_file.name)
    except NotImplementedError as exc:  # remote storage: the worker cannot read it as a file
        raise AudioTimingError("the media storage has no local files to analyse") from exc


@transaction.atomic
def start_audio_timing(
    *,
    episode_id: int,
    user: AbstractBaseUser | None = None,
    audio_path: str | None = None,
    captions_data: bytes | None = None,
    captions_filename: str | None = None,
    encoding: str = "auto",
    replace_timed: bool = False,
    replace_manual: bool = False,
    enqueue: bool = True,
) -> AudioTimingJob:
    """Create (and enqueue) an audio timing job. ``audio_path``: a file on this machine (CLI);
    default: the episode's attached media. Raises :class:`AudioTimingError` (nothing written)
    when it cannot start."""
    permissions.require(user, permissions.can_edit, "You cannot change this episode.")
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    path = _episode_media_path(episode) if audio_path is None else str(Path(audio_path).resolve())
    if not os.path.isfile(path):
        raise AudioTimingError(f"the audio file {Path(path).name} does not exist")
    if os.path.getsize(path) == 0:
        raise AudioTimingError("the audio file is empty")
    captions_text = ""
    if captions_data is not None:
        lines = read_captions(captions_data, filename=captions_filename, encoding=encoding)
        captions_text = _captions_to_text(lines)
    _check_confirmed(episode.pk, replace_timed)
    for active in episode.audio_jobs.filter(state__in=AudioTimingJob.ACTIVE_STATES):
        last = active.heartbeat_at or active.started_at or active.created_at
        if timezone.now() - last <= STALE_AFTER:
            raise AudioTimingError("the episode is already being timed from its audio")
        _finish(active, State.FAILED, error="the worker stopped reporting; started again")
    job = AudioTimingJob.objects.create(
        episode=episode,
        media_name=path[:1000],
        media_key=media_key(path),
        captions=captions_text,
        captions_filename=(captions_filename or "")[:255],
        replace_timed=replace_timed,
        replace_manual=replace_manual,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    if enqueue:
        _enqueue_on_commit(job)
    return job


def _captions_to_text(lines) -> str:
    """Caption lines kept on the job as JSON (the worker reads them back)."""
    import json

    return json.dumps([[ln.start_ms, ln.end_ms, ln.text] for ln in lines], ensure_ascii=False)


def _captions_from_text(text: str):
    import json

    from translator.core.types import TimedLine

    return [TimedLine(int(a), int(b), str(t)) for a, b, t in json.loads(text)] if text else []


def _enqueue_on_commit(job: AudioTimingJob) -> None:
    from translator.tasks import audio_timing_task

    def enqueue() -> None:
        result = audio_timing_task.enqueue(job.pk)
        AudioTimingJob.objects.filter(pk=job.pk).update(
            task_id=str(result.id), heartbeat_at=timezone.now()
        )

    transaction.on_commit(enqueue)


def resume_audio_timing_jobs(*, force: bool = False) -> list[AudioTimingJob]:
    """Queue again the audio timing jobs whose worker died (stale for ``STALE_AFTER``; the
    analysis starts over, or is reused if it was stored). ``force``: every active job whose
    task is not waiting (use it when no worker runs)."""
    from translator.tasks import audio_timing_task

    resumed = []
    for job in jobs.to_resume(
        AudioTimingJob, task=audio_timing_task, after=STALE_AFTER, force=force
    ):
        with transaction.atomic():
            AudioTimingJob.objects.filter(pk=job.pk).update(
                state=State.QUEUED, heartbeat_at=timezone.now()
            )
            _enqueue_on_commit(job)
        resumed.append(job)
    return resumed


def cached_speech(key: str) -> SpeechRegions | None:
    """Speech regions found by an earlier job on the same file, if any."""
    done = (
        AudioTimingJob.objects.filter(media_key=key, speech__isnull=False)
        .order_by("-finished_at", "-id")
        .values_list("speech", flat=True)
        .first()
    )
    return SpeechRegions.from_dict(done) if done else None


ProgressCallback = Callable[[AudioTimingJob], None]


def run_audio_timing_job(
    *, job_id: int, on_progress: ProgressCallback | None = None
) -> AudioTimingJob:
    """Analyse (or reuse the analysis) and fit. Never raises for bad audio: the job records a
    one-line error and no cue changes."""
    with transaction.atomic():
        job = AudioTimingJob.objects.select_for_update().get(pk=job_id)
        if job.state not in AudioTimingJob.ACTIVE_STATES:
            return job
        job.state = State.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.error = ""
        job.save(update_fields=["state", "started_at", "heartbeat_at", "error"])
    try:
        speech = cached_speech(job.media_key)
        if speech is None:
            speech = _analyse(job, on_progress)
        AudioTimingJob.objects.filter(pk=job.pk).update(
            speech=speech.to_dict(),
            done_ms=speech.duration_ms,
            total_ms=speech.duration_ms,
            heartbeat_at=timezone.now(),
        )
        run = apply_audio_timing(
            episode_id=job.episode_id,
            speech=speech,
            captions=_captions_from_text(job.captions),
            captions_filename=job.captions_filename,
            media_label=Path(job.media_name).name,
            replace_timed=job.replace_timed,
            replace_manual=job.replace_manual,
            user=job.requested_by,
        )
    except (AudioError, InputError) as exc:
        _finish(job, State.FAILED, error=str(exc).splitlines()[0][:2000] if str(exc) else "")
    except Exception as exc:  # a bug or an unexpected library failure: record, then re-raise
        log.exception("audio timing job %s crashed", job.pk)
        _finish(job, State.FAILED, error=f"Unexpected error: {type(exc).__name__}: {exc}"[:2000])
        raise
    else:
        AudioTimingJob.objects.filter(pk=job.pk).update(alignment=run)
        _finish(job, State.SUCCEEDED)
    job.refresh_from_db()
    if on_progress:
        on_progress(job)
    return job


def _analyse(job: AudioTimingJob, on_progress: ProgressCallback | None) -> SpeechRegions:
    from translator.core.audio.vad import analyse_file

    last = [0.0]

    def progress(done_ms: int, total_ms: int) -> None:
        now = time.monotonic()
        if now - last[0] < _PROGRESS_EVERY_S:
            return
        last[0] = now
        AudioTimingJob.objects.filter(pk=job.pk).update(
            done_ms=done_ms, total_ms=max(total_ms, done_ms), heartbeat_at=timezone.now()
        )
        if on_progress:
            job.done_ms, job.total_ms = done_ms, max(total_ms, done_ms)
            on_progress(job)

    return analyse_file(job.media_name, on_progress=progress)


def _finish(job: AudioTimingJob, state: str, *, error: str = "") -> None:
    AudioTimingJob.objects.filter(pk=job.pk).update(
        state=state, error=error, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )


def _run_report(
    fit: Any, caption_report: Any, *, with_captions: bool, label: str, cues_aligned: int
) -> dict[str, object]:
    """The stored report of an audio timing run: the fit's figures, and the caption-report
    fields the panel and the coverage report read (those of the captions, when given)."""
    report: dict[str, object] = {
        "source": "audio+captions" if with_captions else "audio",
        "summary": fit.summary(),
        "caption_file": label[:255],
        "aligned_at": timezone.now().isoformat(),
        "audio": fit.to_dict(),
        "warnings": list(fit.warnings),
        "coverage": caption_report.coverage if caption_report else 1.0,
        "cues_aligned": cues_aligned,
        "cues_interpolated": 0,
        "largest_unmatched_chars": caption_report.largest_unmatched_chars if caption_report else 0,
        "largest_unmatched_excerpt": (
            caption_report.largest_unmatched_excerpt if caption_report else ""
        ),
    }
    if caption_report:
        report["warnings"] = list(caption_report.warnings) + list(fit.warnings)
        report["captions"] = caption_report.to_dict()
    return report


@transaction.atomic
def apply_audio_timing(
    *,
    episode_id: int,
    speech: SpeechRegions,
    captions=(),
    captions_filename: str = "",
    media_label: str = "",
    replace_timed: bool = False,
    replace_manual: bool = False,
    user: AbstractBaseUser | None = None,
) -> AlignmentRun:
    """Fit the episode's transcript to ``speech`` (and ``captions``) and store the cue times
    as an undoable alignment run. Raises ``AudioError``/``InputError`` with nothing written.
    Cues set by hand keep their times (and pull the fit towards them) unless
    ``replace_manual``."""
    from translator.core.align import AlignCue, align_cues
    from translator.core.audio.fit import FitCue, fit_transcript

    episode = Episode.objects.select_for_update().get(pk=episode_id)
    _check_confirmed(episode.pk, replace_timed)
    cues = list(
        Cue.objects.filter(segment__episode=episode)
        .select_related("segment")
        .order_by("segment__order", "index")
    )
    timed = {c.pk: c.segment.kind == Segment.Kind.TRANSCRIPT for c in cues}
    hints: dict[int, tuple[int, int]] = {}
    caption_report = None
    if captions:
        aligned = align_cues(
            [AlignCue(key=c.pk, text=c.source_text, timed=timed[c.pk]) for c in cues], captions
        )
        hints = {k: v for k, v in aligned.times.items() if aligned.method[k] == "aligned"}
        caption_report = aligned.report
    if not replace_manual:  # hand-set times say where the words are, better than captions
        hints |= {
            c.pk: (c.start_ms, c.end_ms)
            for c in cues
            if c.timing == Cue.Timing.MANUAL and c.start_ms is not None and c.end_ms is not None
        }
    result = fit_transcript(
        [
            FitCue(
                key=c.pk,
                text=c.source_text,
                sentence=c.segment_id,
                speaker=c.segment.speaker_label,
                turn=c.segment.turn,
                timed=timed[c.pk],
                hint_ms=hints.get(c.pk),
            )
            for c in cues
        ],
        speech,
    )
    previous = {str(c.pk): [c.start_ms, c.end_ms, c.timing] for c in cues}
    changed = store_times(
        cues,
        result.times,
        dict.fromkeys(result.times, Cue.Timing.ALIGNED),
        keep_manual=not replace_manual,
    )
    # Only times changed: the timing flags of the retimed rows (and the row before each)
    segments_changed(segment_ids={c.segment_id for c in changed}, timing_only=True)
    label = media_label + (f" + {captions_filename}" if captions_filename else "")
    report = _run_report(
        result.report,
        caption_report,
        with_captions=bool(captions),
        label=label,
        cues_aligned=len(changed),
    )
    if episode.duration_ms is None and speech.duration_ms:
        episode.duration_ms = speech.duration_ms
    episode.alignment_report = report
    episode.save(update_fields=["alignment_report", "duration_ms", "updated_at"])
    return AlignmentRun.objects.create(
        episode=episode,
        user=user if user is not None and user.is_authenticated else None,
        caption_filename=label[:255],
        report=report,
        previous_times=previous,
    )


def latest_job(episode_id: int) -> AudioTimingJob | None:
    return AudioTimingJob.objects.filter(episode_id=episode_id).first()
