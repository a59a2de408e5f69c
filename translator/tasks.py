"""Background tasks: thin, take ids, call a service (DESIGN.md "Faces")."""

from __future__ import annotations

from django_tasks import task

from translator.services import audio_timing, importing, translation, waveform


@task()
def translate_episode_task(job_id: int) -> None:
    translation.run_translation_job(job_id=job_id)


@task()
def import_task(job_id: int) -> None:
    """A large import's preview, import or restore (``ImportJob``)."""
    importing.run_import_job(job_id=job_id)


@task()
def audio_timing_task(job_id: int) -> None:
    """Find the speech in an episode's audio and time its transcript to it."""
    audio_timing.run_audio_timing_job(job_id=job_id)


@task()
def waveform_task(peaks_id: int) -> None:
    """Compute the waveform peaks of an episode's attached media file."""
    waveform.run_waveform_job(peaks_id=peaks_id)
