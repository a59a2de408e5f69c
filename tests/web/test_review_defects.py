"""Defects found trying the review page as a new user (issue 17): each test failed before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from translator.models import Segment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name: str, *args) -> str:
    return reverse(f"translator:{name}", args=args)


def _machine(episode) -> list[Segment]:
    segments = list(episode.segments.order_by("order"))
    for seg in segments:
        seg.text = seg.machine_text = f"Machine {seg.order} says hello."
        seg.status = Segment.Status.MACHINE
        seg.save()
    return [s for s in segments if s.kind == Segment.Kind.TRANSCRIPT]


def test_conflict_says_now_not_zero_minutes_ago(
    client, translator_user, reviewer_user, sample_episode
):
    seg = _machine(sample_episode)[0]
    base = seg.version
    client.force_login(reviewer_user)
    client.post(_url("segment_save", seg.pk), {"text": "Theirs.", "version": base}, **HTMX)
    client.force_login(translator_user)
    html = client.post(
        _url("segment_save", seg.pk), {"text": "Mine.", "version": base}, **HTMX
    ).content.decode()
    assert "0\xa0minutes" not in html and "0 minutes" not in html
    assert "rei saved this segment (now)" in html
    history = client.get(_url("segment_history", seg.pk), **HTMX).content.decode()
    assert "0\xa0minutes" not in history and ">now<" in history


def test_glossary_count_follows_the_panel(client, translator_user, sample_episode):
    client.force_login(translator_user)
    page = client.get(_url("episode_detail", sample_episode.pk)).content.decode()
    assert '<span id="glossary-count" class="muted">(0)</span>' in page
    html = client.post(
        _url("glossary_add", sample_episode.pk),
        {"source": "字幕", "target": "subtitles", "note": ""},
        **HTMX,
    ).content.decode()
    # The summary (outside the swapped panel) is updated out of band.
    assert 'id="glossary-count"' in html and 'hx-swap-oob="true">(1)</span>' in html
