"""The review page's one list of keyboard shortcuts (translator/views/review_shortcuts.py): what
each role is offered, how keys are shown, and that every key has something to do (a review.js
handler, a drawer panel on the page, or a button of the row)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from translator.views.review_shortcuts import SHORTCUTS, key_caps, review_shortcuts

REVIEW_JS = Path(__file__).resolve().parents[2] / "translator/static/translator/review.js"
STATIC = REVIEW_JS.parent
GENERIC = {"panel", "click"}


def _labels(ctx: dict) -> list[str]:
    return [item["label"] for group in ctx["shortcut_groups"] for item in group["items"]]


def test_each_role_is_offered_its_own_keys():
    reviewer = review_shortcuts(can_edit=True, can_approve=True)
    translator = review_shortcuts(can_edit=True, can_approve=False)
    viewer = review_shortcuts(can_edit=False, can_approve=False)
    assert "Approve the row" in _labels(reviewer)
    assert "Save and approve, next row" in _labels(reviewer)
    assert "Save, next row" not in _labels(reviewer)
    assert "Approve the row" not in _labels(translator)
    assert "Save, next row" in _labels(translator)
    assert "Edit the row's English" not in _labels(viewer)
    assert "Next row" in _labels(viewer)
    # The panel lists exactly what the page binds, and the keys other scripts bind themselves.
    for ctx, can_edit in ((reviewer, True), (translator, True), (viewer, False)):
        by_script = [s for s in SHORTCUTS if s.script and (can_edit or s.needs != "edit")]
        assert len(_labels(ctx)) == len(ctx["shortcuts_json"]) + len(by_script)
    assert "Split the row" not in " ".join(_labels(viewer))


def test_keys_are_shown_as_on_the_keyboard():
    assert key_caps("Alt+ArrowDown") == ["Alt", "↓"]
    assert key_caps("Shift+f") == ["Shift", "F"]
    assert key_caps("Ctrl+Enter") == ["Ctrl", "Enter"]
    assert key_caps("j") == ["j"]
    assert key_caps("Escape") == ["Esc"]


def test_labels_are_translated():
    with translation.override("ja"):
        labels = _labels(review_shortcuts(can_edit=True, can_approve=True))
    assert "次の行" in labels and "行を承認" in labels
    assert not [label for label in labels if re.fullmatch(r"[A-Za-z ,'()/;:.-]+", label)]


def test_every_key_has_something_to_do():
    js = REVIEW_JS.read_text(encoding="utf-8")
    for s in SHORTCUTS:
        if s.script:  # bound by its own script: it handles the key
            assert (STATIC / s.script).is_file(), s
            continue
        if s.action == "panel":
            assert s.panel, s
        elif s.action == "click":
            assert s.click, s
        else:
            assert re.search(rf'handlers(\["{re.escape(s.action)}"\]|\.{s.action}\b)', js), s
    assert {s.action for s in SHORTCUTS} >= GENERIC
    # One key does one thing in one place (Escape's two entries share one handler).
    seen: dict[tuple[str, str], str] = {}
    for s in SHORTCUTS:
        for key in s.keys:
            for role in {"edit", "approve"} if s.needs in ("", "edit") else {s.needs}:
                action = seen.setdefault(
                    (key, role if s.needs != "edit-only" else "edit"), s.action
                )
                assert action == s.action or {action, s.action} == {"escape", "close"}, key


@pytest.mark.django_db
def test_the_page_has_each_panel_and_the_keys_script(client, reviewer_user, sample_episode):
    episode = sample_episode
    client.force_login(reviewer_user)
    page = client.get(reverse("translator:episode_detail", args=[episode.pk])).text
    panels = set(re.findall(r'<details class="tool[^"]*" data-drawer-panel="([\w-]+)"', page))
    wanted = {s.panel for s in SHORTCUTS if s.panel} - {"import-report"}  # only with a report
    assert wanted <= panels
    script = re.search(
        r'<script id="review-shortcuts" type="application/json">(.*?)</script>', page
    )
    bound = json.loads(script.group(1))
    assert {"action": "approve", "keys": ["a"], "where": "page"} in bound
    assert 'aria-keyshortcuts="3"' in page  # the glossary tab says its key
