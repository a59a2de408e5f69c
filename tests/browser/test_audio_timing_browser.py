"""Timing from the episode's audio in a real headless Chromium: the timing panel starts the job,
follows its progress by itself while the worker runs it, and shows the result with an undo."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from tests.support.audio_episode import build_episode, sample_transcript
from translator.core.requests import ImportRequest
from translator.models import AudioTimingJob, Cue
from translator.services import audio_timing
from translator.services.importing import import_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_time_from_the_audio_in_the_timing_panel(
    login, live_server, browser_users, settings, tmp_path, artifacts
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    spoken = build_episode(sample_transcript(6), tmp_path / "ep.wav", seed=8)
    episode = import_episode(data=sample_transcript(6), request=ImportRequest(title="Audio panel"))
    episode.media_file.save("ep.wav", ContentFile(spoken.path.read_bytes()), save=True)
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{episode.pk}/")
    page.click("details.tool summary:has-text('Timing')")
    page.click("#audio-timing-form button[type=submit]")
    page.wait_for_selector("text=the worker is on it")
    page.click("details.tool summary:has-text('Timing')")
    page.wait_for_selector("[data-audio-state=queued]")
    # The worker picks the job up; the open panel polls and shows the outcome without a reload.
    job = AudioTimingJob.objects.get(episode=episode)
    audio_timing.run_audio_timing_job(job_id=job.pk)
    page.wait_for_selector("[data-audio-state=succeeded]", timeout=15_000)
    panel = page.locator("#timing-panel")
    assert "cues timed to the audio" in panel.inner_text()
    assert panel.locator("text=Undo this alignment").is_visible()
    assert page.locator("#audio-timing-form").is_visible()  # ready for another run
    page.locator("#timing-panel").screenshot(path=str(artifacts / "timing-panel-audio.png"))
    assert set(
        Cue.objects.filter(segment__episode=episode, segment__kind="transcript").values_list(
            "timing", flat=True
        )
    ) == {Cue.Timing.ALIGNED}
    # Now the times are aligned: a second run asks for confirmation first.
    assert page.locator("input[name=replace_timed]").is_visible()
