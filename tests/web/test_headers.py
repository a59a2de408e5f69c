"""Response headers on every page kind: the Content-Security-Policy (django-csp) and
Cache-Control for logged-in pages. Plus a scan of the templates for inline script, which the
policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import make_user
from translator.models import Segment

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "translator" / "templates", ROOT / "translator" / "jinja2"]


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _assert_strict_csp(response, where: str) -> None:
    policy = response.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {where}"
    d = _directives(policy)
    assert d["script-src"] == ["'self'"], (where, policy)
    assert d["default-src"] == ["'self'"] and d["object-src"] == ["'none'"], where
    assert d["frame-ancestors"] == ["'none'"] and d["base-uri"] == ["'none'"], where
    assert "'unsafe-inline'" not in d["style-src"], where


@pytest.fixture
def pages(sample_episode, reviewer_user, staff_user):
    seg = sample_episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).first()
    sample_episode.published = True
    sample_episode.save(update_fields=["published"])
    ep = sample_episode.pk
    return {
        "episode list": "/",
        "import": "/episodes/import/",
        "engines": "/engines/",
        "episode page": f"/episodes/{ep}/",
        "job panel": f"/episodes/{ep}/jobs/panel/",
        "row": f"/segments/{seg.pk}/row/",
        "history": f"/segments/{seg.pk}/history/",
        "export": f"/episodes/{ep}/export/?format=srt",
        "public page": f"/p/{sample_episode.public_id}/",
    }


def test_every_page_kind_carries_the_csp(client, pages, reviewer_user, staff_user):
    # Anonymous: login page, admin login, the public page, a 404, a login redirect.
    for where in ["/accounts/login/", "/admin/login/", pages["public page"], "/nope/", "/"]:
        response = client.get(where)
        assert response.status_code in (200, 302, 404), where
        _assert_strict_csp(response, where)
    client.force_login(reviewer_user)
    for name, url in pages.items():
        response = client.get(url, HTTP_HX_REQUEST="true" if name in ("row", "history") else "")
        assert response.status_code == 200, (name, response.status_code)
        _assert_strict_csp(response, name)
    client.force_login(staff_user)
    for url in ["/admin/", "/admin/translator/segment/", "/admin/auth/user/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict_csp(response, url)


def test_lockout_page_carries_the_csp(client, translator_user, settings):
    settings.LOGIN_MAX_FAILURES = 1
    response = client.post(reverse("login"), {"username": "tina", "password": "wrong"})
    assert response.status_code == 429
    _assert_strict_csp(response, "lock-out page")


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
_HX_ON = re.compile(r"\shx-on[:-]", re.IGNORECASE)
_JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_templates_have_no_inline_script():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for pattern in (_INLINE_SCRIPT, _HANDLER, _HX_ON, _JS_URL):
                found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
            if "<style" in text.lower():
                found.append(f"{path.relative_to(ROOT)}: <style> element")
    assert not found, found


# --- Cache-Control ----------------------------------------------------------------------------


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("role", ["translator", "reviewer"])
def test_logged_in_pages_are_private_and_not_stored(client, pages, role):
    client.force_login(make_user(f"{role}-cc", group=role))
    for name, url in pages.items():
        if name == "public page":
            continue
        response = client.get(url, HTTP_HX_REQUEST="true" if name in ("row", "history") else "")
        assert response.status_code == 200, (name, response.status_code)
        cc = _cache_control(response)
        assert "private" in cc and "public" not in cc, (name, cc)
        if response["Content-Type"].startswith("text/html"):
            assert "no-store" in cc, (name, cc)


def test_logged_in_redirects_and_refusals_are_private(client, plain_user, sample_episode):
    client.force_login(plain_user)
    response = client.get(f"/episodes/{sample_episode.pk}/")
    assert response.status_code == 403
    assert "private" in _cache_control(response)


def test_public_page_is_left_as_it_is(client, pages, reviewer_user):
    anonymous = client.get(pages["public page"])
    client.force_login(reviewer_user)
    logged_in = client.get(pages["public page"])
    for response in (anonymous, logged_in):
        assert response.status_code == 200
        assert "private" not in _cache_control(response)
        assert "no-store" not in _cache_control(response)
