"""A waveform drag retimes a cue and its row shows the new times without a reload (branch
jareplace): the review row's time label (the English being edited left alone) and, on the cue
view, the cue's row. Real headless Chromium, real retime endpoint."""

from __future__ import annotations

import pytest

from tests.browser.test_waveform_browser import (  # noqa: F401 - fixture `drawn`
    Watch,
    _drag_edge,
    _px_per_ms,
    drawn,
    episode_with_peaks,
    region,
)
from translator.core.transcript import format_timestamp
from translator.models import Cue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _first_cue_to_drag(cues: list[Cue]) -> Cue:
    """The longest cue that opens its segment, early enough to be in view."""
    firsts = [c for c in cues if c.index == 0 and c.end_ms < 40_000]
    return max(firsts, key=lambda c: c.end_ms - c.start_ms)


def _later_second(cue: Cue) -> int:
    """How far to move the start so that its mm:ss label changes."""
    return 1000 - cue.start_ms % 1000 + 150


def test_drag_on_the_waveform_updates_the_review_rows_time(drawn, artifacts):  # noqa: F811
    page, episode, cues, watch = drawn
    cue = _first_cue_to_drag(cues)
    row = page.locator(f"#seg-{cue.segment_id}")
    assert row.locator(".seg-time").inner_text() == format_timestamp(cue.start_ms)
    # An English being typed in that row (not saved) stays as it is.
    editor = row.locator("textarea.seg-editor")
    editor.click()
    editor.fill("Unsaved English.")
    shift = _later_second(cue)
    result = _drag_edge(page, cue, "left", shift * _px_per_ms(page, cue))
    assert result["status"] == 200, result["json"]
    cue.refresh_from_db()
    assert cue.start_ms == result["json"]["start_ms"]
    label = format_timestamp(cue.start_ms)
    assert label != format_timestamp(cue.start_ms - shift)
    page.wait_for_function(
        "([id, label]) => { const t = document.querySelector('#seg-' + id + ' .seg-time');"
        " return t && t.textContent === label; }",
        arg=[cue.segment_id, label],
    )
    assert row.get_attribute("data-start-ms") == str(cue.start_ms)
    assert row.locator(".seg-time").get_attribute("data-seek-ms") == str(cue.start_ms)
    assert editor.input_value() == "Unsaved English."
    page.screenshot(path=str(artifacts / "row_time_after_drag.png"))
    assert watch.problems == []


def test_drag_on_the_cue_views_waveform_updates_the_cue_row(
    login, live_server, browser_users, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    episode, cues = episode_with_peaks(tmp_path, browser_users["translator"])
    page = login("tina", width=1440)
    watch = Watch(page)
    page.goto(f"{live_server.url}/episodes/{episode.pk}/cues/")
    page.wait_for_function("() => document.querySelector('#waveform')?.dataset.ready === '1'")
    cue = _first_cue_to_drag(cues)
    region(page, cue).wait_for(state="visible")
    result = _drag_edge(page, cue, "left", _later_second(cue) * _px_per_ms(page, cue))
    assert result["status"] == 200, result["json"]
    cue.refresh_from_db()
    ms = cue.start_ms
    clock = f"00:{ms // 60000:02d}:{ms % 60000 // 1000:02d}.{ms % 1000:03d}"
    page.wait_for_function(
        "([id, clock]) => { const r = document.getElementById('cue-' + id);"
        " return r && r.querySelector('.c-start').textContent === clock; }",
        arg=[cue.pk, clock],
    )
    assert page.locator(f"#cue-{cue.pk}").get_attribute("data-start-ms") == str(ms)
    assert page.locator(f"#cue-{cue.pk}").get_attribute("data-version") == str(cue.version)
    assert watch.problems == []
