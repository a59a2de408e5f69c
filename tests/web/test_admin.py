"""The admin shows episode content but cannot change it behind the services' back."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.support.factories import timed_episode
from translator.models import GlossaryTerm, Segment, SegmentRevision

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = make_user("root", staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def episode():
    return timed_episode(
        3,
        speakers=[("A", "Aki")],
        label=lambda i: "A",
        source=lambda i: f"文{i}。",
        text=lambda i: f"Edited by a human {i}.",
    )


def test_segment_change_page_is_read_only(admin_client, episode):
    seg = episode.segments.order_by("order").first()
    url = f"/admin/translator/segment/{seg.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Edited by a human 0." in page.text
    assert 'name="text"' not in page.text  # shown, not an input

    response = admin_client.post(url, {"text": "Overwritten from the admin", "version": 9})
    assert response.status_code == 403
    seg.refresh_from_db()
    assert seg.text == "Edited by a human 0."
    assert seg.version == 1


@pytest.mark.parametrize(
    "model", ["segment", "cue", "segmentrevision", "speaker", "glossaryterm", "translationjob"]
)
def test_content_cannot_be_added_or_deleted(admin_client, episode, model):
    assert admin_client.get(f"/admin/translator/{model}/add/").status_code == 403
    listing = admin_client.get(f"/admin/translator/{model}/")
    assert listing.status_code == 200
    assert 'value="delete_selected"' not in listing.text


def test_episode_can_be_renamed_but_not_its_glossary(admin_client, episode):
    GlossaryTerm.objects.create(episode=episode, source="字幕", target="subtitles")
    url = f"/admin/translator/episode/{episode.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="glossary-0-target"' not in page.text
    form = {"title": "Renamed", "description": ""}
    for prefix, n in (("speakers", 1), ("glossary", 1)):
        form |= {f"{prefix}-TOTAL_FORMS": n, f"{prefix}-INITIAL_FORMS": n}
    form["glossary-0-target"] = "tampered"  # a hand-made POST: ignored, the inline is read-only
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.text[:500]
    episode.refresh_from_db()
    assert episode.title == "Renamed"
    assert Segment.objects.filter(episode=episode).count() == 3
    assert not SegmentRevision.objects.exists()
    assert GlossaryTerm.objects.get(episode=episode).target == "subtitles"
