"""The waveform strip in a real headless Chromium: upload media, "computing waveform…" until the
worker has the peaks, then wavesurfer draws them (no fetch of the media itself) with the cues
as regions; a click seeks the player; the playing cue is highlighted and its row marked;
dragging a cue's edge retimes it through the cue view's retime endpoint (stored times change),
and a conflict or a broken timing rule snaps the cue back with a one-line message."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from tests.support.audio_episode import sample_transcript
from translator.core.requests import ImportRequest
from translator.models import Cue, WaveformPeaks
from translator.services import waveform
from translator.services.importing import import_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATE = 16_000


def cue_list(episode) -> list[Cue]:
    return list(
        Cue.objects.filter(segment__episode=episode, start_ms__isnull=False).order_by("start_ms")
    )


def tone_per_cue(path: Path, cues: list[Cue]) -> Path:
    """A tone while each cue is on (louder every other cue), silence in between."""
    n = (cues[-1].end_ms + 1500) * RATE // 1000
    signal = np.zeros(n, np.float32)
    for k, cue in enumerate(cues):
        lo, hi = cue.start_ms * RATE // 1000, cue.end_ms * RATE // 1000
        t = np.arange(hi - lo) / RATE
        signal[lo:hi] = (0.6 if k % 2 else 0.3) * np.sin(2 * np.pi * 220 * t)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((signal * 32767).astype("<i2").tobytes())
    return path


def episode_with_peaks(tmp_path: Path, user, *, title: str = "Cue view"):
    """An episode (4 turns) with a tone per cue attached by ``user`` and its peaks computed by
    the worker's job, as the cue view finds it; returns (episode, timed cues)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from translator.services import editing

    episode = import_episode(data=sample_transcript(4), request=ImportRequest(title=title))
    cues = cue_list(episode)
    data = tone_per_cue(tmp_path / "e.wav", cues).read_bytes()
    editing.attach_media_file(
        episode_id=episode.pk,
        upload=SimpleUploadedFile("e.wav", data, content_type="audio/wav"),
        user=user,
    )
    waveform.run_waveform_job(peaks_id=WaveformPeaks.objects.get(episode=episode).pk)
    return episode, cues


class Watch:
    """Console CSP violations and page errors, and every request the page makes."""

    def __init__(self, page) -> None:
        self.problems: list[str] = []
        self.requests: list[tuple[str, str]] = []
        page.on(
            "console",
            lambda m: self.problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"pageerror {e}"))
        page.on("request", lambda r: self.requests.append((r.resource_type, r.url)))


