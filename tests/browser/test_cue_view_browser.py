"""The cue view in a real headless Chromium: retiming the focused cue by keys (nudge start and
end, move the whole cue, set the start at the player's position), a broken rule shown inline
with the neighbour named, and two editors retiming the same cue (the conflict view). Each step
asserts the stored times, not only the page."""

from __future__ import annotations

import wave

import pytest
from django.core.files import File
from django.core.files.storage import default_storage

from tests.browser.test_csp_browser import Watch
from translator.core.cue_view import clock
from translator.models import Cue, Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cues(episode) -> list[Cue]:
    return list(
        Cue.objects.filter(segment__episode=episode, segment__kind=Segment.Kind.TRANSCRIPT)
        .select_related("segment")
        .order_by("segment__order", "index")
    )


def _target(episode) -> tuple[Cue, Cue]:
    """A cue of 2 to 5 s with 0.3 to 0.9 s of silence after it (room for the nudges, and the
    next cue within a 1 s step), and the cue after it."""
    cues = _cues(episode)
    for k in range(2, len(cues) - 1):
        gap = cues[k + 1].start_ms - cues[k].end_ms
        if 2000 <= cues[k].end_ms - cues[k].start_ms <= 5000 and 300 <= gap <= 900:
            return cues[k], cues[k + 1]
    raise AssertionError("no cue of 2 s in the sample")


def _wait_stored(page, cue: Cue, start: int, end: int) -> None:
    page.wait_for_function(
        "([id, s, e]) => { const r = document.getElementById('cue-' + id);"
        " return r && !r.classList.contains('cue-pending') && r.dataset.startMs === String(s)"
        " && r.dataset.endMs === String(e); }",
        arg=[cue.pk, start, end],
    )


def _focus(page, cue: Cue) -> None:
    page.click(f"#cue-{cue.pk} .c-num")
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === 'cue-' + id", arg=cue.pk
    )


def _wav(path, seconds: float) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * int(8000 * seconds))


def test_retime_by_keys(login, live_server, browser_users, browser_episode, settings, tmp_path):
    ep = browser_episode
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cue, nxt = _target(ep)
    s0, e0 = cue.start_ms, cue.end_ms
    wav = tmp_path / "tiny.wav"
    _wav(wav, e0 / 1000 + 5)
    with open(wav, "rb") as fh:
        ep.media_file.name = default_storage.save(f"episodes/{ep.pk}/a.wav", File(fh))
    ep.save(update_fields=["media_file"])

    page = login("tina")
    watch = Watch(page)  # the page and its script under the CSP: no violation, no page error
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.click("a.cue-view-link")
    page.wait_for_selector("#cues")
    page_no = 1 + [c.pk for c in _cues(ep)].index(cue.pk) // 100
    if page_no > 1:
        page.goto(f"{live_server.url}/episodes/{ep.pk}/cues/?page={page_no}")
    assert page.locator(f"#cue-{cue.pk} .c-start").inner_text() == clock(s0)

    # ] later start, Shift+] later end: one save for the burst of keys.
    _focus(page, cue)
    page.keyboard.press("BracketRight")
    page.keyboard.press("Shift+BracketRight")
    _wait_stored(page, cue, s0 + 100, e0 + 100)
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.timing, cue.version) == (s0 + 100, e0 + 100, "manual", 2)
    assert "hand-set" in page.locator(f"#cue-{cue.pk} .c-prov").inner_text()
    assert page.locator(f"#cue-{cue.pk} .c-dur").inner_text() == f"{(e0 - s0) / 1000:.3f}"

    # Alt+← moves the whole cue back; the page stays (no browser "back").
    page.keyboard.press("Alt+ArrowLeft")
    _wait_stored(page, cue, s0, e0)
    assert "/cues/" in page.url
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.version) == (s0, e0, 3)

    # Ctrl: 10 ms; Shift+[ earlier end.
    page.keyboard.press("Control+Shift+BracketLeft")
    _wait_stored(page, cue, s0, e0 - 10)
    assert Cue.objects.get(pk=cue.pk).end_ms == e0 - 10

    # S: the start at the player's position.
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.evaluate("t => { document.getElementById('player').currentTime = t; }", (s0 + 250) / 1000)
    page.wait_for_function(
        "t => Math.abs(document.getElementById('player').currentTime - t) < 0.002",
        arg=(s0 + 250) / 1000,
    )
    _focus(page, cue)
    page.keyboard.press("s")
    _wait_stored(page, cue, s0 + 250, e0 - 10)
    assert Cue.objects.get(pk=cue.pk).start_ms == s0 + 250

    # A broken rule: the end pushed into the next cue is refused inline, the neighbour named.
    page.select_option("#cue-step", "1000")
    _focus(page, cue)
    page.keyboard.press("Shift+BracketRight")
    page.wait_for_selector(f"#cue-{cue.pk}.cue-error")
    message = page.locator(f"#cue-{cue.pk} .c-msg [role=alert]").inner_text()
    row, no = nxt.segment.order + 1, nxt.index + 1
    assert message.startswith(f"Overlaps row {row}, cue {no} (")
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.version) == (s0 + 250, e0 - 10, 5)
    assert page.locator(f"#cue-{cue.pk}").get_attribute("data-end-ms") == str(e0 - 10)

    # ↓ goes to the next cue.
    _focus(page, cue)
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === 'cue-' + id", arg=nxt.pk
    )
    assert not watch.violations, watch.violations
    assert all(watch.documents.values()), watch.documents  # every page carried the policy


def test_two_editors_retiming_one_cue_get_the_conflict_view(
    login, live_server, browser_users, browser_episode
):
    ep = browser_episode
    cue, _nxt = _target(ep)
    s0, e0 = cue.start_ms, cue.end_ms
    page_no = 1 + [c.pk for c in _cues(ep)].index(cue.pk) // 100
    url = f"{live_server.url}/episodes/{ep.pk}/cues/?page={page_no}"
    tina, rei = login("tina"), login("rei")
    tina.goto(url)
    rei.goto(url)

    _focus(tina, cue)
    tina.keyboard.press("BracketRight")  # theirs: the start 100 ms later
    _wait_stored(tina, cue, s0 + 100, e0)

    _focus(rei, cue)  # rei's page still shows version 1
    rei.keyboard.press("Shift+BracketRight")  # yours: the end 100 ms later
    rei.wait_for_selector(f"#cue-{cue.pk}.cue-conflict")
    box = rei.locator(f"#cue-{cue.pk} .cue-conflict-box")
    assert box.locator("[data-which=theirs]").inner_text() == f"{clock(s0 + 100)}–{clock(e0)}"
    assert box.locator("[data-which=yours]").inner_text() == f"{clock(s0)}–{clock(e0 + 100)}"
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.version) == (s0 + 100, e0, 2)  # nothing overwritten

    # Overwrite with mine: saved over theirs.
    rei.click(f"#cue-{cue.pk} [data-choice=mine]")
    _wait_stored(rei, cue, s0, e0 + 100)
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.version) == (s0, e0 + 100, 3)

    # tina's page is now behind: her next nudge conflicts; keep theirs shows rei's times.
    _focus(tina, cue)
    tina.keyboard.press("BracketLeft")
    tina.wait_for_selector(f"#cue-{cue.pk}.cue-conflict")
    tina.click(f"#cue-{cue.pk} [data-choice=theirs]")
    _wait_stored(tina, cue, s0, e0 + 100)
    assert tina.locator(f"#cue-{cue.pk}.cue-conflict").count() == 0
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.version) == (s0, e0 + 100, 3)
