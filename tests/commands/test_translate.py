"""``manage.py translate``: queue a job for the worker, or run it here (``--wait``)."""

from __future__ import annotations

import pytest

from translator.models import Segment, TranslationJob

pytestmark = pytest.mark.django_db


def test_wait_translates_every_segment(run, argos_settings, sample_episode):
    ran = run("translate", str(sample_episode.pk), "--engine", "argos", "--wait")
    job = TranslationJob.objects.get()
    assert f"Job {job.pk} done: {job.total}/{job.total} segments translated." in ran.out
    assert not sample_episode.segments.filter(status=Segment.Status.UNTRANSLATED).exists()


def test_queues_for_the_worker(
    run, argos_settings, sample_episode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ran = run("translate", str(sample_episode.pk), "--engine", "argos")
    job = TranslationJob.objects.get()
    assert job.state == TranslationJob.State.QUEUED and job.task_id
    assert "queued" in ran.out


def test_bad_input_is_one_line(refused, argos_settings, sample_episode):
    assert "No episode" in refused("translate", "999", "--engine", "argos")
    # Not one of the configured engines.
    assert "nope" in refused("translate", str(sample_episode.pk), "--engine", "nope")
    TranslationJob.objects.create(episode=sample_episode, engine="argos")
    assert "already running" in refused("translate", str(sample_episode.pk), "--engine", "argos")
