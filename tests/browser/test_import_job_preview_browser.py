"""A worker-previewed import in a real headless Chromium (a small ``JIMAKU_INLINE_IMPORT_BYTES``
forces the worker path): its preview has the track picker and the kind selects of the inline
preview, and the import follows what was picked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from translator.models import Episode, ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RADIO = Path(__file__).parents[1] / "fixtures" / "subtitles" / "radio_bilingual_jp_cn.ass"


def _worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_pick_a_track_and_kinds_in_the_worker_preview(
    login, live_server, browser_users, settings, artifacts
):
    settings.JIMAKU_INLINE_IMPORT_BYTES = 100  # the 2 KB fixture goes to the worker
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/import/")
    page.set_input_files("input[name=file]", str(RADIO))
    page.click("button[name=preview]")
    page.wait_for_selector("#import-job-panel[data-import-state=queued]")
    job = ImportJob.objects.get()

    _worker()  # the page follows by itself to the worker's preview
    page.wait_for_selector(".preview-card table.import-tracks", timeout=15_000)
    picker = page.locator("form.track-picker select[name=track]")
    assert picker.input_value() == "ja"
    assert "皆さんこんばんは" in page.locator("table.preview-kinds").inner_text()
    picker.select_option("zh")
    page.click("button[name=retrack]")
    page.wait_for_selector("#import-job-panel[data-import-state=queued]")
    assert page.url.endswith(f"/episodes/import/jobs/{job.pk}/")

    _worker()  # previewed again, with the Chinese track as the source
    page.locator("table.import-tracks tr.chosen", has_text="大家晚上好").wait_for(timeout=15_000)
    rows = page.locator("table.preview-kinds tbody tr")
    assert rows.count() == 4  # four turns
    last = rows.nth(3)
    assert "谢谢大家" in last.inner_text()
    last.locator("select").select_option("left_out")
    page.screenshot(path=str(artifacts / "import-job-preview-track.png"), full_page=True)
    page.click("button[name=confirm]")
    page.wait_for_selector("#import-job-panel[data-import-state=queued]")

    _worker()
    page.wait_for_url(f"{live_server.url}/episodes/*/", timeout=15_000)
    episode = Episode.objects.get()
    assert list(episode.segments.order_by("order").values_list("source_text", flat=True)) == [
        "大家晚上好",
        "本周也开始了",
        "开始了呢",
        "真的",
        "上周播出以后\u3000收到了很多来信",
        "全部都读了",
    ]
    assert episode.import_report["chosen_track"] == "zh"
