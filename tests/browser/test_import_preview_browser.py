"""The import preview in a real headless Chromium: left-out lines are listed, a paragraph's kind
is changed with its select, and the import follows the choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.models import Episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGE = Path(__file__).parents[1] / "fixtures" / "transcripts" / "podcast_page.txt"


def test_change_kinds_in_the_preview_then_import(login, live_server, browser_users, artifacts):
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/import/")
    page.set_input_files("input[name=file]", str(PAGE))
    page.click("button[name=preview]")
    rows = page.locator("table.preview-kinds tbody tr")
    assert rows.count() == 16  # 9 paragraphs and 7 left-out lines
    footer = page.locator("tr.row-left-out", has_text="毎週金曜日に配信しています。")
    assert footer.locator("select").input_value() == "left_out"
    assert page.locator("select[name=kind-6]").input_value() == "description"
    footer.locator("select").select_option("description")  # keep the footer's blurb
    page.locator("select[name=kind-19]").select_option("left_out")  # drop one turn
    page.screenshot(path=str(artifacts / "import-preview-kinds.png"), full_page=True)
    page.click("button[name=confirm]")
    page.wait_for_url(f"{live_server.url}/episodes/*/")
    episode = Episode.objects.order_by("-id").first()
    texts = dict(episode.segments.values_list("source_text", "kind"))
    assert texts["毎週金曜日に配信しています。"] == "description"
    assert "どうも、森です。" not in texts
    assert texts["今回はメッセージアプリの移り変わりがテーマです。"] == "description"
    assert page.locator("#h-description").is_visible()
