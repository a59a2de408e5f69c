"""Each timed review row links to the cue view at its first cue (branch jareplace)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.support.factories import timed_episode
from translator.models import Cue, Segment

pytestmark = pytest.mark.django_db


def _episode(n: int):
    return timed_episode(
        n,
        speakers=[("永野", "Nagano")],
        label=lambda i: "永野",
        source=lambda i: f"これは{i}番目の文です。",
        text=lambda i: f"This is sentence number {i}.",
    )


def test_each_timed_row_links_to_the_cue_view_at_its_first_cue(client, translator_user):
    ep = _episode(250)
    seg = Segment.objects.get(episode=ep, order=180)
    first = Cue.objects.get(segment=seg)
    Cue.objects.filter(pk=first.pk).update(index=1)  # a second cue before it becomes the first
    earlier = Cue.objects.create(
        segment=seg, index=0, start_ms=first.start_ms - 900, end_ms=first.start_ms - 200
    )
    untimed = Segment.objects.create(episode=ep, order=250, source_text="時間なし。", text="x")
    Cue.objects.create(segment=untimed, index=0)
    client.force_login(translator_user)
    page = reverse("translator:episode_detail", args=[ep.pk])
    html = client.get(page, {"goto": 181}).content.decode()
    row = re.search(rf'<article [^>]*id="seg-{seg.pk}".*?</article>', html, re.S).group(0)
    href = f"/episodes/{ep.pk}/cues/?cue={earlier.pk}"
    assert f'<a class="seg-cues" href="{href}" title="Cue view">' in row
    # The link opens the cue view on the page of that cue, focused there.
    cues = client.get(href).content.decode()
    assert f'data-focus-cue="{earlier.pk}"' in cues and 'aria-current="page">2<' in cues
    # A row without times has no place in the cue view: no link.
    html = client.get(page, {"goto": 251}).content.decode()
    row = re.search(rf'<article [^>]*id="seg-{untimed.pk}".*?</article>', html, re.S).group(0)
    assert "seg-cues" not in row
    # The row re-rendered after a save keeps the link.
    one = client.get(reverse("translator:segment_row", args=[seg.pk])).content.decode()
    assert f'href="{href}"' in one


def test_the_link_is_in_the_japanese_ui(client, translator_user):
    ep = _episode(2)
    client.force_login(translator_user)
    try:
        html = client.get(
            reverse("translator:episode_detail", args=[ep.pk]), HTTP_ACCEPT_LANGUAGE="ja"
        ).content.decode()
    finally:
        translation.deactivate()  # the request's language would stay active for later tests
    assert 'title="キュー表示"' in html
