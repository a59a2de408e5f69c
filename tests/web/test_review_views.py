"""Review page and its htmx endpoints: rendering, permissions, locking, history, filters."""

from __future__ import annotations

import io
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import make_user
from tests.support.factories import timed_episode
from translator.models import Episode, GlossaryTerm, Segment, SegmentRevision, Speaker
from translator.services import review
from translator.services.qa_flags import refresh_qa_flags

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name: str, *args) -> str:
    return reverse(f"translator:{name}", args=args)


def _transcript(episode: Episode) -> list[Segment]:
    return list(episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order"))


def _machine(episode: Episode) -> None:
    """Pretend a machine translation ran."""
    for seg in episode.segments.all():
        seg.text = seg.machine_text = f"Machine {seg.order} says hello."
        seg.status = Segment.Status.MACHINE
        seg.save()


def _synthetic_episode(n: int, *, speakers=("友野", "澤")) -> Episode:
    return timed_episode(
        n,
        title=f"Synthetic {n}",
        speakers=list(zip(speakers, ("Tomono", "Sawa"), strict=False)),
        label=lambda i: "友野・澤" if i % 7 == 0 else speakers[i % 2],
        source=lambda i: f"これは{i}番目の文です。",
        text=lambda i: f"This is sentence {i}.",
        machine_text=lambda i: f"This is sentence {i}.",
    )


# --- access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, sample_episode):
    seg = sample_episode.segments.first()
    for url in (_url("episode_detail", sample_episode.pk), _url("segment_history", seg.pk)):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client.post(_url("segment_save", seg.pk), {"text": "x", "version": 1})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert Segment.objects.get(pk=seg.pk).text == ""


def test_user_without_group_gets_403_everywhere(client, plain_user, sample_episode):
    client.force_login(plain_user)
    seg = sample_episode.segments.first()
    speaker = sample_episode.speakers.first()
    assert client.get(_url("episode_detail", sample_episode.pk)).status_code == 403
    assert client.get(_url("segment_row", seg.pk), **HTMX).status_code == 403
    assert client.get(_url("segment_history", seg.pk), **HTMX).status_code == 403
    assert client.get(_url("segment_diff", seg.pk), **HTMX).status_code == 403
    assert client.get(_url("episode_media", sample_episode.pk)).status_code == 403
    posts = [
        (_url("segment_save", seg.pk), {"text": "x", "version": 1}),
        (_url("segment_approve", seg.pk), {"approved": "1"}),
        (_url("bulk_approve", sample_episode.pk), {"segment_ids": [f"{seg.pk}:{seg.version}"]}),
        (_url("speaker_rename", speaker.pk), {"display_name": "X"}),
        (_url("glossary_add", sample_episode.pk), {"source": "字幕", "target": "subtitles"}),
        (_url("media_attach", sample_episode.pk), {"url": "https://example.org/a.mp3"}),
    ]
    for url, data in posts:
        assert client.post(url, data, **HTMX).status_code == 403, url
    assert Segment.objects.get(pk=seg.pk).version == 1
    assert not GlossaryTerm.objects.exists()


def test_translator_cannot_approve(client, translator_user, sample_episode):
    _machine(sample_episode)
    client.force_login(translator_user)
    seg = _transcript(sample_episode)[0]
    r = client.get(_url("episode_detail", sample_episode.pk))
    assert r.status_code == 200
    assert b'data-intent="approve"' not in r.content  # no approve button for translators
    assert b"bulk-form" not in r.content
    assert (
        client.post(_url("segment_approve", seg.pk), {"approved": "1"}, **HTMX).status_code == 403
    )
    r = client.post(
        _url("segment_save", seg.pk),
        {"text": "Hi.", "version": seg.version, "intent": "approve"},
        **HTMX,
    )
    assert r.status_code == 403
    r = client.post(
        _url("bulk_approve", sample_episode.pk), {"segment_ids": [f"{seg.pk}:{seg.version}"]}
    )
    assert r.status_code == 403
    assert Segment.objects.get(pk=seg.pk).status == Segment.Status.MACHINE


# --- the page -------------------------------------------------------------------------------


def test_page_shows_rows_show_notes_speakers_and_flags(client, reviewer_user, sample_episode):
    client.force_login(reviewer_user)
    r = client.get(_url("episode_detail", sample_episode.pk))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="h-notes"' in html and 'id="h-transcript"' in html
    assert html.index('id="h-notes"') < html.index('id="h-transcript"')
    assert 'id="job-panel"' in html and 'id="review-counters"' in html
    first = _transcript(sample_episode)[0]
    assert f'id="seg-{first.pk}"' in html
    assert 'data-flag="empty_translation"' in html  # nothing translated yet
    assert "Sato" in html  # English speaker names
    assert 'lang="ja"' in html and "review.js" in html and "review.css" in html
    assert 'data-seek-ms="' in html


def test_joint_speaker_label_and_time(client, reviewer_user):
    ep = _synthetic_episode(20)
    client.force_login(reviewer_user)
    html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert "Tomono &amp; Sawa" in html
    assert ">00:03<" in html and ">00:57<" in html  # mm:ss of the first cue


def test_html_is_escaped(client, reviewer_user):
    ep = _synthetic_episode(2)
    Segment.objects.filter(episode=ep, order=0).update(text="<script>alert(1)</script>")
    client.force_login(reviewer_user)
    html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pagination_and_jump(client, reviewer_user):
    ep = _synthetic_episode(250)
    client.force_login(reviewer_user)
    html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert html.count('class="seg ') == 100
    assert 'data-number="100"' in html and 'data-number="101"' not in html
    html = client.get(_url("episode_detail", ep.pk) + "?page=3").content.decode()
    assert html.count('class="seg ') == 50 and 'data-number="201"' in html
    html = client.get(_url("episode_detail", ep.pk) + "?goto=150").content.decode()
    assert 'data-focus-number="150"' in html and 'data-number="150"' in html
    assert 'aria-current="page">2<' in html


@pytest.mark.parametrize("n", [10, 100, 1000])
def test_constant_query_count(client, reviewer_user, django_assert_max_num_queries, n):
    ep = _synthetic_episode(n)
    GlossaryTerm.objects.create(episode=ep, source="文", target="sentence")
    refresh_qa_flags(episode_id=ep.pk)  # stored, as the import and the services store them
    client.force_login(reviewer_user)
    client.get(_url("episode_detail", ep.pk))  # warm the session / permission caches
    with django_assert_max_num_queries(12):
        r = client.get(_url("episode_detail", ep.pk))
    assert r.status_code == 200
    with django_assert_max_num_queries(12):
        r = client.get(_url("episode_detail", ep.pk) + "?flag=any&q=sentence&page=2")
    assert r.status_code == 200


def test_filters_kept_across_pages(client, reviewer_user):
    ep = _synthetic_episode(300)
    client.force_login(reviewer_user)
    base = _url("episode_detail", ep.pk)
    html = client.get(base + "?speaker=澤").content.decode()
    # 澤 speaks odd rows and every 7th (joint label): more than one page
    assert "speaker=%E6%BE%A4&amp;page=2" in html
    assert "Tomono &amp; Sawa" in html
    html = client.get(base + "?q=sentence 42.").content.decode()
    assert html.count('class="seg ') == 1 and 'data-number="43"' in html
    html = client.get(base + "?q=は142番目").content.decode()
    assert html.count('class="seg ') == 1
    Segment.objects.filter(episode=ep, order__in=[5, 6]).update(status=Segment.Status.APPROVED)
    html = client.get(base + "?status=approved").content.decode()
    assert html.count('class="seg ') == 2
    seg9 = Segment.objects.get(episode=ep, order=9)
    # Written behind the services' back (QuerySet.update): its stored flags are refreshed by hand.
    Segment.objects.filter(pk=seg9.pk).update(text="Still 日本語 here.")
    refresh_qa_flags(segment_ids=[seg9.pk])
    html = client.get(base + "?flag=japanese_left").content.decode()
    assert html.count('class="seg ') == 1 and 'data-number="10"' in html
    html = client.get(base + "?status=bogus&flag=nope").content.decode()
    assert html.count('class="seg ') == 100  # unknown values are ignored


def test_qa_flags_never_stored_are_shown_and_filtered_without_a_write(client, reviewer_user):
    ep = _synthetic_episode(150)  # bulk-created: no stored flags yet
    Segment.objects.filter(episode=ep, order=3).update(text="Still 日本語 sentence 3.")
    client.force_login(reviewer_user)
    base = _url("episode_detail", ep.pk)
    assert client.get(base).status_code == 200
    html = client.get(base + "?flag=japanese_left").content.decode()  # computed, not stored
    assert html.count('class="seg ') == 1 and 'data-flag="japanese_left"' in html
    html = client.get(base + "?status=edited&flag=japanese_left").content.decode()
    assert html.count('class="seg ') == 0  # the other filters still apply
    assert ep.segments.filter(qa_flags__isnull=True).count() == 150  # a GET writes nothing
    r = client.post(_url("glossary_add", ep.pk), {"source": "文", "target": "sentence"}, **HTMX)
    assert r.status_code == 200
    assert not ep.segments.filter(qa_flags__isnull=True).exists()  # the service stored them
    html = client.get(base + "?flag=glossary_not_followed").content.decode()
    assert "No segments match these filters." in html  # every English says "sentence"
    r = client.post(_url("glossary_add", ep.pk), {"source": "番目", "target": "number"}, **HTMX)
    html = client.get(base + "?flag=glossary_not_followed").content.decode()
    assert html.count('class="seg ') == 100 and "1–100 of 150" in html
    html = client.get(base + "?flag=any&page=2").content.decode()
    assert html.count('class="seg ') == 50


def test_saved_row_shows_its_new_flags(client, reviewer_user):
    ep = _synthetic_episode(3)
    client.force_login(reviewer_user)
    seg = ep.segments.get(order=1)
    r = client.post(
        _url("segment_save", seg.pk), {"text": "Still 日本語 1.", "version": seg.version}, **HTMX
    )
    assert r.status_code == 200 and 'data-flag="japanese_left"' in r.content.decode()
    seg.refresh_from_db()
    assert "japanese_left" in seg.qa_flags
    html = client.get(_url("episode_detail", ep.pk) + "?flag=japanese_left").content.decode()
    assert html.count('class="seg ') == 1 and 'data-number="2"' in html


def test_htmx_body_refresh(client, reviewer_user, sample_episode):
    client.force_login(reviewer_user)
    r = client.get(_url("episode_detail", sample_episode.pk), HTTP_HX_TARGET="review-body", **HTMX)
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="review-body"')
    assert 'hx-swap-oob="true"' in html and "<html" not in html


# --- saving ---------------------------------------------------------------------------------


def test_save_returns_row_and_counters(client, translator_user, sample_episode):
    _machine(sample_episode)
    client.force_login(translator_user)
    seg = _transcript(sample_episode)[0]
    r = client.post(
        _url("segment_save", seg.pk), {"text": "Hello, everyone.", "version": seg.version}, **HTMX
    )
    html = r.content.decode()
    assert r.status_code == 200 and r["HX-Trigger"] == "segmentSaved"
    assert f'id="seg-{seg.pk}"' in html and "Hello, everyone." in html
    assert 'id="review-counters" class="counters" hx-swap-oob="true"' in html
    seg.refresh_from_db()
    assert seg.text == "Hello, everyone." and seg.status == "edited" and seg.version == 2
    rev = seg.revisions.get()
    assert rev.user == translator_user and rev.old_text.startswith("Machine")


def test_reviewer_save_and_approve_then_unapprove(client, reviewer_user, sample_episode):
    _machine(sample_episode)
    client.force_login(reviewer_user)
    seg = _transcript(sample_episode)[0]
    client.post(
        _url("segment_save", seg.pk),
        {"text": "Hi all.", "version": seg.version, "intent": "approve"},
        **HTMX,
    )
    seg.refresh_from_db()
    assert seg.status == "approved" and seg.text == "Hi all."
    r = client.post(
        _url("segment_approve", seg.pk), {"approved": "0", "version": seg.version}, **HTMX
    )
    assert r.status_code == 200
    seg.refresh_from_db()
    assert seg.status == "edited"
    client.post(_url("segment_approve", seg.pk), {"approved": "1"}, **HTMX)
    assert Segment.objects.get(pk=seg.pk).status == "approved"


def test_empty_text_cannot_be_approved(client, reviewer_user, sample_episode):
    client.force_login(reviewer_user)
    seg = _transcript(sample_episode)[0]
    r = client.post(
        _url("segment_save", seg.pk), {"text": "  ", "version": 1, "intent": "approve"}, **HTMX
    )
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert Segment.objects.get(pk=seg.pk).status == "untranslated"


def test_conflict_view_and_three_choices(client, translator_user, reviewer_user, sample_episode):
    _machine(sample_episode)
    seg = _transcript(sample_episode)[0]
    base = seg.version
    client.force_login(reviewer_user)
    client.post(_url("segment_save", seg.pk), {"text": "Theirs.", "version": base}, **HTMX)
    client.force_login(translator_user)
    r = client.post(_url("segment_save", seg.pk), {"text": "Mine.", "version": base}, **HTMX)
    html = r.content.decode()
    assert r["X-Jimaku-Conflict"] == "1"
    assert "seg-conflict" in html and "Theirs." in html and "Mine." in html
    assert 'data-choice="theirs"' in html and 'data-choice="mine"' in html
    assert 'data-choice="merge"' in html and "Theirs.\nMine." in html  # merge editor prefilled
    assert "rei saved this segment" in html
    assert Segment.objects.get(pk=seg.pk).text == "Theirs."  # nothing written
    # keep theirs: the plain row
    r = client.get(_url("segment_row", seg.pk), **HTMX)
    assert "Theirs." in r.content.decode() and "seg-conflict" not in r.content.decode()
    # merge by hand: saved on top of their version
    their_version = Segment.objects.get(pk=seg.pk).version
    r = client.post(
        _url("segment_save", seg.pk), {"text": "Theirs. Mine.", "version": their_version}, **HTMX
    )
    assert Segment.objects.get(pk=seg.pk).text == "Theirs. Mine."
    # overwrite with mine, from a stale version
    r = client.post(
        _url("segment_save", seg.pk),
        {"text": "Mine only.", "version": base, "overwrite": "1"},
        **HTMX,
    )
    seg.refresh_from_db()
    assert seg.text == "Mine only."
    texts = list(seg.revisions.order_by("id").values_list("action", "old_text", "new_text"))
    assert ("overwrite", "Theirs. Mine.", "Mine only.") in texts  # nothing silently lost


def test_resaving_own_edit_never_conflicts(client, translator_user, sample_episode):
    _machine(sample_episode)
    seg = _transcript(sample_episode)[0]
    client.force_login(translator_user)
    for text in ("First.", "Second.", "Second."):
        r = client.post(_url("segment_save", seg.pk), {"text": text, "version": 1}, **HTMX)
        assert "X-Jimaku-Conflict" not in r
    assert Segment.objects.get(pk=seg.pk).text == "Second."


def test_non_htmx_save_redirects(client, translator_user, sample_episode):
    seg = _transcript(sample_episode)[0]
    client.force_login(translator_user)
    r = client.post(_url("segment_save", seg.pk), {"text": "Plain post.", "version": 1})
    assert r.status_code == 302
    assert Segment.objects.get(pk=seg.pk).text == "Plain post."
    r = client.post(
        _url("segment_save", seg.pk), {"text": "x", "version": 1, "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and "evil" not in r["Location"]


# --- history, diff, bulk --------------------------------------------------------------------


def test_history_and_restore(client, translator_user, sample_episode):
    _machine(sample_episode)
    seg = _transcript(sample_episode)[0]
    client.force_login(translator_user)
    client.post(_url("segment_save", seg.pk), {"text": "One.", "version": 1}, **HTMX)
    client.post(_url("segment_save", seg.pk), {"text": "Two.", "version": 2}, **HTMX)
    html = client.get(_url("segment_history", seg.pk), **HTMX).content.decode()
    assert "One." in html and "Two." in html and "tina" in html
    first = seg.revisions.order_by("id").first()
    assert _url("revision_restore", first.pk) in html
    r = client.post(_url("revision_restore", first.pk), {"version": 3}, **HTMX)
    assert r.status_code == 200 and "One." in r.content.decode()
    seg.refresh_from_db()
    assert seg.text == "One." and seg.version == 4
    assert seg.revisions.order_by("-id").first().action == SegmentRevision.Action.RESTORE


def test_plain_user_cannot_restore(client, plain_user, translator_user, sample_episode):
    seg = _transcript(sample_episode)[0]
    client.force_login(translator_user)
    client.post(_url("segment_save", seg.pk), {"text": "One.", "version": 1}, **HTMX)
    rev = seg.revisions.get()
    client.force_login(plain_user)
    assert client.post(_url("revision_restore", rev.pk), **HTMX).status_code == 403


def test_diff_is_word_level_and_escaped(client, reviewer_user, sample_episode):
    _machine(sample_episode)
    seg = _transcript(sample_episode)[0]
    client.force_login(reviewer_user)
    r = client.get(_url("segment_diff", seg.pk), {"text": "Machine 0 <b>shouts</b> hello."}, **HTMX)
    html = r.content.decode()
    assert "<del>says</del>" in html
    assert "<ins>&lt;b&gt;shouts&lt;/b&gt;</ins>" in html


def test_bulk_approve(client, reviewer_user, sample_episode):
    _machine(sample_episode)
    segs = _transcript(sample_episode)[:3]
    client.force_login(reviewer_user)
    other = _synthetic_episode(1).segments.get()
    r = client.post(
        _url("bulk_approve", sample_episode.pk),
        {
            "segment_ids": [f"{s.pk}:{s.version}" for s in segs] + [f"{other.pk}:1"],
            "next": "/episodes/?x=1",
        },
    )
    assert r.status_code == 302
    assert sample_episode.segments.filter(status="approved").count() == 3
    assert Segment.objects.get(pk=other.pk).status == "machine"  # other episode untouched


def test_bulk_approve_reports_rows_saved_since_the_page_was_opened(
    client, reviewer_user, translator_user, sample_episode
):
    _machine(sample_episode)
    a, b = _transcript(sample_episode)[:2]
    client.force_login(reviewer_user)
    page = client.get(_url("episode_detail", sample_episode.pk)).content.decode()
    assert f'value="{a.pk}:{a.version}" form="bulk-form"' in page
    review.save_segment(
        segment_id=b.pk, text="Changed meanwhile.", base_version=b.version, user=translator_user
    )
    r = client.post(
        _url("bulk_approve", sample_episode.pk),
        {"segment_ids": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}", "junk", f"{a.pk}:x"]},
        follow=True,
    )
    text = r.content.decode()
    assert "Approved 1 segments." in text
    assert f"saved by someone else after you opened the page: #{b.order + 1}." in text
    assert Segment.objects.get(pk=b.pk).status == "edited"
    assert Segment.objects.get(pk=a.pk).status == "approved"


# --- speakers, glossary, media --------------------------------------------------------------


def test_speaker_rename(client, translator_user, sample_episode):
    sp = sample_episode.speakers.get(label="佐藤")
    client.force_login(translator_user)
    r = client.post(_url("speaker_rename", sp.pk), {"display_name": " Satō "}, **HTMX)
    assert r.status_code == 200 and r["HX-Trigger"] == "speakersChanged"
    assert Speaker.objects.get(pk=sp.pk).display_name == "Satō"
    r = client.post(_url("speaker_rename", sp.pk), {"display_name": ""}, **HTMX)
    assert "cannot be empty" in r.content.decode()
    html = client.get(_url("episode_detail", sample_episode.pk)).content.decode()
    assert "Satō" in html


def test_glossary_add_edit_delete(client, translator_user, sample_episode):
    client.force_login(translator_user)
    ep = sample_episode
    r = client.post(_url("glossary_add", ep.pk), {"source": "字幕", "target": "subtitles"}, **HTMX)
    assert r.status_code == 200 and r["HX-Trigger"] == "glossaryChanged"
    term = GlossaryTerm.objects.get(episode=ep)
    r = client.post(_url("glossary_add", ep.pk), {"source": "字幕", "target": "captions"}, **HTMX)
    assert "already in the glossary" in r.content.decode()
    client.post(
        _url("glossary_edit", term.pk),
        {"source": "字幕", "target": "captions", "note": "n"},
        **HTMX,
    )
    term.refresh_from_db()
    assert (term.target, term.note) == ("captions", "n")
    client.post(_url("glossary_delete", term.pk), **HTMX)
    assert not GlossaryTerm.objects.exists()


def _wav_bytes(seconds: float = 1.0) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * int(8000 * seconds))
    return buf.getvalue()


def test_media_upload_serve_range_and_validation(
    client, translator_user, plain_user, sample_episode
):
    client.force_login(translator_user)
    ep = sample_episode
    data = _wav_bytes()
    up = SimpleUploadedFile("../../etc/passwd.wav", data, content_type="audio/wav")
    r = client.post(_url("media_attach", ep.pk), {"file": up})
    assert r.status_code == 302
    ep.refresh_from_db()
    assert (
        ep.media_file.name.startswith(f"episodes/{ep.pk}/") and "passwd" not in ep.media_file.name
    )
    html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert '<audio id="player"' in html and _url("episode_media", ep.pk) in html
    r = client.get(_url("episode_media", ep.pk))
    assert r.status_code == 200 and b"".join(r.streaming_content) == data
    assert r["Accept-Ranges"] == "bytes"
    r = client.get(_url("episode_media", ep.pk), HTTP_RANGE="bytes=4-11")
    assert r.status_code == 206 and r["Content-Range"] == f"bytes 4-11/{len(data)}"
    assert b"".join(r.streaming_content) == data[4:12]
    r = client.get(_url("episode_media", ep.pk), HTTP_RANGE=f"bytes={len(data) + 5}-")
    assert r.status_code == 416
    # wrong type, too big
    bad = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    client.post(_url("media_attach", ep.pk), {"file": bad})
    ep.refresh_from_db()
    assert ep.media_file.name.endswith(".wav")
    from django.test import override_settings

    with override_settings(JIMAKU_MAX_MEDIA_BYTES=100):
        big = SimpleUploadedFile("big.mp3", b"x" * 1000, content_type="audio/mpeg")
        r = client.post(_url("media_attach", ep.pk), {"file": big}, follow=True)
        assert "the limit is" in r.content.decode()
    # URL
    client.post(_url("media_attach", ep.pk), {"url": "javascript:alert(1)"})
    ep.refresh_from_db()
    assert ep.media_url == ""
    client.post(_url("media_attach", ep.pk), {"url": "https://cdn.example.org/ep12.mp4"})
    ep.refresh_from_db()
    assert ep.media_url == "https://cdn.example.org/ep12.mp4" and not ep.media_file
    html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert '<video id="player"' in html


def test_media_served_only_to_viewers(client, reviewer_user, plain_user, sample_episode):
    client.force_login(reviewer_user)
    up = SimpleUploadedFile("a.wav", _wav_bytes(0.1), content_type="audio/wav")
    client.post(_url("media_attach", sample_episode.pk), {"file": up})
    client.logout()
    r = client.get(_url("episode_media", sample_episode.pk))
    assert r.status_code == 302
    client.force_login(plain_user)
    assert client.get(_url("episode_media", sample_episode.pk)).status_code == 403


def test_japanese_ui(client, translator_user, sample_episode):
    client.force_login(translator_user)
    r = client.get(_url("episode_detail", sample_episode.pk), HTTP_ACCEPT_LANGUAGE="ja")
    html = r.content.decode()
    assert 'lang="ja"' in html
    assert "保存" in html and "ショー・ノート" in html or "ショーノート" in html


def test_staff_user_sees_page(client, staff_user, sample_episode):
    client.force_login(staff_user)
    assert client.get(_url("episode_detail", sample_episode.pk)).status_code == 200


def test_make_user_helper_groups():
    u = make_user("nobody2")
    assert not u.groups.exists()
