"""Exports of long episodes through the web (issue 20): ASS times past ten hours are written,
not clamped to 9:59:59.99; an episode past the 99:59:59 every format holds is refused in one
line, on the download and on the page's report."""

from __future__ import annotations

import pysubs2
import pytest
from django.urls import reverse

from translator.models import Cue

pytestmark = pytest.mark.django_db
TEN_HOURS_MS = 10 * 3600 * 1000


def _shift_last_cue(episode, start_ms: int) -> Cue:
    cue = (
        Cue.objects.filter(segment__episode=episode)
        .exclude(start_ms=None)
        .order_by("-start_ms")
        .first()
    )  # NULLs sort first on PostgreSQL
    Cue.objects.filter(pk=cue.pk).update(start_ms=start_ms, end_ms=start_ms + 2500)
    return cue


def test_an_event_past_ten_hours_keeps_its_time_in_ass(client, reviewer_user, sample_episode):
    _shift_last_cue(sample_episode, TEN_HOURS_MS + 61_230)
    client.force_login(reviewer_user)
    url = reverse("translator:export_download", args=[sample_episode.pk])
    response = client.get(url, {"format": "ass", "layout": "ja"})
    assert response.status_code == 200
    text = response.content.decode()
    assert ",10:01:01.23,10:01:03.73,Japanese," in text  # before: 9:59:59.99 twice
    last = max(pysubs2.SSAFile.from_string(text), key=lambda e: e.start)
    assert (last.start, last.end) == (TEN_HOURS_MS + 61_230, TEN_HOURS_MS + 63_730)


def test_past_the_latest_time_is_a_one_line_refusal(client, reviewer_user, sample_episode):
    _shift_last_cue(sample_episode, 100 * 3600 * 1000)
    client.force_login(reviewer_user)
    url = reverse("translator:export_download", args=[sample_episode.pk])
    for fmt in ("srt", "vtt", "ass"):
        response = client.get(url, {"format": fmt, "layout": "ja"})
        body = response.content.decode()
        assert response.status_code == 400 and "past 99:59:59" in body and "\n" not in body
    report = reverse("translator:export_report", args=[sample_episode.pk])
    html = client.get(report, {"format": "srt", "layout": "ja"}).content.decode()
    assert "past 99:59:59" in html and 'role="alert"' in html
