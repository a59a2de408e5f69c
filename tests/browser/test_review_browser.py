"""The review page in a real headless Chromium: keyboard editing, approve, filter, restore,
conflicts between two editors, media seeking, and screenshots at two widths."""

from __future__ import annotations

import wave

import pytest

from translator.models import Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rows(episode) -> list[Segment]:
    return list(episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order"))


def _editor(page, seg):
    return page.locator(f"#seg-{seg.pk} textarea.seg-editor")


def _wait_saved(page, seg, text):
    page.wait_for_function(
        "([id, text]) => { const t = document.querySelector('#seg-' + id + ' textarea');"
        " return t && t.defaultValue === text; }",
        arg=[seg.pk, text],
    )


def test_keyboard_edit_approve_filter_restore(login, live_server, browser_users, browser_episode):
    ep = browser_episode
    a, b, c = _rows(ep)[:3]
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")

    # Ctrl+Enter: a reviewer saves and approves, and the focus moves to the next row.
    _editor(page, a).click()
    _editor(page, a).fill("Hello everyone, welcome to Subtitle Lab.")
    page.keyboard.press("Control+Enter")
    _wait_saved(page, a, "Hello everyone, welcome to Subtitle Lab.")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.closest('#seg-{b.pk}') !== null"
    )
    assert (
        page.locator(f"#seg-{a.pk} .badge[data-status]").get_attribute("data-status") == "approved"
    )
    assert page.locator("#review-counters .count[data-status=approved] b").inner_text() == "1"

    # Ctrl+M copies the machine text; Escape restores the saved text; Ctrl+S saves in place.
    _editor(page, b).fill("Draft that will be cancelled")
    page.keyboard.press("Escape")
    assert _editor(page, b).input_value() == f"Machine sentence {b.order + 1}."
    _editor(page, b).fill("")
    page.keyboard.press("Control+m")
    assert _editor(page, b).input_value() == f"Machine sentence {b.order + 1}."
    _editor(page, b).fill("Thanks. Let's begin.")
    page.keyboard.press("Control+s")
    _wait_saved(page, b, "Thanks. Let's begin.")

    # Alt+Down moves to the next row.
    _editor(page, b).focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.closest('#seg-{c.pk}') !== null"
    )

    # Reload: both edits persisted, with their statuses.
    page.reload()
    assert _editor(page, a).input_value() == "Hello everyone, welcome to Subtitle Lab."
    assert _editor(page, b).input_value() == "Thanks. Let's begin."
    assert page.locator(f"#seg-{b.pk} .badge[data-status]").get_attribute("data-status") == "edited"
    assert Segment.objects.get(pk=a.pk).status == "approved"

    # Filter by status: only the approved row is left, and the filter survives a reload.
    page.select_option("select[name=status]", "approved")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**status=approved**")
    assert page.locator("article.seg").count() == 1
    assert page.locator(f"#seg-{a.pk}").count() == 1

    # Unapprove from the row (its actions show once it is focused), then restore the first
    # edit of row b from its history (in the drawer).
    _editor(page, a).focus()
    page.click(f"#seg-{a.pk} button:has-text('Unapprove')")
    page.wait_for_function(
        f"() => document.querySelector('#seg-{a.pk} .badge[data-status]').dataset.status === 'edited'"
    )
    page.goto(f"{live_server.url}/episodes/{ep.pk}/?q=begin")
    _editor(page, b).fill("Thanks. Let's get started.")
    page.click(f"#seg-{b.pk} button[data-intent=save]")
    _wait_saved(page, b, "Thanks. Let's get started.")
    page.click(f"#seg-{b.pk} button:has-text('History')")
    restore = page.locator("#row-panel .rev button.restore").first
    restore.wait_for()
    assert "Thanks. Let's begin." in page.locator("#row-panel .history").inner_text()
    restore.click()
    _wait_saved(page, b, "Thanks. Let's begin.")
    b.refresh_from_db()
    assert b.text == "Thanks. Let's begin."
    assert b.revisions.order_by("-id").first().action == "restore"