@pytest.fixture
def drawn(login, live_server, browser_users, settings, tmp_path):
    """An episode whose media was uploaded through the page and drawn by the strip."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    episode = import_episode(data=sample_transcript(4), request=ImportRequest(title="Waveform"))
    cues = cue_list(episode)
    wav = tone_per_cue(tmp_path / "episode.wav", cues)
    page = login("tina", width=1440)
    watch = Watch(page)
    page.goto(f"{live_server.url}/episodes/{episode.pk}/")
    page.click("details.tool summary:has-text('Media')")
    page.set_input_files("input[name=file]", str(wav))
    with page.expect_navigation():
        page.click("details.tool button[type=submit]:has-text('Attach')")
    page.wait_for_selector("text=Computing waveform…")
    # The worker computes the peaks; the strip, polling, swaps itself in and draws.
    waveform.run_waveform_job(peaks_id=WaveformPeaks.objects.get(episode=episode).pk)
    page.wait_for_function(
        "() => document.querySelector('#waveform') && "
        "document.querySelector('#waveform').dataset.ready === '1'",
        timeout=15_000,
    )
    return page, episode, cues, watch


def region(page, cue: Cue):
    return page.locator(f'#waveform [part~="cue-{cue.pk}"]')


def test_strip_draws_the_cues_and_a_click_seeks(drawn, artifacts, live_server):
    page, episode, cues, watch = drawn
    assert page.locator("#waveform").get_attribute("data-region-count") == str(len(cues))
    assert page.locator('#waveform [part~="region"]').count() == len(cues)
    # Regions sit where the cues are: left edges in the same order and proportion as the times.
    view = page.locator("#waveform").bounding_box()
    duration_s = page.evaluate("() => document.getElementById('player').duration")
    for cue in (cues[0], cues[len(cues) // 2], cues[-1]):
        box = region(page, cue).bounding_box()
        assert abs((box["x"] - view["x"]) / view["width"] * duration_s - cue.start_ms / 1000) < 0.3
    page.locator(".wf").screenshot(path=str(artifacts / "waveform-strip.png"))
    page.screenshot(path=str(artifacts / "waveform-review-page.png"))

    # A click seeks: the player's position follows the click.
    target = 0.62
    page.mouse.click(view["x"] + view["width"] * target, view["y"] + view["height"] * 0.8)
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('player').currentTime - {duration_s * target}) < 0.5"
    )
    # The cue under the player is highlighted, and its review row marked.
    cue = cues[5]
    page.evaluate(
        f"() => {{ document.getElementById('player').currentTime = {(cue.start_ms + 300) / 1000}; }}"
    )
    page.wait_for_function(
        f"() => document.getElementById('waveform').dataset.currentCue === '{cue.pk}'"
    )
    assert "wf-current" in page.locator(f"#seg-{cue.segment_id}").get_attribute("class")
    color = region(page, cue).evaluate("(el) => el.style.backgroundColor")
    assert "234, 88, 12" in color  # the current cue's colour

    # The picture came from the peaks: the media itself was never fetched by script.
    media_url = f"/episodes/{episode.pk}/media/file/"
    assert not [u for kind, u in watch.requests if media_url in u and kind in ("fetch", "xhr")]
    assert [u for kind, u in watch.requests if "/waveform/peaks/" in u and kind == "fetch"]
    assert watch.problems == []  # no CSP violation: wavesurfer's style carries the nonce


def _drag_edge(page, cue: Cue, side: str, dx: float) -> dict:
    handle = region(page, cue).locator(f'[part~="region-handle-{side}"]')
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_response(lambda r: f"/cues/{cue.pk}/retime/" in r.url) as info:
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(x + dx * step / 10, y)
        page.mouse.up()
    response = info.value
    return {"status": response.status, "json": response.json(), "request": response.request}


def _px_per_ms(page, cue: Cue) -> float:
    return region(page, cue).bounding_box()["width"] / (cue.end_ms - cue.start_ms)


def test_dragging_an_edge_retimes_the_cue(drawn, artifacts):
    page, episode, cues, watch = drawn
    cue = max(cues, key=lambda c: c.end_ms - c.start_ms)
    old_end = cue.end_ms
    result = _drag_edge(page, cue, "right", -400 * _px_per_ms(page, cue))
    assert result["status"] == 200, result["json"]
    form = result["request"].post_data
    assert f"version={cue.version}" in form and "start_ms=" in form and "end_ms=" in form
    assert result["request"].headers["accept"] == "application/json"
    cue.refresh_from_db()
    assert abs(cue.end_ms - (old_end - 400)) <= 60, (old_end, cue.end_ms)
    assert cue.timing == Cue.Timing.MANUAL and cue.version == 2
    assert result["json"]["end_ms"] == cue.end_ms and result["json"]["version"] == 2
    page.wait_for_selector(".wf-msg:has-text('Cue retimed')")
    # A second drag of the same cue sends the new version.
    result = _drag_edge(page, cue, "left", 150 * _px_per_ms(page, cue))
    assert result["status"] == 200 and "version=2" in result["request"].post_data
    cue.refresh_from_db()
    assert cue.version == 3
    assert watch.problems == []


def test_a_conflict_or_a_broken_rule_snaps_the_cue_back(drawn):
    from tests.conftest import make_user
    from translator.services import timing_edit

    page, episode, cues, watch = drawn
    # Someone else retimes the cue after the page was opened.
    cue = cues[3]
    other = make_user("rei2", group="reviewer")
    timing_edit.retime_cue(
        cue_id=cue.pk,
        start_ms=cue.start_ms + 200,
        end_ms=cue.end_ms,
        base_version=cue.version,
        user=other,
        episode_id=episode.pk,
    )
    theirs = Cue.objects.get(pk=cue.pk)
    result = _drag_edge(page, cue, "right", -300 * _px_per_ms(page, cue))
    assert result["status"] == 409
    page.wait_for_selector(".wf-msg.wf-msg-bad")
    assert Cue.objects.get(pk=cue.pk).end_ms == theirs.end_ms  # theirs kept
    # The region now shows the saved times (theirs), not the dragged ones.
    view = page.locator("#waveform").bounding_box()
    duration_s = page.evaluate("() => document.getElementById('player').duration")
    box = region(page, cue).bounding_box()
    right_s = (box["x"] + box["width"] - view["x"]) / view["width"] * duration_s
    assert abs(right_s - theirs.end_ms / 1000) < 0.15

    # Dragging a cue's end over the next cue breaks the no-overlap rule: refused, snapped back.
    cue, nxt = cues[6], cues[7]
    before = (cue.start_ms, cue.end_ms, cue.version)
    over = (nxt.start_ms - cue.end_ms + 500) * _px_per_ms(page, cue)
    result = _drag_edge(page, cue, "right", over)
    assert result["status"] == 400 and result["json"]["error"]
    message = page.locator(".wf-msg").inner_text()
    assert message == result["json"]["error"] and "\n" not in message
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.version) == before
    box = region(page, cue).bounding_box()
    right_s = (box["x"] + box["width"] - view["x"]) / view["width"] * duration_s
    assert abs(right_s - cue.end_ms / 1000) < 0.15
    assert watch.problems == []


def test_cue_view_strip_follows_a_jump_and_marks_the_cue_row(
    login, live_server, browser_users, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    episode, cues = episode_with_peaks(tmp_path, browser_users["translator"])
    page = login("tina", width=1280)
    watch = Watch(page)
    page.goto(f"{live_server.url}/episodes/{episode.pk}/cues/")
    page.wait_for_function("() => document.querySelector('#waveform')?.dataset.ready === '1'")
    for _ in range(4):  # zoomed in to 320 px/s: the strip scrolls
        page.click(".wf-zoom[data-zoom=in]")
    last = cues[-1]
    assert not region(page, last).is_visible()  # off to the right (not even in the DOM)
    page.evaluate(
        f"() => {{ document.getElementById('player').currentTime = {(last.start_ms + 200) / 1000}; }}"
    )
    page.wait_for_function(
        f"() => document.getElementById('waveform').dataset.currentCue === '{last.pk}'"
    )
    page.wait_for_function(
        f"() => document.getElementById('cue-{last.pk}').classList.contains('wf-current')"
    )
    view = page.locator("#waveform").bounding_box()
    region(page, last).wait_for(state="visible")
    box = region(page, last).bounding_box()
    assert view["x"] <= box["x"] <= view["x"] + view["width"]  # brought into view
    assert watch.problems == []
