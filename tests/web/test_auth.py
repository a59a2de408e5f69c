"""Authentication and roles (the login throttle: test_login_throttle.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

pytestmark = pytest.mark.django_db

PRIVATE_URLS = [
    "/",
    "/episodes/import/",
    "/engines/",
    "/episodes/1/",
    "/episodes/1/jobs/panel/",
    "/admin/",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_anonymous_requests_redirect_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or response["Location"].startswith(
        "/admin/login/"
    )


def test_anonymous_htmx_post_is_refused(client):
    response = client.post("/episodes/1/jobs/start/", {"engine": "argos"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_login_page_is_public_and_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_language_can_be_switched_on_the_login_page(client):
    login_page = client.get(reverse("login"))
    assert 'action="/i18n/setlang/"' in login_page.text
    response = client.post("/i18n/setlang/", {"language": "ja", "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = client.get(reverse("login"))
    assert "ログイン" in page.text
    assert '<html lang="ja"' in page.text


def test_groups_created_by_migration():
    translator = Group.objects.get(name="translator")
    reviewer = Group.objects.get(name="reviewer")
    t_perms = set(translator.permissions.values_list("codename", flat=True))
    r_perms = set(reviewer.permissions.values_list("codename", flat=True))
    assert "change_segment" in t_perms
    assert "approve_segment" not in t_perms
    assert {"approve_segment", "publish_episode", "change_segment"} <= r_perms


def test_login_and_logout(client, translator_user):
    response = client.post(
        reverse("login"), {"username": "tina", "password": "pw-tina-123!"}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].is_authenticated
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_user_without_group_cannot_import(client, plain_user):
    client.force_login(plain_user)
    assert client.get("/episodes/import/").status_code == 403
