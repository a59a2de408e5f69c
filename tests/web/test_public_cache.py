"""The published transcript page as a cacheable document (ETag, 304, CDN Cache-Control)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.http import http_date

from translator.models import Segment
from translator.services import editing, publishing, review
from translator.views.public import public_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(sample_episode, reviewer_user):
    for i, seg in enumerate(sample_episode.segments.order_by("order")):
        seg.text = f"English sentence number {i}."
        seg.status = Segment.Status.EDITED
        seg.save()
    publishing.set_published(episode_id=sample_episode.pk, published=True, user=reviewer_user)
    sample_episode.refresh_from_db()
    public_pages.clear()
    return sample_episode


def _url(episode) -> str:
    return reverse("translator:public_transcript", args=[episode.public_id])


def test_published_page_is_cacheable_by_browsers_and_cdns(client, published):
    response = client.get(_url(published))
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10  # strong
    assert response["Last-Modified"]
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60", "s-maxage=60"} <= directives
    assert "private" not in directives and "no-store" not in directives
    # The same for everyone: rendered without the session, so no Vary: Cookie.
    assert "cookie" not in response.get("Vary", "").lower()
    assert "Set-Cookie" not in response.headers


def test_conditional_get_is_answered_with_304(client, published):
    first = client.get(_url(published))
    again = client.get(_url(published), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"]
    listed = client.get(_url(published), HTTP_IF_NONE_MATCH=f'"other", {first["ETag"]}')
    assert listed.status_code == 304
    stale = client.get(_url(published), HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200 and stale.content == first.content


def test_if_modified_since_alone_gets_the_full_page(client, published):
    """Not every write moves a timestamp, so only the ETag can answer 304."""
    first = client.get(_url(published))
    later = http_date(published.updated_at.timestamp() + 3600)
    response = client.get(_url(published), HTTP_IF_MODIFIED_SINCE=later)
    assert response.status_code == 200 and response.content == first.content


def test_etag_changes_on_edit_title_speaker_and_republish(client, published, reviewer_user):
    etags = [client.get(_url(published))["ETag"]]

    seg = published.segments.filter(kind="transcript").order_by("order").first()
    review.save_segment(
        segment_id=seg.pk,
        text="A reviewer's new English.",
        base_version=seg.version,
        user=reviewer_user,
    )
    response = client.get(_url(published), HTTP_IF_NONE_MATCH=etags[-1])
    assert response.status_code == 200  # the old ETag no longer matches
    assert "A reviewer&#x27;s new English." in response.text
    etags.append(response["ETag"])

    editing.set_english_title(
        episode_id=published.pk, title_en="Behind the Subtitles", user=reviewer_user
    )
    response = client.get(_url(published), HTTP_IF_NONE_MATCH=etags[-1])
    assert response.status_code == 200 and "<h1>Behind the Subtitles</h1>" in response.text
    etags.append(response["ETag"])

    speaker = published.speakers.order_by("id").first()
    editing.rename_speaker(speaker_id=speaker.pk, display_name="Ms Renamed", user=reviewer_user)
    response = client.get(_url(published), HTTP_IF_NONE_MATCH=etags[-1])
    assert response.status_code == 200 and "Ms Renamed" in response.text
    etags.append(response["ETag"])

    publishing.set_published(episode_id=published.pk, published=False, user=reviewer_user)
    assert client.get(_url(published), HTTP_IF_NONE_MATCH=etags[-1]).status_code == 404
    publishing.set_published(episode_id=published.pk, published=True, user=reviewer_user)
    response = client.get(_url(published), HTTP_IF_NONE_MATCH=etags[-1])
    assert response.status_code == 200  # republished: a new publication date, a new ETag
    etags.append(response["ETag"])
    assert len(set(etags)) == len(etags)


def test_machine_translation_changes_the_etag(client, published):
    """Machine translation writes with update() (no updated_at): the version still moves."""
    from translator.engines.base import TranslationResult
    from translator.services.translation import _write_result

    seg = published.segments.filter(kind="transcript").order_by("order").first()
    Segment.objects.filter(pk=seg.pk).update(status=Segment.Status.MACHINE)
    first = client.get(_url(published))
    seg.refresh_from_db()
    job = type("Job", (), {"pk": None})()
    assert _write_result(job, seg, TranslationResult("Brand new machine text.", "argos", "1"))
    response = client.get(_url(published), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200 and "Brand new machine text." in response.text


def test_an_unchanged_page_is_not_rendered_again(client, published, django_assert_num_queries):
    client.get(_url(published))
    # The episode and the fingerprint's three aggregates: no segment rows are read.
    with django_assert_num_queries(4):
        assert client.get(_url(published)).status_code == 200


def test_unpublished_preview_is_private_and_never_stored(client, published, reviewer_user):
    publishing.set_published(episode_id=published.pk, published=False, user=reviewer_user)
    client.force_login(reviewer_user)
    response = client.get(_url(published))
    assert response.status_code == 200 and "Preview: this episode is not published" in response.text
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "ETag" not in response.headers
    client.logout()
    assert client.get(_url(published)).status_code == 404


def test_a_shared_response_that_sets_a_cookie_is_made_private(rf):
    from django.http import HttpResponse

    from translator.middleware import SharedCacheMiddleware, mark_shared

    def view(request):
        response = mark_shared(HttpResponse("page"))
        response["Cache-Control"] = "public, max-age=60"
        response["Vary"] = "Accept-Encoding, Cookie, Accept-Language"
        if request.GET.get("cookie"):
            response.set_cookie("sessionid", "secret")
        return response

    middleware = SharedCacheMiddleware(view)
    plain = middleware(rf.get("/p/x/"))
    assert plain["Vary"] == "Accept-Encoding" and plain["Cache-Control"] == "public, max-age=60"
    with_cookie = middleware(rf.get("/p/x/", {"cookie": "1"}))
    assert with_cookie["Cache-Control"] == "private, no-cache"
