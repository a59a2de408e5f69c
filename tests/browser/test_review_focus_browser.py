"""The review page keeps the focus through a save whatever else settles meanwhile (real
Chromium). A row's translation-memory suggestions are fetched when it gets the focus; on a
slow machine they often come back after Ctrl+S was pressed. Their settle was taken for the
save's answer, so when the saved row then replaced the old one the focus fell to the page and
the next key (Esc, j) did nothing. The requests are held with Playwright routes to put the
answers in that order every time."""

from __future__ import annotations

import time

import pytest

from translator.models import Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _held(page, held: list, timeout_s: float = 15.0):
    """The first request held by a route, once its handler has run."""
    deadline = time.monotonic() + timeout_s
    while not held:
        assert time.monotonic() < deadline, "the request was never made"
        page.evaluate("() => 0")  # lets Playwright dispatch the route handler
    return held.pop(0)


def test_the_focus_survives_suggestions_answering_after_the_save(
    login, live_server, browser_users, browser_episode
):
    seg = browser_episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order")[1]
    page = login("rei", width=1366, height=900)
    memory, saves = [], []
    page.route(f"**/segments/{seg.pk}/memory/", lambda route: memory.append(route))
    page.route(f"**/segments/{seg.pk}/save/", lambda route: saves.append(route))
    page.goto(f"{live_server.url}/episodes/{browser_episode.pk}/")
    page.evaluate(
        "(id) => document.addEventListener('htmx:afterSettle', (e) => {"
        " if (e.detail.elt && e.detail.elt.id === 'tm-' + id) window.__tmSettled = true; })",
        seg.pk,
    )

    editor = page.locator(f"#seg-{seg.pk} textarea.seg-editor")
    editor.click()  # the row's suggestions are asked for (held)
    suggestions = _held(page, memory)
    editor.fill("Saved while the suggestions were loading.")
    page.keyboard.press("Control+s")  # the save is sent (held)
    save = _held(page, saves)

    suggestions.continue_()  # the suggestions answer first...
    page.wait_for_function("() => window.__tmSettled === true")
    save.continue_()  # ...then the save
    page.wait_for_function(
        "([id, text]) => { const t = document.querySelector('#seg-' + id + ' textarea');"
        " return t && t.defaultValue === text; }",
        arg=[seg.pk, "Saved while the suggestions were loading."],
    )
    # The focus comes back into the saved row (it used to stay on the page)...
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.closest('#seg-' + id)",
        arg=seg.pk,
    )
    # ...so the next key acts on it: Esc leaves the editor for the row.
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.id") == f"seg-{seg.pk}"
    assert Segment.objects.get(pk=seg.pk).text == "Saved while the suggestions were loading."


def test_a_panel_key_right_after_another_opens_the_second(
    login, live_server, browser_users, browser_episode
):
    """3 then 2 (glossary, then speakers) before the page ran the glossary's own "toggle" event:
    that late event closed the speakers panel again and the glossary stayed (seen under load).
    Both keys go in one script here, so the event always comes after the second key."""
    seg = browser_episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order")[1]
    page = login("rei", width=1366, height=900)
    page.goto(f"{live_server.url}/episodes/{browser_episode.pk}/")
    page.locator(f"#seg-{seg.pk} .seg-ja").click()
    page.keyboard.press("j")  # the row has the focus (the plain keys work)
    page.evaluate(
        "() => { for (const key of ['3', '2']) document.activeElement.dispatchEvent("
        "new KeyboardEvent('keydown', { key: key, bubbles: true, cancelable: true })); }"
    )
    page.locator("details.tool[data-drawer-panel=speakers][open]").wait_for(state="attached")
    # (one more task: the glossary's late toggle event has had its turn)
    page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
    assert page.evaluate(
        "() => Array.from(document.querySelectorAll('details.tool[open]'))"
        ".map((d) => d.dataset.drawerPanel)"
    ) == ["speakers"]
    assert page.evaluate("() => document.body.classList.contains('drawer-open')")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('details.tool[open]')")