def test_focus_moved_during_a_save_is_not_pulled_back(
    login, live_server, browser_users, browser_episode
):
    """A save settles after the editor has already moved on (Alt+Down, a click): the settle
    must not yank the focus back to the saved row. htmx's settle delay is stretched so the
    race that once failed CI happens every time."""
    ep = browser_episode
    a, b, c, d = _rows(ep)[:4]
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.evaluate("htmx.config.defaultSettleDelay = 700")
    # Each row's settles counted, to wait for the one that matters (not a fixed time).
    page.evaluate(
        "() => { window.__settled = {}; document.addEventListener('htmx:afterSettle', (e) => {"
        " const id = e.detail.elt && e.detail.elt.id;"
        " if (id) window.__settled[id] = (window.__settled[id] || 0) + 1; }); }"
    )
    settled = "(id) => (window.__settled['seg-' + id] || 0) >= 1"

    _editor(page, a).fill("Saved in place.")
    page.keyboard.press("Control+s")
    _wait_saved(page, a, "Saved in place.")  # swapped, not settled yet
    _editor(page, a).focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(settled, arg=a.pk)  # the settle has run
    assert page.evaluate(f"!!document.activeElement.closest('#seg-{b.pk}')")

    _editor(page, c).fill("Approved and left.")
    page.keyboard.press("Control+Enter")
    _wait_saved(page, c, "Approved and left.")
    _editor(page, a).click()
    page.wait_for_function(settled, arg=c.pk)
    assert page.evaluate(f"!!document.activeElement.closest('#seg-{a.pk}')")
    assert not page.evaluate(f"!!document.activeElement.closest('#seg-{d.pk}')")


def test_the_last_row_of_a_page_continues_on_the_next(
    login, live_server, browser_users, browser_episode
):
    """Ctrl+Enter (and Alt+Down) on the last row of a page carry on at the next page's first
    row, keeping the filters; a filtered-out row number lands on the next row shown."""
    ep = browser_episode
    rows = list(ep.segments.order_by("order"))
    assert len(rows) > 100  # two pages of 100
    last, first_next = rows[99], rows[100]
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    _editor(page, last).click()
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**goto=101**")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.closest('#seg-{first_next.pk}')"
    )
    assert Segment.objects.get(pk=last.pk).status == "approved"
    assert page.locator("a.pg[aria-current=page]").first.inner_text() == "2"

    # Filtered to machine rows: #100 is approved now, so the page ends earlier; Alt+Down
    # from its last row goes on to the next machine row on the next page.
    page.goto(f"{live_server.url}/episodes/{ep.pk}/?status=machine")
    shown = page.locator("article.seg")
    final = shown.nth(shown.count() - 1)
    number = int(final.get_attribute("data-number"))
    final.locator("textarea").focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_url(f"**goto={number + 1}**")
    assert "status=machine" in page.url
    focused = page.evaluate("document.activeElement.closest('article.seg').dataset.number")
    assert int(focused) > number


