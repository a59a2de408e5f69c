"""Importing a fansub file with romaji karaoke: the preview lists romaji as a track of its own,
the Japanese is the source, and only the English track is offered as existing English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.test_import_report_views import _preview
from translator.models import Episode

pytestmark = pytest.mark.django_db


def test_romaji_is_listed_but_neither_source_nor_english(client, translator_user):
    client.force_login(translator_user)
    response = _preview(client, "karaoke_romaji_op.ass")
    html = response.content.decode()
    assert "Romaji (Japanese in Latin letters)" in html
    assert response.context["doc"].report.chosen_track == "ja"
    assert [t["name"] for t in response.context["english_tracks"]] == ["en"]
    assert response.context["english_tracks"][0]["events"] == 4
    token = response.context["token"]
    client.post(
        reverse("translator:episode_import"),
        {"token": token, "confirm": "1", "english_track": "en"},
    )
    segments = list(Episode.objects.get().segments.order_by("order"))
    source = " ".join(s.source_text for s in segments)
    english = " ".join(s.text for s in segments)
    assert "夜明けの空に" in source and "yoake" not in source
    assert "To the sky at dawn" in english
    assert "yoake" not in english and "sou da ne" not in english
