"""``refresh_qa``, ``resume_jobs``, ``cleanup_pending`` and ``setup_local``."""

from __future__ import annotations

import os
import time

import pytest
from django.contrib.auth import get_user_model

from translator.models import Episode, Segment, TranslationJob
from translator.services import importing

pytestmark = pytest.mark.django_db


def test_refresh_qa_recomputes_stale_flags(run, sample_episode):
    seg = sample_episode.segments.filter(kind="transcript").first()
    Segment.objects.filter(pk=seg.pk).update(text="Hello", qa_flags=[])  # behind the services
    ran = run("refresh_qa", str(sample_episode.pk))
    assert ran.out.strip().startswith("QA flags recomputed for 1 episode(s);")
    assert "0 segment(s) changed" not in ran.out
    assert run("refresh_qa").out.strip().endswith("0 segment(s) changed.")


def test_refresh_qa_bad_episode_is_one_line(refused):
    assert "No episode with id 42" in refused("refresh_qa", "42")


def test_resume_jobs_requeues_a_job_whose_worker_died(
    run, sample_episode, django_capture_on_commit_callbacks
):
    job = TranslationJob.objects.create(
        episode=sample_episode, engine="argos", state=TranslationJob.State.RUNNING
    )
    assert run("resume_jobs").out.strip() == "No job to resume."  # the worker may be alive
    with django_capture_on_commit_callbacks(execute=True):
        ran = run("resume_jobs", "--all")
    assert f"Resumed job {job.pk} (argos, 0/0)." in ran.out
    job.refresh_from_db()
    assert job.task_id


def test_cleanup_pending_deletes_uploads_older_than_asked(run, refused, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    old, fresh = importing.stash_upload(b"old"), importing.stash_upload(b"fresh")
    then = time.time() - 3 * 3600
    os.utime(tmp_path / "pending-imports" / old, (then, then))
    assert run("cleanup_pending").out.strip() == "Deleted 0 abandoned import upload(s)."
    assert run("cleanup_pending", "--hours", "2").out.strip() == (
        "Deleted 1 abandoned import upload(s)."
    )
    assert importing.read_pending(old) is None
    assert importing.read_pending(fresh) == b"fresh"
    assert "--hours" in refused("cleanup_pending", "--hours", "0")
    assert "--hours" in refused("cleanup_pending", "--hours", "soon")


def test_setup_local_creates_the_admin_and_the_sample_once(run):
    ran = run("setup_local")
    assert "username: admin" in ran.out and "password: " in ran.out
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.groups.filter(name="reviewer").exists()
    assert Episode.objects.count() == 1 and "Loaded the sample episode" in ran.out
    again = run("setup_local")
    assert "already exists" in again.out and "password" not in again.out
    assert Episode.objects.count() == 1


def test_resume_jobs_requeues_an_audio_timing_job_whose_worker_died(
    run, sample_episode, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from translator.models import AudioTimingJob

    job = AudioTimingJob.objects.create(
        episode=sample_episode,
        media_name="/nowhere/episode.mp3",
        media_key="/nowhere/episode.mp3:1",
        state=AudioTimingJob.State.RUNNING,
    )
    assert run("resume_jobs").out.strip() == "No job to resume."  # the worker may be alive
    AudioTimingJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        ran = run("resume_jobs")
    assert f"Resumed audio timing {job.pk} of episode {sample_episode.pk}." in ran.out
    job.refresh_from_db()
    assert job.task_id and job.state == AudioTimingJob.State.QUEUED
    assert run("resume_jobs").out.strip() == "No job to resume."  # queued again, and fresh