def test_two_editors_conflict_and_merge(login, live_server, browser_users, browser_episode):
    ep = browser_episode
    seg = _rows(ep)[4]
    url = f"{live_server.url}/episodes/{ep.pk}/"
    rei = login("rei")
    tina = login("tina")
    rei.goto(url)
    tina.goto(url)

    _editor(rei, seg).fill("Reviewer's wording.")
    _editor(tina, seg).fill("Translator's wording.")
    rei.click(f"#seg-{seg.pk} button[data-intent=save]")
    _wait_saved(rei, seg, "Reviewer's wording.")

    tina.click(f"#seg-{seg.pk} button[data-intent=save]")
    conflict = tina.locator(f"#seg-{seg.pk}.seg-conflict")
    conflict.wait_for()
    _editor(tina, _rows(ep)[5]).focus()  # the editor looks at another row first:
    assert conflict.locator("[data-choice=merge]").is_visible()  # the choices still show
    assert "Reviewer's wording." in conflict.locator("[data-which=theirs]").inner_text()
    assert "Translator's wording." in conflict.locator("[data-which=yours]").inner_text()
    assert Segment.objects.get(pk=seg.pk).text == "Reviewer's wording."

    conflict.locator("[data-choice=merge]").click()
    merge = tina.locator(f"#merge-{seg.pk} textarea")
    assert merge.input_value() == "Reviewer's wording.\nTranslator's wording."
    merge.fill("Reviewer's wording, and the translator's too.")
    tina.click(f"#merge-{seg.pk} button[data-intent=save]")
    _wait_saved(tina, seg, "Reviewer's wording, and the translator's too.")
    seg.refresh_from_db()
    assert seg.text == "Reviewer's wording, and the translator's too."
    texts = set(seg.revisions.values_list("new_text", flat=True))
    assert "Reviewer's wording." in texts  # theirs kept in history

    # The reviewer, still on the old version, overwrites: their text stays in the history.
    _editor(rei, seg).fill("Final wording.")
    rei.click(f"#seg-{seg.pk} button[data-intent=save]")
    rei.locator(f"#seg-{seg.pk}.seg-conflict").wait_for()
    rei.click(f"#seg-{seg.pk} [data-choice=mine]")
    _wait_saved(rei, seg, "Final wording.")
    seg.refresh_from_db()
    assert seg.text == "Final wording."
    assert seg.revisions.order_by("-id").first().old_text.startswith("Reviewer's wording, and")


def _wav(path, seconds: float) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * int(8000 * seconds))


def test_media_seek_and_screenshots(
    login, live_server, browser_users, browser_episode, artifacts, tmp_path
):
    ep = browser_episode
    target = next(
        s for s in _rows(ep) if s.cues.first().start_ms and s.cues.first().start_ms > 5000
    )
    start_s = target.cues.first().start_ms / 1000
    wav = tmp_path / "tiny.wav"
    _wav(wav, start_s + 4)

    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.click("details.tool summary:has-text('Media')")
    page.set_input_files("input[name=file]", str(wav))
    page.click("button:has-text('Attach')")
    page.wait_for_selector("#player")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")

    page.click(f"#seg-{target.pk} .seg-time")
    page.wait_for_function(
        "t => Math.abs(document.getElementById('player').currentTime - t) < 1.5", arg=start_s
    )
    page.wait_for_selector(f"#seg-{target.pk}.playing")
    current = page.evaluate("document.getElementById('player').currentTime")
    assert current >= start_s - 0.01

    # Screenshots: desktop and phone widths (looked at by hand; kept out of git).
    page.evaluate("document.getElementById('player').pause()")
    _editor(page, _rows(ep)[1]).fill("An unsaved edit shows a dot.")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "review-desktop.png"))
    page.locator(f"#seg-{target.pk}").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "review-desktop-rows.png"))
    phone = login("rei", width=390, height=844)
    phone.goto(f"{live_server.url}/episodes/{ep.pk}/")
    phone.screenshot(path=str(artifacts / "review-narrow.png"))
    phone.locator(f"#seg-{_rows(ep)[0].pk}").scroll_into_view_if_needed()
    phone.screenshot(path=str(artifacts / "review-narrow-rows.png"))
    assert (artifacts / "review-desktop.png").stat().st_size > 10_000


def test_japanese_ui_and_translator_limits(login, live_server, browser_users, browser_episode):
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{browser_episode.pk}/")
    assert page.locator("button[data-intent=approve]").count() == 0
    assert page.locator("#bulk-form").count() == 0
    page.select_option("select[name=language]", "ja")
    page.wait_for_selector("html[lang=ja]")
    assert "ショーノート" in page.inner_text("body")
    assert page.locator("button[data-intent=save]").first.inner_text() == "保存"
