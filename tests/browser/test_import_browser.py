"""A large import in a real headless Chromium: the upload returns at once to a progress page,
the worker previews it, the page follows by itself to the preview, then to the new episode."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from translator.models import Episode, ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_large_import_follows_the_worker(login, live_server, browser_users, sample_bytes, settings):
    settings.JIMAKU_INLINE_IMPORT_BYTES = 2000  # the sample (~10 KB) goes to the worker
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/import/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "big.txt", "mimeType": "text/plain", "buffer": sample_bytes}],
    )
    page.click("button[name=preview]")
    page.wait_for_selector("#import-job-panel[data-import-state=queued]")
    assert "Waiting for the worker" in page.inner_text("#import-job-panel")
    job = ImportJob.objects.get()
    assert page.url.endswith(f"/episodes/import/jobs/{job.pk}/")

    _worker()  # the panel polls, sees the preview is ready and reloads the page to it
    page.wait_for_selector(".preview-card", timeout=15_000)
    assert "sentences" in page.inner_text(".preview-card")
    assert not Episode.objects.exists()

    page.click("button[name=confirm]")
    page.wait_for_selector("#import-job-panel[data-import-state=queued]")
    _worker()
    page.wait_for_url(f"{live_server.url}/episodes/*/", timeout=15_000)
    episode = Episode.objects.get()
    assert page.url == f"{live_server.url}/episodes/{episode.pk}/"
    assert "Imported" in page.inner_text("body")
