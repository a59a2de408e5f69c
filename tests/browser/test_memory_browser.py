"""Translation-memory suggestions in the review page, in a real headless Chromium: focusing a
row fetches its fuzzy matches with the Japanese difference marked; Ctrl+I takes the best one
as a normal, versioned edit; memory-filled rows have their own status colour."""

from __future__ import annotations

import pytest
from django.utils import timezone

from translator.core import tm
from translator.models import MemoryUnit, Segment, SegmentRevision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _unit(source: str, target: str) -> MemoryUnit:
    norm = tm.normalize(source)
    return MemoryUnit.objects.create(
        source_text=source,
        source_norm=norm,
        source_hash=tm.source_hash(norm),
        norm_len=len(norm),
        target_text=target,
        episode_title="Episode 11",
        approved_by_name="rei",
        approved_at=timezone.now(),
    )


def test_fuzzy_suggestion_taken_with_one_key(login, live_server, browser_users, browser_episode):
    ep = browser_episode
    rows = list(ep.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order"))
    target = next(s for s in rows[1:] if len(s.source_text) >= 12)
    # The memory holds a near-identical sentence: the last characters differ.
    near = target.source_text[:-3] + "でした。"
    unit = _unit(near, "A sentence from an approved episode.")
    assert tm.similarity(tm.normalize(near), tm.normalize(target.source_text)) >= 75
    memory_row = rows[0]
    Segment.objects.filter(pk=memory_row.pk).update(status=Segment.Status.MEMORY)

    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    assert page.locator(f"#seg-{memory_row.pk}.st-row-memory").count() == 1
    colour = page.eval_on_selector(
        f"#seg-{memory_row.pk} .badge[data-status]", "e => getComputedStyle(e).backgroundColor"
    )
    machine = page.eval_on_selector(
        f"#seg-{rows[2].pk} .badge[data-status]", "e => getComputedStyle(e).backgroundColor"
    )
    assert colour != machine  # memory rows have their own colour

    editor = page.locator(f"#seg-{target.pk} textarea.seg-editor")
    editor.click()
    sugg = page.locator(f"#tm-{target.pk} .tm-sugg[data-unit='{unit.pk}']")
    sugg.wait_for()
    assert "A sentence from an approved episode." in sugg.inner_text()
    assert int(sugg.get_attribute("data-score")) >= 75
    assert page.locator(f"#tm-{target.pk} .tm-src ins, #tm-{target.pk} .tm-src del").count() >= 1

    before = Segment.objects.get(pk=target.pk).version
    editor.focus()
    page.keyboard.press("Control+i")
    page.wait_for_function(
        "([id, text]) => { const t = document.querySelector('#seg-' + id + ' textarea');"
        " return t && t.defaultValue === text; }",
        arg=[target.pk, "A sentence from an approved episode."],
    )
    saved = Segment.objects.get(pk=target.pk)
    assert saved.text == "A sentence from an approved episode."
    assert saved.version == before + 1 and saved.status == Segment.Status.EDITED
    rev = saved.revisions.first()
    assert rev.action == SegmentRevision.Action.EDIT and rev.user.username == "tina"
    # Focus stays on the row, whose suggestion box is fresh (fetched again on focus).
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.closest('#seg-{target.pk}') !== null"
    )
