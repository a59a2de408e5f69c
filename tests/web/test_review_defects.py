"""Defects found trying the review page as a new user (issue 17): each test failed before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from translator import selectors
from translator.models import Episode, Segment
from translator.services import publishing, review
from translator.views.public import public_pages

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


def _publish(client, episode, **extra):
    return client.post(_url("publish", episode.pk), {"published": "1", **extra})


def test_publishing_unapproved_segments_asks_first_with_the_count(
    client, reviewer_user, sample_episode
):
    """122 of 123 segments unapproved were published with a single click."""
    segments = _machine(sample_episode)
    review.set_approved(segment_id=segments[0].pk, approved=True, user=reviewer_user)
    total = sample_episode.segments.count()
    client.force_login(reviewer_user)
    asked = _publish(client, sample_episode)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert f"{total - 1} of {total} segments are not approved yet." in html
    assert 'name="approved_only" value="1"' in html and 'name="confirmed" value="1"' in html
    sample_episode.refresh_from_db()
    assert not sample_episode.published  # nothing happened yet

    assert _publish(client, sample_episode, confirmed="1", approved_only="0").status_code == 302
    sample_episode.refresh_from_db()
    assert sample_episode.published and not sample_episode.publish_approved_only


def test_everything_approved_publishes_without_asking(client, reviewer_user, sample_episode):
    _machine(sample_episode)
    sample_episode.segments.update(status=Segment.Status.APPROVED)
    client.force_login(reviewer_user)
    assert _publish(client, sample_episode).status_code == 302
    sample_episode.refresh_from_db()
    assert sample_episode.published


def test_public_page_marks_unreviewed_parts_or_leaves_them_out(
    client, reviewer_user, sample_episode
):
    segments = _machine(sample_episode)
    first, second = segments[0], segments[1]
    review.save_segment(
        segment_id=first.pk,
        text="A reviewed sentence.",
        base_version=first.version,
        user=reviewer_user,
        approve=True,
    )
    publishing.set_published(episode_id=sample_episode.pk, published=True, user=reviewer_user)
    public_pages.clear()
    url = reverse("translator:public_transcript", args=[sample_episode.public_id])
    client.logout()
    page = client.get(url)
    body = page.content.decode()
    assert "machine-translated and not yet reviewed" in body
    assert (
        f'<span class="unreviewed" title="Machine translation, not yet reviewed">'
        f"Machine {second.order} says hello.</span>" in body
    )
    assert "A reviewed sentence." in body
    assert (
        '<span class="unreviewed" title="Machine translation, not yet reviewed">A reviewed'
        not in body
    )

    # Approved segments only: the setting is stored on the episode, the cached page and its
    # ETag change with it (the fingerprint covers it).
    client.force_login(reviewer_user)
    assert _publish(client, sample_episode, confirmed="1", approved_only="1").status_code == 302
    sample_episode.refresh_from_db()
    assert sample_episode.publish_approved_only
    client.logout()
    again = client.get(url, HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 200 and again["ETag"] != page["ETag"]
    body = again.content.decode()
    assert "A reviewed sentence." in body
    assert f"Machine {second.order} says hello." not in body
    assert "not yet reviewed" not in body


def test_fingerprint_covers_the_approved_only_setting(reviewer_user, sample_episode):
    publishing.set_published(episode_id=sample_episode.pk, published=True, user=reviewer_user)
    sample_episode.refresh_from_db()
    before, _ = selectors.public_page_fingerprint(sample_episode)
    Episode.objects.filter(pk=sample_episode.pk).update(publish_approved_only=True)  # no updated_at
    sample_episode.refresh_from_db()
    after, _ = selectors.public_page_fingerprint(sample_episode)
    assert before != after


def test_only_reviewers_reach_the_publish_question(client, translator_user, sample_episode):
    _machine(sample_episode)
    client.force_login(translator_user)
    assert _publish(client, sample_episode).status_code == 403


def test_export_report_for_the_page_names_each_side(client, reviewer_user, sample_episode):
    _machine(sample_episode)
    client.force_login(reviewer_user)
    url = _url("export_report", sample_episode.pk)
    download = client.get(_url("export_download", sample_episode.pk), {"format": "srt"})
    html = client.get(url, {"format": "srt", "layout": "bilingual"}).content.decode()
    cues = download["X-Jimaku-Cues"]
    assert f"{cues} cues" in html
    assert f"English side: {download['X-Jimaku-Compliant-English-Cues']} of {cues} cues" in html
    assert f"Japanese side: {download['X-Jimaku-Compliant-Japanese-Cues']} of {cues} cues" in html
    # The Japanese reading speed is information (verbatim speech), not a broken rule.
    median = download["X-Jimaku-Japanese-Median-CPS"]
    assert float(median) > 0 and 0 <= float(download["X-Jimaku-Japanese-Fast-Share"]) <= 1
    assert f'data-ja-median="{median}"' in html and "over 6 chars/s" in html
    broken = html.split("Cues breaking a rule")[1] if "Cues breaking a rule" in html else ""
    assert "Japanese reading speed" not in broken.split("</p>")[0]
    en_only = client.get(url, {"format": "vtt", "layout": "en"}).content.decode()
    assert "English side" not in en_only and "cues" in en_only
    assert "data-ja-median" not in en_only
    bad = client.get(url, {"format": "srt", "layout": "nonsense"}).content.decode()
    assert "Unknown layout" in bad
    transcript = client.get(url, {"format": "md"}).content.decode()
    assert "cues" not in transcript


def test_approving_a_segment_removes_its_mark_from_the_cached_public_page(
    client, reviewer_user, sample_episode
):
    second = _machine(sample_episode)[1]
    publishing.set_published(episode_id=sample_episode.pk, published=True, user=reviewer_user)
    public_pages.clear()
    url = reverse("translator:public_transcript", args=[sample_episode.public_id])
    first = client.get(url)
    marked = f'title="Machine translation, not yet reviewed">Machine {second.order} says hello.'
    assert marked in first.content.decode()
    review.set_approved(segment_id=second.pk, approved=True, user=reviewer_user)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and marked not in again.content.decode()
    assert f"Machine {second.order} says hello." in again.content.decode()
