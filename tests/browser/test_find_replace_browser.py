"""Find & replace, Undo and the live figures in a real headless Chromium: preview → untick →
apply → undo with the stored rows checked; Ctrl+Z of a save (outside a text field) and of a
bulk approval; the reading speed under the editor changing while typing."""

from __future__ import annotations

import pytest

from translator.models import EditAction, Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rows(episode) -> list[Segment]:
    return list(episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order"))


def _editor(page, seg):
    return page.locator(f"#seg-{seg.pk} textarea.seg-editor")


def _wait_text(page, seg, text):
    page.wait_for_function(
        "([id, text]) => { const t = document.querySelector('#seg-' + id + ' textarea');"
        " return t && t.defaultValue === text; }",
        arg=[seg.pk, text],
    )


def _stored(seg) -> tuple[str, str]:
    seg.refresh_from_db()
    return seg.text, seg.status


def test_find_replace_preview_untick_apply_and_undo(
    login, live_server, browser_users, browser_episode, artifacts
):
    ep = browser_episode
    a, b, c = _rows(ep)[:3]
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")

    # Ctrl+H opens the panel with the focus in "Find".
    page.locator("h1").click()
    page.keyboard.press("Control+h")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'find-q'")
    page.keyboard.type(rf"^Machine sentence ({a.order + 1}|{b.order + 1}|{c.order + 1})\.$")
    page.fill("#find-replacement", r"Line \1 (checked).")
    page.check("#find-form input[name=re]")
    page.check("#find-form input[name=case]")
    page.press("#find-replacement", "Enter")  # Enter previews
    page.wait_for_selector(".replace-item")
    assert page.locator(".replace-item").count() == 3
    assert page.locator(f".replace-item[data-seg='{a.pk}'] mark.find-new").inner_text() == (
        f"Line {a.order + 1} (checked)."
    )
    assert "3 matches in 3 rows" in page.locator("#find-count").inner_text()

    page.screenshot(path=str(artifacts / "find_replace_preview.png"))
    # Untick b: it is left alone.
    page.uncheck(f".replace-item[data-seg='{b.pk}'] input.replace-pick")
    page.click("#replace-apply")
    page.wait_for_selector("#replace-result")
    assert "Replaced in 2 rows." in page.locator("#replace-result").inner_text()
    assert _stored(a) == (f"Line {a.order + 1} (checked).", "edited")
    assert _stored(b) == (f"Machine sentence {b.order + 1}.", "machine")
    assert _stored(c) == (f"Line {c.order + 1} (checked).", "edited")
    # The rows on the page show the new text in place (no reload).
    _wait_text(page, a, f"Line {a.order + 1} (checked).")
    _wait_text(page, c, f"Line {c.order + 1} (checked).")
    assert page.locator(f"#seg-{a.pk} .badge[data-status]").get_attribute("data-status") == (
        "edited"
    )

    # One Undo for the whole replace.
    undo = page.locator("#undo-button")
    undo.wait_for()
    assert "Replace “^Machine sentence" in undo.inner_text()
    assert "in 2 rows" in undo.inner_text()
    undo.click()
    page.wait_for_selector("#undo-msg")
    assert "Undone: Replace" in page.locator("#undo-msg").inner_text()
    _wait_text(page, a, f"Machine sentence {a.order + 1}.")
    _wait_text(page, c, f"Machine sentence {c.order + 1}.")
    assert _stored(a) == (f"Machine sentence {a.order + 1}.", "machine")
    assert _stored(c) == (f"Machine sentence {c.order + 1}.", "machine")
    assert EditAction.objects.get(kind="replace").undone_at is not None


def test_japanese_replace_preview_apply_and_undo(
    login, live_server, browser_users, browser_episode, artifacts
):
    """In the Japanese: the change is listed with its Japanese after, applied through the
    source edit (stored Japanese and re-cut cues, the row shown in place), and one Undo puts
    the Japanese and its cues back."""
    import re

    ep = browser_episode
    a = next(s for s in _rows(ep) if s.cues.exists())
    original = a.source_text
    cues_before = list(a.cues.order_by("index").values_list("id", "source_text", "start_ms"))
    fixed = "日本語を直しました。"
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.click("#find-replace-tool summary")
    page.fill("#find-q", "^" + re.escape(original) + "$")
    page.fill("#find-replacement", fixed)
    page.select_option("#find-in", "ja")
    page.check("#find-form input[name=re]")
    page.click("#find-preview")
    page.wait_for_selector(".replace-item")
    item = page.locator(f".replace-item[data-seg='{a.pk}'][data-field='ja']")
    assert item.locator(".replace-after mark.find-new").inner_text() == fixed
    assert page.locator("#replace-ja-note").is_visible()
    page.screenshot(path=str(artifacts / "find_replace_japanese_preview.png"))
    page.click("#replace-apply")
    page.wait_for_selector("#replace-result")
    assert "Replaced in 1 row." in page.locator("#replace-result").inner_text()
    a.refresh_from_db()
    assert a.source_text == fixed and a.source_stale
    assert list(a.cues.values_list("source_text", flat=True)) == [fixed]
    assert _stored(a) == (f"Machine sentence {a.order + 1}.", "machine")  # English kept
    page.wait_for_function(
        "([id, text]) => { const el = document.querySelector('#seg-' + id + ' .seg-ja');"
        " return el && el.textContent === text; }",
        arg=[a.pk, fixed],
    )

    undo = page.locator("#undo-button")
    undo.wait_for()
    undo.click()
    page.wait_for_selector("#undo-msg")
    assert "Undone: Replace" in page.locator("#undo-msg").inner_text()
    page.wait_for_function(
        "([id, text]) => { const el = document.querySelector('#seg-' + id + ' .seg-ja');"
        " return el && el.textContent === text; }",
        arg=[a.pk, original],
    )
    a.refresh_from_db()
    assert a.source_text == original and not a.source_stale
    assert (
        list(a.cues.order_by("index").values_list("id", "source_text", "start_ms")) == cues_before
    )
    assert EditAction.objects.get(kind="replace").undone_at is not None


def test_ctrl_z_outside_a_text_field_undoes_a_save_and_inside_keeps_the_browsers_undo(
    login, live_server, browser_users, browser_episode
):
    ep = browser_episode
    a, b = _rows(ep)[:2]
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    original = f"Machine sentence {a.order + 1}."

    _editor(page, a).click()
    _editor(page, a).fill("Hello, welcome.")
    page.keyboard.press("Control+s")
    _wait_text(page, a, "Hello, welcome.")
    page.wait_for_function(
        "() => { const b = document.getElementById('undo-button');"
        " return b && b.textContent.includes('Save row'); }"
    )
    assert _stored(a) == ("Hello, welcome.", "edited")

    # Inside a textarea Ctrl+Z is the browser's: typing is undone, nothing on the server.
    _editor(page, b).click()
    page.keyboard.type(" extra")
    page.keyboard.press("Control+z")
    # (the browser's undo took the typing out: wait for that, not a fixed time)
    page.wait_for_function(
        "(id) => !document.querySelector('#seg-' + id + ' textarea.seg-editor')"
        ".value.includes('extra')",
        arg=b.pk,
    )
    assert _stored(a) == ("Hello, welcome.", "edited")
    assert "Save row" in page.locator("#undo-button").inner_text()  # still to undo

    # Outside a text field Ctrl+Z undoes the last action, and the row comes back in place.
    page.keyboard.press("Escape")  # restores b's text
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    _wait_text(page, a, original)
    assert _stored(a) == (original, "machine")
    page.wait_for_selector("#undo-msg")
    assert "Undone: Save row" in page.locator("#undo-msg").inner_text()
    # Nothing left: a second Ctrl+Z says so.
    page.keyboard.press("Control+z")
    page.wait_for_function(
        "() => { const t = document.getElementById('toast');"
        " return t && !t.hidden && t.textContent.includes('Nothing to undo'); }"
    )
    assert _stored(a) == (original, "machine")


def test_ctrl_z_undoes_a_bulk_approval(login, live_server, browser_users, browser_episode):
    ep = browser_episode
    a, b = _rows(ep)[:2]
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.check(f"#seg-{a.pk} input.seg-check")
    page.check(f"#seg-{b.pk} input.seg-check")
    with page.expect_navigation():  # a plain form post: the page reloads
        page.click("#bulk-approve")
    page.wait_for_function(
        "() => { const b = document.getElementById('undo-button');"
        " return b && b.textContent.includes('Approve 2 rows'); }"
    )
    assert _stored(a)[1] == _stored(b)[1] == "approved"
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    page.wait_for_selector("#undo-msg")
    page.wait_for_function(
        f"() => document.querySelector('#seg-{a.pk} .badge[data-status]')"
        ".dataset.status === 'machine'"
    )
    assert _stored(a)[1] == _stored(b)[1] == "machine"


def test_live_reading_speed_changes_while_typing(
    login, live_server, browser_users, browser_episode, artifacts
):
    ep = browser_episode
    a = next(s for s in _rows(ep) if s.cues.exclude(start_ms=None).exists())
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    _editor(page, a).click()
    first = page.locator(f"#seg-{a.pk} .seg-live .live-cps").first
    first.wait_for()
    before = float(first.inner_text())
    page.keyboard.press("End")
    page.keyboard.type(
        " And then a great deal more English that nobody could read in the time of this cue."
    )
    page.wait_for_function(
        "([id, before]) => { const el = document.querySelector('#seg-' + id + ' .seg-live');"
        " if (!el || el.dataset.pending) return false;"
        " const cps = Array.from(el.querySelectorAll('.live-cps')).map((x) => Number(x.textContent));"
        " return cps.length > 0 && Math.max(...cps) > before; }",
        arg=[a.pk, before],
    )
    live = page.locator(f"#seg-{a.pk} .seg-live")
    page.screenshot(path=str(artifacts / "live_feedback.png"))
    assert live.locator("[data-flag=reading_speed]").count() == 1  # warned before saving
    assert "chars/s" in live.inner_text()
    # Nothing was saved by the live figures.
    assert _stored(a)[0] == f"Machine sentence {a.order + 1}."


def test_panel_and_undo_control_fit_a_narrow_screen(
    login, live_server, browser_users, browser_episode, artifacts
):
    ep = browser_episode
    a = _rows(ep)[0]
    page = login("tina", width=420, height=860)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    _editor(page, a).click()
    _editor(page, a).fill("A much longer English sentence, to be undone from a phone.")
    page.keyboard.press("Control+s")
    _wait_text(page, a, "A much longer English sentence, to be undone from a phone.")
    page.locator("#undo-button").wait_for()
    page.click("#find-replace-tool summary")
    page.fill("#find-q", "Machine sentence")
    page.fill("#find-replacement", "Sentence")
    page.click("#find-preview")
    page.wait_for_selector(".replace-item")
    page.screenshot(path=str(artifacts / "find_replace_420.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    box = page.locator("#undo-bar").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 420
