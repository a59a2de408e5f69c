"""Browser fixtures: Playwright (sync API) against pytest-django's live server, with Debian's
chromium. Registered for every test package by tests/conftest.py (one definition, so one
session browser: a second sync_playwright() in the same thread fails).

pytest-playwright is not used: one session-scoped browser is launched here. The ORM is used from
the test while Playwright's sync loop runs, hence DJANGO_ALLOW_ASYNC_UNSAFE.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from translator.core.requests import ImportRequest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("JIMAKU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Waits are on a state the page reaches (never a fixed sleep), so a generous ceiling costs
# nothing when things work and keeps a slow CI machine (2 cores, other jobs) from failing.
PAGE_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000

__all__ = ["artifacts", "browser", "browser_episode", "browser_users", "login", "roles"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def roles(transactional_db):
    """The translator/reviewer groups (a transactional flush removes migration-made rows)."""
    from tests.conftest import ensure_groups

    ensure_groups()


@pytest.fixture
def browser_users(roles):
    from tests.conftest import make_user

    return {
        "reviewer": make_user("rei", group="reviewer"),
        "translator": make_user("tina", group="translator"),
    }


@pytest.fixture
def browser_episode(roles, sample_bytes):
    from translator.models import Segment
    from translator.services.importing import import_episode

    episode = import_episode(
        data=sample_bytes, request=ImportRequest(filename="sample_episode.txt")
    )
    # Pretend a machine translation ran, so rows have machine text to review.
    segments = list(episode.segments.order_by("order"))
    for seg in segments:
        seg.text = seg.machine_text = f"Machine sentence {seg.order + 1}."
        seg.status = Segment.Status.MACHINE
    Segment.objects.bulk_update(segments, ["text", "machine_text", "status"])
    return episode


def new_context(browser: Browser, **kwargs: object) -> BrowserContext:
    """A browser context with the suite's timeouts."""
    context = browser.new_context(**kwargs)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context


@pytest.fixture
def login(browser, live_server, transactional_db):
    """``login(username, viewport=...) -> page`` through the real login form.

    Depends on transactional_db so that its pages are closed BEFORE the database is flushed
    and blocked: a page left open would go on requesting (suggestions, polls) into the next
    test's setup."""
    contexts = []

    def _login(username: str, *, width: int = 1440, height: int = 900, bypass_csp: bool = False):
        # bypass_csp: for tests of escaping, which the Content-Security-Policy would mask.
        context = new_context(
            browser, viewport={"width": width, "height": height}, bypass_csp=bypass_csp
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", f"pw-{username}-123!")
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        return page

    yield _login
    for context in contexts:
        context.close()
