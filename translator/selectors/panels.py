"""Reads for the episode page's side panels: the translation job panel and the timing panel."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, When

from translator.engines.registry import available_engines
from translator.models import AudioTimingJob, Episode, TranslationJob
from translator.services import audio_timing, translation


def job_panel_context(episode: Episode) -> dict:
    """The job panel: this episode's latest job, the engines and the one preselected."""
    engines = available_engines()
    # One query: this episode's latest job if it has one, else the latest job anywhere, whose
    # engine is preselected (the engine this episode last ran, else the one last run at all).
    last = TranslationJob.objects.order_by(
        Case(When(episode_id=episode.pk, then=0), default=1), "-created_at", "-id"
    ).first()
    job = last if last and last.episode_id == episode.pk else None
    return {
        "episode": episode,
        "job": job,
        "job_stale": bool(job and translation.is_stale(job)),
        "engines": engines,
        "selected_engine": last.engine if last and last.engine in engines else "",
    }


def timing_panel_context(episode: Episode) -> dict:
    """What the timing panel shows: the last alignment, the latest audio timing job and how
    many cue times would need confirmation to be replaced. The last two only matter while the
    episode has an audio file (no extra query otherwise: the episode page has a query budget)."""
    job = None
    hand_set = 0
    if episode.media_file:
        job = audio_timing.latest_job(episode.pk)
        if job is None or not job.is_active:
            hand_set = audio_timing.hand_set_count(episode.pk)
        if job is not None and job.state == AudioTimingJob.State.SUCCEEDED and job.started_at:
            # The episode may have been read before the job finished: then its report is
            # missing (and the panel, no longer polling, would keep showing that).
            try:
                aligned_at = datetime.fromisoformat(episode.alignment_report["aligned_at"])
            except (TypeError, KeyError, ValueError):
                aligned_at = None
            if aligned_at is None or aligned_at < job.started_at:
                episode.refresh_from_db(fields=["alignment_report"])
    return {
        "audio_job": job,
        "hand_set_cues": hand_set,
        "has_media_file": bool(episode.media_file),
        "last_alignment": (
            episode.alignments.filter(undone=False).first() if episode.alignment_report else None
        ),
    }
