"""The track picker of the import preview in a real headless Chromium: a bilingual file's
tracks are listed with counts and samples, the Japanese is the source by default, another track
can be picked, and an English track can be imported as the existing English."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.models import Episode, Segment
from translator.services.importing import IMPORTED_ENGINE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "subtitles"


def _preview(page, live_server, path: Path) -> None:
    page.goto(f"{live_server.url}/episodes/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button[name=preview]")
    page.locator("table.import-tracks").wait_for()


def _tracks(page) -> list[list[str]]:
    rows = page.locator("table.import-tracks tbody tr")
    return [
        [c.strip() for c in rows.nth(k).locator("td").all_inner_texts()]
        for k in range(rows.count())
    ]


def test_pick_the_chinese_track_as_source(login, live_server, browser_users, artifacts):
    page = login("tina")
    _preview(page, live_server, FIXTURES / "radio_bilingual_jp_cn.ass")
    tracks = _tracks(page)
    assert [row[1] for row in tracks] == ["7", "7"]  # events per track
    assert "皆さんこんばんは" in tracks[0][3] and "大家晚上好" in tracks[1][3]  # samples
    chosen = page.locator("table.import-tracks tr.chosen")
    assert chosen.count() == 1 and "皆さんこんばんは" in chosen.inner_text()
    picker = page.locator("form.track-picker select[name=track]")
    assert picker.input_value() == "ja"  # the Japanese track is the source by default
    assert "皆さんこんばんは" in page.locator("table.preview-kinds").inner_text()

    picker.select_option("zh")
    page.click("button[name=retrack]")
    page.locator("table.import-tracks tr.chosen", has_text="大家晚上好").wait_for()
    assert page.locator("form.track-picker select[name=track]").input_value() == "zh"
    preview = page.locator("table.preview-kinds").inner_text()
    assert "大家晚上好" in preview and "皆さんこんばんは" not in preview
    page.screenshot(path=str(artifacts / "import-track-picker.png"), full_page=True)
    page.click("button[name=confirm]")
    page.wait_for_url(f"{live_server.url}/episodes/*/")

    episode = Episode.objects.order_by("-id").first()
    segments = list(episode.segments.order_by("order"))
    assert [s.source_text for s in segments] == [
        "大家晚上好",
        "本周也开始了",
        "开始了呢",
        "真的",
        "上周播出以后\u3000收到了很多来信",
        "全部都读了",
        "诶\u3000谢谢大家",
    ]
    assert [s.speaker_label for s in segments][:3] == ["美咲", "美咲", "千尋"]
    assert {s.status for s in segments} == {Segment.Status.UNTRANSLATED}
    assert episode.import_report["chosen_track"] == "zh"


def test_import_the_english_track_as_existing_english(login, live_server, browser_users, artifacts):
    page = login("tina")
    _preview(page, live_server, FIXTURES / "bilingual_top_bottom_en.ass")
    tracks = _tracks(page)
    assert [row[1] for row in tracks] == ["3", "3"]
    assert "Is this your first time in this town?" in tracks[1][3]
    assert page.locator("form.track-picker select[name=track]").input_value() == "ja"
    english = page.locator("select[name=english_track]")
    assert english.input_value() == ""  # nothing imported as English unless asked
    english.select_option("en")
    page.click("button[name=confirm]")
    page.wait_for_url(f"{live_server.url}/episodes/*/")

    episode = Episode.objects.order_by("-id").first()
    segments = list(episode.segments.order_by("order"))
    assert [(s.source_text, s.text) for s in segments] == [
        ("この町は初めてですか？", "Is this your first time in this town?"),
        ("はい\u3000先週引っ越してきました", "Yes, I moved here last week."),
        ("駅前の喫茶店がおすすめです", "I recommend the café by the station."),
    ]
    assert {s.status for s in segments} == {Segment.Status.EDITED}
    assert {s.machine_engine for s in segments} == {IMPORTED_ENGINE}
    assert episode.import_report["chosen_track"] == "ja"
