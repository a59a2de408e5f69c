"""The row structure endpoints (translator/views/structure.py): thin views over
translator/services/structure.py — rows, conflicts, refusals, permissions."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from translator.models import Cue, Episode, Segment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ep():
    ep = Episode.objects.create(title="t")
    for i, (ja, en) in enumerate(
        [("はい、そうです。", "Yes, that's right."), ("どうも。", "Thanks.")]
    ):
        seg = Segment.objects.create(
            episode=ep, order=i, source_text=ja, text=en, machine_text=en, status="machine"
        )
        Cue.objects.create(
            segment=seg,
            index=0,
            source_end=len(ja),
            source_text=ja,
            start_ms=i * 4000,
            end_ms=i * 4000 + 3000,
        )
    return ep


def _url(name, pk):
    return reverse(f"translator:{name}", args=[pk])


def test_page_shows_structure_tools_and_shortcuts(client, translator_user, ep):
    client.force_login(translator_user)
    html = client.get(reverse("translator:episode_detail", args=[ep.pk])).content.decode()
    # the tools are on the page once (put into a row by review_structure.js), not per row
    assert html.count('class="seg-source-form"') == 1 and html.count('class="seg-struct"') == 1
    assert "review_structure.js" in html and "<kbd>Alt</kbd>+<kbd>S</kbd>" in html
    assert 'data-struct="retranslate"' in html


def test_viewer_sees_no_tools_and_plain_user_is_refused(client, plain_user, ep):
    from tests.conftest import make_user

    seg = ep.segments.first()
    viewer = make_user("vic")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_episode"))
    client.force_login(viewer)
    html = client.get(reverse("translator:episode_detail", args=[ep.pk])).content.decode()
    assert "seg-source-form" not in html and "seg-struct-tpl" not in html and "seg-ja" in html
    client.force_login(plain_user)
    for name in ("segment_source", "segment_split", "segment_merge", "segment_retranslate"):
        assert client.post(_url(name, seg.pk), {"version": 1, "at": 2}, **HTMX).status_code == 403
    seg.refresh_from_db()
    assert seg.version == 1


def test_source_edit_answers_with_the_row_and_its_flag(client, translator_user, ep):
    seg = ep.segments.first()
    client.force_login(translator_user)
    r = client.post(
        _url("segment_source", seg.pk), {"source": "はい、そうですね。", "version": 1}, **HTMX
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'data-flag="source_changed"' in html
    assert 'data-version="2"' in html
    seg.refresh_from_db()
    assert seg.source_text == "はい、そうですね。" and seg.source_stale


def test_source_conflict_uses_the_conflict_view_for_the_japanese(client, translator_user, ep):
    seg = ep.segments.first()
    Segment.objects.filter(pk=seg.pk).update(version=5, source_text="はい、違います。")
    client.force_login(translator_user)
    r = client.post(
        _url("segment_source", seg.pk), {"source": "はい、そうですね。", "version": 1}, **HTMX
    )
    html = r.content.decode()
    assert r["X-Jimaku-Conflict"] == "1"
    assert _url("segment_source", seg.pk) in html and 'name="source"' in html
    assert "はい、違います。" in html and "はい、そうですね。" in html


def test_split_and_merge_trigger_a_reload_of_the_rows(client, translator_user, ep):
    seg = ep.segments.first()
    client.force_login(translator_user)
    r = client.post(_url("segment_split", seg.pk), {"at": 3, "version": 1}, **HTMX)
    assert r.status_code == 200
    assert json.loads(r["HX-Trigger"])["rowsRestructured"] == seg.pk
    assert list(ep.segments.order_by("order").values_list("source_text", flat=True)) == [
        "はい、",
        "そうです。",
        "どうも。",
    ]
    r = client.post(_url("segment_merge", seg.pk), {"version": 2, "next_version": 1}, **HTMX)
    assert "rowsRestructured" in r["HX-Trigger"]
    assert ep.segments.count() == 2
    assert ep.segments.get(order=0).source_text == "はい、そうです。"


def test_refusals_are_one_line_in_the_row(client, translator_user, ep):
    last = ep.segments.get(order=1)
    client.force_login(translator_user)
    r = client.post(_url("segment_merge", last.pk), {"version": 1, "next_version": 1}, **HTMX)
    assert "HX-Trigger" not in r or "rowsRestructured" not in r["HX-Trigger"]
    assert "is the last row" in r.content.decode() and 'role="alert"' in r.content.decode()
    r = client.post(_url("segment_split", last.pk), {"at": 99, "version": 1}, **HTMX)
    assert "caret inside the Japanese" in r.content.decode()
    assert client.post(_url("segment_split", last.pk), {"version": 1}, **HTMX).status_code == 400


def test_retranslate_with_no_ready_engine_says_why(client, translator_user, ep, settings):
    from translator.engines.registry import reset_engines

    settings.TRANSLATION_ENGINES = {}
    reset_engines()
    client.force_login(translator_user)
    r = client.post(_url("segment_retranslate", ep.segments.first().pk), **HTMX)
    assert "DeepL: DeepL is not set up on this server" in r.content.decode()


def test_tools_and_flag_in_japanese(client, translator_user, ep):
    seg = ep.segments.first()
    client.force_login(translator_user)
    client.post(
        _url("segment_source", seg.pk), {"source": "はい、そうですね。", "version": 1}, **HTMX
    )
    html = client.get(
        reverse("translator:episode_detail", args=[ep.pk]), HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    for text in ("日本語を編集", "分割", "再翻訳", "日本語変更", "Alt+S"):
        assert text in html


def test_history_shows_the_japanese_change(client, translator_user, ep):
    seg = ep.segments.first()
    client.force_login(translator_user)
    client.post(
        _url("segment_source", seg.pk), {"source": "はい、そうですね。", "version": 1}, **HTMX
    )
    html = client.get(_url("segment_history", seg.pk), **HTMX).content.decode()
    assert 'class="rev-text rev-source"' in html
    assert "<del>はい、そうです。</del>" in html and "<ins>はい、そうですね。</ins>" in html


def test_without_htmx_the_page_comes_back_with_the_message(client, translator_user, ep):
    last = ep.segments.get(order=1)
    client.force_login(translator_user)
    page = reverse("translator:episode_detail", args=[ep.pk])
    r = client.post(_url("segment_merge", last.pk), {"version": 1, "next_version": 1, "next": page})
    assert r.status_code == 302 and r["Location"] == page
    assert "is the last row" in client.get(page).content.decode()
    r = client.post(_url("segment_split", last.pk), {"at": 2, "version": 1, "next": page})
    assert r.status_code == 302 and ep.segments.count() == 3
