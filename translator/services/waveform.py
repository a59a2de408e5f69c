"""The waveform of an episode's media: peaks computed once by the worker, kept in
:class:`~translator.models.WaveformPeaks` (one row per episode).

- :func:`media_changed` (called by the media services in their transaction): attaching a file
  queues its peaks (enqueued after commit, so an upload request stays fast); attaching an
  address or removing the media deletes the row (peaks of an address are not computed: the
  server does not fetch media from the internet).
- :func:`request_waveform` (the strip's *Compute the waveform* / *Try again*): for media
  attached before waveforms existed, a failed run, or a worker that died.
- :func:`run_waveform_job` (worker): decode and compute (``translator.core.audio.peaks``) and
  store the gzipped bytes, unless the media was replaced meanwhile. Bad media is recorded as a
  one-line error, never raised.
"""

from __future__ import annotations

import gzip
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from translator import permissions
from translator.core.audio import AudioError
from translator.core.errors import InputError
from translator.models import Episode, WaveformPeaks
from translator.selectors.waveform import is_stale

log = logging.getLogger(__name__)
State = WaveformPeaks.State


class WaveformError(InputError):
    """The waveform cannot be computed; ``str()`` is a one-line message for the editor."""


def media_changed(*, episode_id: int, media_name: str) -> WaveformPeaks | None:
    """The episode's media is now the stored file ``media_name`` ("" for an address or no
    media). Call inside the transaction that changed it."""
    WaveformPeaks.objects.filter(episode_id=episode_id).delete()
    if not media_name:
        return None
    peaks = WaveformPeaks.objects.create(episode_id=episode_id, media_name=media_name[:1000])
    _enqueue_on_commit(peaks)
    return peaks


def _enqueue_on_commit(peaks: WaveformPeaks) -> None:
    from translator.tasks import waveform_task

    def enqueue() -> None:
        result = waveform_task.enqueue(peaks.pk)
        WaveformPeaks.objects.filter(pk=peaks.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


@transaction.atomic
def request_waveform(*, episode_id: int, user: AbstractBaseUser | None) -> WaveformPeaks:
    """Queue the peaks of the attached file again, unless they are ready or being computed."""
    permissions.require(user, permissions.can_edit, "You cannot change this episode.")
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    if not episode.media_file:
        raise WaveformError("the episode has no uploaded media file to draw")
    current = WaveformPeaks.objects.filter(episode=episode).defer("data_gz").first()
    in_hand = current is not None and current.media_name == episode.media_file.name
    if in_hand and (current.state == State.READY or (current.is_active and not is_stale(current))):
        return current
    return media_changed(episode_id=episode.pk, media_name=episode.media_file.name)


def run_waveform_job(*, peaks_id: int) -> WaveformPeaks | None:
    """Compute and store the peaks of row ``peaks_id`` (None if it was deleted meanwhile)."""
    from translator.core.audio.peaks import compute_peaks

    with transaction.atomic():
        peaks = WaveformPeaks.objects.select_for_update().filter(pk=peaks_id).first()
        if peaks is None or not peaks.is_active:
            return peaks
        peaks.state = State.RUNNING
        peaks.error = ""
        peaks.save(update_fields=["state", "error", "updated_at"])
    mine = WaveformPeaks.objects.filter(pk=peaks.pk, media_name=peaks.media_name)
    try:
        try:
            path = default_storage.path(peaks.media_name)
        except NotImplementedError as exc:
            raise WaveformError("the media storage has no local files to draw from") from exc
        result = compute_peaks(path)
        dat = result.to_dat()
    except (AudioError, InputError) as exc:
        message = str(exc).splitlines()[0][:500] if str(exc) else "the media cannot be read"
        mine.update(state=State.FAILED, error=message, finished_at=timezone.now())
    except Exception as exc:  # a bug or an unexpected library failure: record, then re-raise
        log.exception("waveform %s crashed", peaks.pk)
        mine.update(
            state=State.FAILED,
            error=f"Unexpected error: {type(exc).__name__}: {exc}"[:500],
            finished_at=timezone.now(),
        )
        raise
    else:
        mine.update(
            state=State.READY,
            sample_rate=result.sample_rate,
            samples_per_peak=result.samples_per_peak,
            length=result.length,
            duration_ms=result.duration_ms,
            data_gz=gzip.compress(dat, compresslevel=9, mtime=0),
            raw_bytes=len(dat),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return WaveformPeaks.objects.filter(pk=peaks.pk).defer("data_gz").first()
