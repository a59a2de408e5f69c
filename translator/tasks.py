"""Background tasks: thin, take ids, call a service (DESIGN.md "Faces")."""

from __future__ import annotations

from django_tasks import task

from translator.services import audio_timing, translation


@task()
def translate_episode_task(job_id: int) -> None:
    translation.run_translation_job(job_id=job_id)


@task()
def audio_timing_task(job_id: int) -> None:
    """Find the speech in an episode's audio and time its transcript to it (issue 19)."""
    audio_timing.run_audio_timing_job(job_id=job_id)
