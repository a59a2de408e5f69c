"""The timing panel's audio timing: start a job, follow it, confirm replacing hand-set times;
and the web process never decodes audio or loads the speech detector (the worker does)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.support.audio_episode import build_episode, sample_transcript
from translator.core.requests import ImportRequest
from translator.models import AudioTimingJob, Cue
from translator.services import audio_timing
from translator.services.importing import import_episode

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    return build_episode(sample_transcript(6), tmp_path_factory.mktemp("a") / "ep.wav", seed=5)


@pytest.fixture
def episode(settings, tmp_path, spoken):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ep = import_episode(data=sample_transcript(6), request=ImportRequest(title="Panel"))
    ep.media_file.save("ep.wav", ContentFile(spoken.path.read_bytes()), save=True)
    return ep


def _page(client, episode) -> str:
    return client.get(reverse("translator:episode_detail", args=[episode.pk])).text


def test_panel_offers_audio_timing_when_media_is_attached(client, translator_user, episode):
    client.force_login(translator_user)
    page = _page(client, episode)
    assert 'id="audio-timing-form"' in page
    assert "Replace imported and aligned times" not in page  # nothing to confirm yet
    episode.media_file = ""
    episode.save()
    page = _page(client, episode)
    assert 'id="audio-timing-form"' not in page
    assert "Attach the episode&#x27;s audio" in page or "Attach the episode's audio" in page


def test_start_follow_and_finish_an_audio_timing_job(client, translator_user, episode, spoken):
    client.force_login(translator_user)
    url = reverse("translator:audio_timing_start", args=[episode.pk])
    response = client.post(url, follow=True)
    assert "the worker is on it" in response.text
    job = AudioTimingJob.objects.get(episode=episode)
    assert job.state == AudioTimingJob.State.QUEUED
    assert job.requested_by == translator_user
    # While it waits the panel polls itself.
    page = _page(client, episode)
    assert reverse("translator:timing_panel", args=[episode.pk]) in page
    assert 'id="audio-timing-form"' not in page  # one job at a time
    # The worker runs it.
    audio_timing.run_audio_timing_job(job_id=job.pk)
    panel = client.get(reverse("translator:timing_panel", args=[episode.pk]) + "?was_active=1")
    assert panel.headers.get("HX-Trigger") == "jobFinished"
    assert "cues timed to the audio" in panel.text
    assert "Undo this alignment" in panel.text
    assert 'data-audio-state="succeeded"' in panel.text


def test_hand_set_times_need_the_confirmation_box(client, translator_user, episode):
    client.force_login(translator_user)
    Cue.objects.filter(segment__episode=episode).update(timing=Cue.Timing.IMPORTED)
    page = _page(client, episode)
    assert 'name="replace_timed"' in page
    url = reverse("translator:audio_timing_start", args=[episode.pk])
    response = client.post(url, follow=True)
    assert "Audio timing refused" in response.text and "confirm replacing them" in response.text
    assert not AudioTimingJob.objects.exists()
    client.post(url, {"replace_timed": "1"})
    assert AudioTimingJob.objects.get().replace_timed


def test_failed_job_shows_its_one_line_error(client, translator_user, episode, tmp_path):
    client.force_login(translator_user)
    episode.media_file.save("x.mp3", ContentFile(b"not audio at all" * 100), save=True)
    job = audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    audio_timing.run_audio_timing_job(job_id=job.pk)
    page = _page(client, episode)
    assert "it is not audio or video, or it is damaged or incomplete" in page


def test_viewers_cannot_start_audio_timing(client, episode):
    from tests.conftest import make_user

    client.force_login(make_user("nobody"))
    response = client.post(reverse("translator:audio_timing_start", args=[episode.pk]))
    assert response.status_code == 403
    assert not AudioTimingJob.objects.exists()


_WEB_SCRIPT = r"""
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from tests.conftest import make_user
from translator.models import AudioTimingJob
from translator.core.requests import ImportRequest
from translator.services.importing import import_episode

ep = import_episode(
    data="A: はい、こんにちは。今日はよろしくお願いします。\n\nB: よろしくお願いします。\n",
    request=ImportRequest(title="t"),
)
ep.media_file.save("ep.wav", ContentFile(open(sys.argv[1], "rb").read()), save=True)
client = Client()
client.force_login(make_user("tina", group="translator"))
assert client.get(reverse("translator:episode_detail", args=[ep.pk])).status_code == 200
r = client.post(reverse("translator:audio_timing_start", args=[ep.pk]))
assert r.status_code == 302, r.status_code
assert client.get(reverse("translator:timing_panel", args=[ep.pk])).status_code == 200
job = AudioTimingJob.objects.get()
loaded = [m for m in ("av", "onnxruntime", "silero_vad", "torch") if m in sys.modules]
print("WEB", loaded)
if len(sys.argv) > 2:  # now be the worker: the real database queue runs the enqueued task
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    loaded = [m for m in ("av", "onnxruntime") if m in sys.modules]
    print("WORKER", job.state, loaded, job.error)
"""


@pytest.mark.parametrize("as_worker", [False, True], ids=["web", "then-worker"])
def test_web_process_never_loads_the_decoder_or_detector(tmp_path, spoken, as_worker):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(Path.cwd()),
        "JIMAKU_DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "JIMAKU_TASK_BACKEND": "db",
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    args = [sys.executable, "-c", _WEB_SCRIPT, str(spoken.path)] + (["worker"] if as_worker else [])
    out = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=os.getcwd(), timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "WEB []" in out.stdout
    if as_worker:
        assert "WORKER succeeded ['av', 'onnxruntime']" in out.stdout, out.stdout + out.stderr


def test_panel_read_while_the_job_finishes_shows_its_report(episode):
    """The page reads the episode, then the job: a job that finished in between must not leave
    the panel (no longer polling) without the report it just wrote."""
    from translator.models import Episode
    from translator.selectors.panels import timing_panel_context

    stale = Episode.objects.get(pk=episode.pk)
    job = audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    audio_timing.run_audio_timing_job(job_id=job.pk)
    assert stale.alignment_report is None
    ctx = timing_panel_context(stale)
    assert ctx["audio_job"].state == AudioTimingJob.State.SUCCEEDED
    assert stale.alignment_report["source"] == "audio"


def test_the_panel_costs_the_episode_page_two_queries_at_most(
    client, translator_user, episode, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(translator_user)
    url = reverse("translator:episode_detail", args=[episode.pk])
    job = audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    audio_timing.run_audio_timing_job(job_id=job.pk)
    client.get(url)  # warm the session / permission caches
    with CaptureQueriesContext(connection) as with_audio:
        assert client.get(url).status_code == 200
    media = episode.media_file.name
    type(episode).objects.filter(pk=episode.pk).update(media_file="")
    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    extra = [q["sql"][:150] for q in with_audio.captured_queries]
    # Two for the timing panel, one for the waveform strip's state (branch waveform).
    assert len(with_audio) <= len(without) + 3, "\n".join(extra)
    assert media
