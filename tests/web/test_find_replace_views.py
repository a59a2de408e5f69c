"""The review page's find & replace panel, Undo control and live figures over HTTP:
preview, apply (rows back out of band), undo endpoint, refusals in one line, permissions,
the search options of the review filter with highlighted matches, and the read-only live
endpoint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import make_user
from tests.support.factories import timed_episode
from translator.models import EditAction, Segment, SegmentRevision
from translator.services import review

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _url(name: str, *args) -> str:
    return reverse(f"translator:{name}", args=args)


@pytest.fixture
def ep():
    texts = ["I live in Tokyo.", "Tokyo is big.", "Kyoto is old.", "No match here."]
    sources = ["東京に住んでいます。", "東京都は大きい。", "京都は古い。", "大阪です。"]
    return timed_episode(
        4,
        speakers=[("友野", "Tomono")],
        label=lambda i: "友野",
        source=lambda i: sources[i],
        text=lambda i: texts[i],
        machine_text=lambda i: texts[i],
    )


def _segs(ep) -> list[Segment]:
    return list(ep.segments.order_by("order"))


def _apply(client, ep, changes, *, q="Tokyo", replacement="Edo", on_page=None, **extra):
    data = {"q": q, "replacement": replacement, "in": "en", "change": changes, **extra}
    if on_page is not None:
        data["on_page"] = ",".join(str(x) for x in on_page)
    return client.post(_url("replace_apply", ep.pk), data, **HTMX)


def test_preview_shows_each_change_marked_with_row_and_version(client, translator_user, ep):
    client.force_login(translator_user)
    r = client.get(_url("replace_preview", ep.pk), {"q": "tokyo", "replacement": "Edo", "in": "en"})
    html = r.content.decode()
    a, b = _segs(ep)[:2]
    assert f'value="{a.pk}:1:en"' in html and f'value="{b.pk}:1:en"' in html
    assert '<mark class="find-hit">Tokyo</mark>' in html
    assert '<mark class="find-new">Edo</mark>' in html
    assert "#1" in html and "#2" in html
    assert "2 matches in 2 rows" in html
    # Each row links to itself among the matching rows, where the match is marked.
    assert "?q=tokyo&amp;in=en&amp;goto=1" in html
    page = client.get(_url("episode_detail", ep.pk), {"q": "tokyo", "in": "en", "goto": 2})
    assert '<mark class="find-hit">Tokyo</mark>' in page.content.decode()


def test_preview_refuses_a_catastrophic_regex_in_one_line(client, translator_user, ep):
    client.force_login(translator_user)
    r = client.get(_url("replace_preview", ep.pk), {"q": "(a+)+", "re": "1", "replacement": "x"})
    assert r.status_code == 200
    assert 'id="find-error"' in r.content.decode()
    assert "A repeat inside a repeat" in r.content.decode()


def test_japanese_changes_are_offered_applied_and_undone_with_the_rows_back(
    client, translator_user, ep
):
    client.force_login(translator_user)
    a, b, c, _d = _segs(ep)
    r = client.get(
        _url("replace_preview", ep.pk),
        {"q": "東京|Tokyo", "re": "1", "case": "1", "in": "", "replacement": "江戸"},
    )
    html = r.content.decode()
    # Each field is its own change: the Japanese and the English of a row are ticked apart.
    assert f'value="{a.pk}:1:ja"' in html and f'value="{a.pk}:1:en"' in html
    assert '<span class="replace-after" lang="ja"><mark class="find-new">江戸</mark>' in html
    assert 'id="replace-ja-note"' in html
    assert "Japanese replace: edit each row." not in html
    # Apply the Japanese of rows 1 and 2 and the English of row 2 only.
    r = _apply(
        client,
        ep,
        [f"{a.pk}:1:ja", f"{b.pk}:1:ja", f"{b.pk}:1:en"],
        q="東京|Tokyo",
        replacement="江戸",
        re="1",
        case="1",
        on_page=[a.pk, b.pk],
        **{"in": ""},
    )
    html = r.content.decode()
    assert "Replaced in 2 rows." in html
    assert f'id="seg-{a.pk}" hx-swap-oob="true"' in html
    assert '<div class="seg-ja" lang="ja">江戸に住んでいます。</div>' in html  # the row, in place
    a, b = _segs(ep)[:2]
    assert (a.source_text, a.text) == ("江戸に住んでいます。", "I live in Tokyo.")
    assert (b.source_text, b.text) == ("江戸都は大きい。", "江戸 is big.")
    assert EditAction.objects.get().kind == "replace"
    # One undo: both rows' Japanese and row 2's English come back in place.
    r = client.post(_url("episode_undo", ep.pk), {"on_page": f"{a.pk},{b.pk}"}, **HTMX)
    html = r.content.decode()
    assert "Undone: Replace" in html
    assert '<div class="seg-ja" lang="ja">東京に住んでいます。</div>' in html
    a, b = _segs(ep)[:2]
    assert (a.source_text, b.source_text, b.text) == (
        "東京に住んでいます。",
        "東京都は大きい。",
        "Tokyo is big.",
    )


def test_japanese_change_the_source_edit_refuses_is_said_in_one_line(client, translator_user, ep):
    client.force_login(translator_user)
    a = _segs(ep)[0]
    r = _apply(client, ep, [f"{a.pk}:1:ja"], q="^.+$", re="1", replacement="", **{"in": "ja"})
    html = r.content.decode()
    assert 'id="replace-refused"' in html
    assert "Left alone, the Japanese would not be valid: #1" in html
    assert _segs(ep)[0].source_text == "東京に住んでいます。"


def test_japanese_replace_needs_edit_rights(client, ep, db):
    client.force_login(make_user("vera"))
    a = _segs(ep)[0]
    r = _apply(client, ep, [f"{a.pk}:1:ja"], q="東京", replacement="江戸", **{"in": "ja"})
    assert r.status_code == 403
    assert _segs(ep)[0].source_text == "東京に住んでいます。"


def test_apply_replaces_and_sends_the_rows_shown_back_out_of_band(client, translator_user, ep):
    client.force_login(translator_user)
    a, b, c, _d = _segs(ep)
    r = _apply(client, ep, [f"{a.pk}:1", f"{b.pk}:1"], on_page=[a.pk, c.pk])
    html = r.content.decode()
    assert r["HX-Trigger"] == "editActionDone"
    assert "Replaced in 2 rows." in html
    # Only rows the page shows come back (b is not on it), each as an out-of-band swap.
    assert f'id="seg-{a.pk}" hx-swap-oob="true"' in html
    assert f'id="seg-{b.pk}"' not in html and f'id="seg-{c.pk}"' not in html
    assert 'id="review-counters"' in html
    assert [s.text for s in _segs(ep)[:2]] == ["I live in Edo.", "Edo is big."]
    act = EditAction.objects.get(kind="replace")
    assert act.summary == "Replace “Tokyo” → “Edo” in 2 rows"


def test_apply_reports_rows_changed_since_the_preview(client, translator_user, reviewer_user, ep):
    a, b = _segs(ep)[:2]
    review.save_segment(segment_id=b.pk, text="Tokyo is huge.", base_version=1, user=reviewer_user)
    client.force_login(translator_user)
    html = _apply(client, ep, [f"{a.pk}:1", f"{b.pk}:1"]).content.decode()
    assert "Replaced in 1 row." in html
    assert "Left alone, changed since the preview: #2." in html
    assert Segment.objects.get(pk=b.pk).text == "Tokyo is huge."


def test_apply_needs_edit_rights(client, ep, db):
    viewer = make_user("vic")
    client.force_login(viewer)
    a = _segs(ep)[0]
    assert _apply(client, ep, [f"{a.pk}:1"]).status_code == 403
    assert Segment.objects.get(pk=a.pk).text == "I live in Tokyo."


def test_apply_without_ticks_or_with_a_bad_regex_says_why(client, translator_user, ep):
    client.force_login(translator_user)
    assert "Tick at least one change" in _apply(client, ep, []).content.decode()
    a = _segs(ep)[0]
    html = _apply(client, ep, [f"{a.pk}:1"], q="(", re="1").content.decode()
    assert "Not a valid regular expression" in html


def test_undo_control_names_the_last_action_and_undo_puts_the_rows_back(
    client, translator_user, ep
):
    client.force_login(translator_user)
    a, b = _segs(ep)[:2]
    _apply(client, ep, [f"{a.pk}:1", f"{b.pk}:1"])
    bar = client.get(_url("episode_undo", ep.pk), **HTMX).content.decode()
    assert "Undo Replace “Tokyo” → “Edo” in 2 rows" in bar
    r = client.post(_url("episode_undo", ep.pk), {"on_page": f"{a.pk},{b.pk}"}, **HTMX)
    html = r.content.decode()
    assert "Undone: Replace “Tokyo” → “Edo” in 2 rows" in html
    assert f'id="seg-{a.pk}" hx-swap-oob="true"' in html
    assert f'id="seg-{b.pk}" hx-swap-oob="true"' in html
    assert [s.text for s in _segs(ep)[:2]] == ["I live in Tokyo.", "Tokyo is big."]
    assert 'id="undo-button"' not in html  # nothing left to undo
    # The history shows the undo as a revision with its label.
    history = client.get(_url("segment_history", a.pk)).content.decode()
    assert '<span class="rev-action">Undo</span>' in history
    assert SegmentRevision.objects.filter(segment=a, action="undo").count() == 1


def test_undo_refused_when_someone_changed_the_row_since(
    client, translator_user, reviewer_user, ep
):
    a = _segs(ep)[0]
    review.save_segment(segment_id=a.pk, text="Mine.", base_version=1, user=translator_user)
    review.save_segment(segment_id=a.pk, text="Theirs.", base_version=2, user=reviewer_user)
    client.force_login(translator_user)
    html = client.post(_url("episode_undo", ep.pk), **HTMX).content.decode()
    assert 'id="undo-msg"' in html
    assert "Not undone: row 1 changed since." in html
    assert Segment.objects.get(pk=a.pk).text == "Theirs."


def test_undo_of_another_episodes_action_or_nothing(client, translator_user, ep, sample_episode):
    client.force_login(translator_user)
    html = client.post(_url("episode_undo", ep.pk), **HTMX).content.decode()
    assert "Nothing to undo." in html
    seg = sample_episode.segments.order_by("order").first()
    review.save_segment(
        segment_id=seg.pk, text="Other.", base_version=seg.version, user=translator_user
    )
    act = EditAction.objects.get()
    html = client.post(_url("episode_undo", ep.pk), {"action": act.pk}, **HTMX).content.decode()
    assert "Nothing to undo." in html
    assert Segment.objects.get(pk=seg.pk).text == "Other."


def test_undo_without_htmx_goes_back_with_a_message(client, translator_user, ep):
    a = _segs(ep)[0]
    review.save_segment(segment_id=a.pk, text="Mine.", base_version=1, user=translator_user)
    client.force_login(translator_user)
    r = client.post(_url("episode_undo", ep.pk), follow=True)
    assert "Undone: Save row 1" in r.content.decode()
    assert Segment.objects.get(pk=a.pk).text == "I live in Tokyo."


def test_review_filter_search_options_and_highlights(client, translator_user, ep):
    client.force_login(translator_user)
    page = _url("episode_detail", ep.pk)
    # Whole word in Japanese: 東京 is a word of rows 1 and 2; 京 of none (京都 is one word).
    html = client.get(page, {"q": "東京", "word": "1", "in": "ja"}).content.decode()
    a, b, c, d = _segs(ep)
    assert f'id="seg-{a.pk}"' in html and f'id="seg-{b.pk}"' in html
    assert f'id="seg-{c.pk}"' not in html
    assert '<mark class="find-hit">東京</mark>' in html
    html = client.get(page, {"q": "京", "word": "1", "in": "ja"}).content.decode()
    assert "No segments match these filters." in html
    # Regex in the English, case-sensitive; the English match is shown marked under the editor.
    html = client.get(page, {"q": r"^[A-Z]\w+ is", "re": "1", "case": "1", "in": "en"}).content
    html = html.decode()
    assert f'id="seg-{b.pk}"' in html and f'id="seg-{c.pk}"' in html
    assert f'id="seg-{a.pk}"' not in html and f'id="seg-{d.pk}"' not in html
    assert '<div class="find-hit-en small" lang="en"><mark class="find-hit">Tokyo is</mark>' in html
    # The options survive pagination links.
    assert "re=1" in client.get(page, {"q": "is", "re": "1", "per_page": 50}).content.decode()
    # A bad regex is said, in one line, instead of rows.
    html = client.get(page, {"q": "(a+)+", "re": "1"}).content.decode()
    assert "A repeat inside a repeat" in html


def test_plain_search_is_unchanged(client, translator_user, ep):
    client.force_login(translator_user)
    html = client.get(_url("episode_detail", ep.pk), {"q": "tokyo"}).content.decode()
    a, b = _segs(ep)[:2]
    assert f'id="seg-{a.pk}"' in html and f'id="seg-{b.pk}"' in html
    assert '<mark class="find-hit">Tokyo</mark>' in html


def test_the_page_has_the_panel_the_undo_control_and_the_keys(client, translator_user, ep):
    client.force_login(translator_user)
    html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert 'id="find-replace-tool"' in html
    assert 'id="undo-bar"' in html
    assert "review_tools" in html
    assert "<kbd>Ctrl</kbd>+<kbd>Z</kbd>" in html and "<kbd>Ctrl</kbd>+<kbd>H</kbd>" in html


def _guarded(fn):
    writes: list[str] = []

    def guard(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(WRITES):
            writes.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        result = fn()
    return result, writes


def test_live_feedback_gives_the_exports_figures_and_writes_nothing(client, translator_user, ep):
    client.force_login(translator_user)
    a = _segs(ep)[0]  # one cue of 2.5 s
    r, writes = _guarded(
        lambda: client.post(_url("segment_live", a.pk), {"text": "I live in Tokyo."}, **HTMX)
    )
    assert writes == []
    html = r.content.decode()
    assert 'data-lines="1"' in html and 'data-longest="16"' in html
    assert 'data-cps="6.4"' in html  # 16 characters over 2.5 s
    assert "live-warnings" not in html
    long = "This sentence is far too long to be read in two and a half seconds by anyone at all."
    r, writes = _guarded(lambda: client.post(_url("segment_live", a.pk), {"text": long}, **HTMX))
    assert writes == []
    html = r.content.decode()
    assert 'data-flag="reading_speed"' in html
    # Too long for two lines: shown as two cues in turn, as the export does.
    assert "cue 1:" in html and "cue 2:" in html and "cue 3:" not in html
    # Nothing was saved, and the warning is the QA flag a save would store.
    assert Segment.objects.get(pk=a.pk).text == "I live in Tokyo."
    saved = review.save_segment(segment_id=a.pk, text=long, base_version=1, user=translator_user)
    assert "reading_speed" in saved.qa_flags


def test_live_feedback_of_an_untimed_row_has_no_reading_speed(client, translator_user, ep):
    seg = _segs(ep)[3]
    seg.cues.update(start_ms=None, end_ms=None)
    client.force_login(translator_user)
    html = client.post(_url("segment_live", seg.pk), {"text": "Hello."}, **HTMX).content.decode()
    assert "not timed: no reading speed" in html
    assert "data-cps" not in html


def test_live_feedback_is_post_only_and_needs_view_rights(client, ep, db):
    seg = _segs(ep)[0]
    assert client.post(_url("segment_live", seg.pk), {"text": "x"}).status_code == 302  # login
    client.force_login(make_user("nobody"))
    assert client.post(_url("segment_live", seg.pk), {"text": "x"}).status_code == 403


def test_japanese_ui(client, translator_user, ep):
    client.force_login(translator_user)
    a = _segs(ep)[0]
    review.save_segment(segment_id=a.pk, text="Mine.", base_version=1, user=translator_user)
    ja = {"HTTP_ACCEPT_LANGUAGE": "ja"}
    html = client.get(_url("episode_detail", ep.pk), **ja).content.decode()
    for text in (
        "検索と置換",
        "置換後",
        "単語単位",
        "正規表現",
        "置換は英語と日本語の両方で使えます。",
    ):
        assert text in html
    assert "エピソード全体で検索と置換" in html  # the shortcuts panel
    bar = client.get(_url("episode_undo", ep.pk), **ja, **HTMX).content.decode()
    assert "元に戻す" in bar
    preview = client.get(
        _url("replace_preview", ep.pk), {"q": "Tokyo", "replacement": "Edo"}, **ja
    ).content.decode()
    assert "1 行に 1 件の一致。" in preview
    live = client.post(_url("segment_live", a.pk), {"text": "Hello."}, **ja, **HTMX)
    assert "文字/秒" in live.content.decode()


def test_undo_works_for_any_kind_of_action(client, translator_user, ep, monkeypatch):
    """Other services' actions (retime, split…) register their own undo: the control names
    them, rows they touched come back in place, and rows that came or went reload the page."""
    from translator.services import actions

    a = _segs(ep)[0]

    def fake_undo(act, user):  # what a retime's handler would do: write through the services
        review.save_segment(
            segment_id=a.pk, text="Put back.", base_version=0, user=user, overwrite=True
        )

    monkeypatch.setitem(actions._handlers, EditAction.Kind.RETIME, fake_undo)
    monkeypatch.setitem(actions._handlers, EditAction.Kind.SPLIT, fake_undo)
    with actions.action(
        episode_id=ep.pk, user=translator_user, kind=EditAction.Kind.RETIME, data={"cues": [1]}
    ):
        review.save_segment(segment_id=a.pk, text="Moved.", base_version=1, user=translator_user)
    client.force_login(translator_user)
    bar = client.get(_url("episode_undo", ep.pk), **HTMX).content.decode()
    assert 'data-kind="retime"' in bar
    html = client.post(_url("episode_undo", ep.pk), {"on_page": str(a.pk)}, **HTMX).content
    assert f'id="seg-{a.pk}" hx-swap-oob="true"' in html.decode()
    assert Segment.objects.get(pk=a.pk).text == "Put back."

    a.refresh_from_db()
    with actions.action(
        episode_id=ep.pk, user=translator_user, kind=EditAction.Kind.SPLIT, summary="Split row 1"
    ):
        review.save_segment(
            segment_id=a.pk, text="Split.", base_version=a.version, user=translator_user
        )
    r = client.post(_url("episode_undo", ep.pk), **HTMX)
    assert r.status_code == 204 and r["HX-Refresh"] == "true"
    page = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert "Undone: Split row 1" in page


def test_apply_skips_junk_selections(client, translator_user, ep):
    client.force_login(translator_user)
    a = _segs(ep)[0]
    html = _apply(client, ep, ["junk", "1:x", ":", f"{10**30}:1", f"{a.pk}:1"]).content.decode()
    assert "Replaced in 1 row." in html
    assert Segment.objects.get(pk=a.pk).text == "I live in Edo."


def test_a_translator_cannot_undo_what_would_approve_again(
    client, translator_user, reviewer_user, ep
):
    """Undoing a replace in an approved row would approve it again: a translator, who cannot
    approve, is told so in one line and nothing changes."""
    a = _segs(ep)[0]
    review.set_approved(segment_id=a.pk, approved=True, user=reviewer_user)
    client.force_login(translator_user)
    _apply(client, ep, [f"{a.pk}:2"])
    assert Segment.objects.get(pk=a.pk).status == "edited"
    html = client.post(_url("episode_undo", ep.pk), **HTMX).content.decode()
    assert "Not undone: it would approve rows again, which only a reviewer may do." in html
    assert Segment.objects.get(pk=a.pk).text == "I live in Edo."
