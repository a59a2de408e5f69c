"""Login throttling (django-axes, translator/services/accounts.py) on the app login and the
admin login, with clients behind the documented reverse proxy (127.0.0.1, X-Forwarded-For)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import make_user
from translator.services.accounts import client_ip

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed logins"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """Dozens of logins per test: a cheap hasher (the throttle does not depend on it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _login(client, username, password, *, via=None, remote=None, path=None):
    extra = {}
    if via:  # through the proxy on 127.0.0.1, which appends the address it saw
        extra["HTTP_X_FORWARDED_FOR"] = via
    if remote:
        extra["REMOTE_ADDR"] = remote
    return client.post(
        path or reverse("login"), {"username": username, "password": password}, **extra
    )


def _failures(**filters) -> int:
    return (
        AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0
    )


def test_app_login_locks_after_the_limit_with_a_clear_page(client, translator_user):
    for _ in range(4):
        r = _login(client, "tina", "wrong", via="203.0.113.7")
        assert r.status_code == 200 and LOCKED not in r.text
    r = _login(client, "tina", "wrong", via="203.0.113.7")
    assert r.status_code == 429
    assert LOCKED in r.text and "15 minutes" in r.text and "<html" in r.text
    # Even the right password is refused while locked, and is not counted.
    r = _login(client, "tina", "pw-tina-123!", via="203.0.113.7")
    assert r.status_code == 429 and LOCKED in r.text
    assert "_auth_user_id" not in client.session
    assert _failures(username="tina") == 5


def test_admin_login_is_throttled(client, staff_user):
    admin_login = "/admin/login/?next=/admin/"
    for _ in range(5):
        r = _login(client, "sam", "wrong", via="203.0.113.8", path=admin_login)
    assert r.status_code == 429 and LOCKED in r.text
    r = _login(client, "sam", "pw-sam-123!", via="203.0.113.8", path=admin_login)
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    # The two login pages share the count: the app login is locked for sam as well.
    r = _login(client, "sam", "pw-sam-123!", via="203.0.113.8")
    assert r.status_code == 429


def test_guesses_spread_over_usernames_are_limited_per_address(client, translator_user, settings):
    for i in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
        _login(client, f"someone{i}", "wrong", via="198.51.100.9")
    r = _login(client, "tina", "pw-tina-123!", via="198.51.100.9")
    assert r.status_code == 429
    # Other addresses are not affected.
    assert _login(client, "tina", "pw-tina-123!", via="198.51.100.10").status_code == 302


def test_guesses_spread_over_addresses_are_limited_per_username(client, translator_user, settings):
    # tina has logged in from her office address before.
    assert _login(client, "tina", "pw-tina-123!", via="192.0.2.50").status_code == 302
    client.logout()
    per_pair = settings.LOGIN_MAX_FAILURES
    addresses = settings.LOGIN_MAX_FAILURES_PER_USERNAME // per_pair
    for a in range(addresses):
        for _ in range(per_pair):
            _login(client, "tina", "wrong", via=f"203.0.113.{100 + a}")
    assert _failures(username="tina") == settings.LOGIN_MAX_FAILURES_PER_USERNAME
    # A fresh address is refused even with the right password ...
    assert _login(client, "tina", "pw-tina-123!", via="203.0.113.250").status_code == 429
    # ... but tina still gets in from the address she has logged in from before.
    assert _login(client, "tina", "pw-tina-123!", via="192.0.2.50").status_code == 302


def test_an_anonymous_attacker_cannot_lock_a_user_out(client, translator_user, settings):
    """Five (or fifty) wrong passwords from one address behind the proxy lock that address
    for that user, not the user: tina logs in from her own address."""
    for _ in range(50):
        _login(client, "tina", "wrong", via="203.0.113.66")
    assert _failures(username="tina") < settings.LOGIN_MAX_FAILURES_PER_USERNAME
    r = _login(client, "tina", "pw-tina-123!", via="192.0.2.10")
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(translator_user.pk)


def test_client_supplied_forwarded_for_is_ignored_behind_the_proxy(client, translator_user):
    """The proxy appends the address it saw; what the client wrote further left changes
    nothing: the attempts are all counted under the real address."""
    for i in range(5):
        r = _login(client, "tina", "wrong", via=f"10.9.9.{i}, 203.0.113.7")
    assert r.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_forwarded_for_from_a_non_proxy_address_is_not_trusted(client, translator_user):
    for i in range(5):
        r = _login(client, "tina", "wrong", remote="198.51.100.20", via=f"203.0.113.{i}")
    assert r.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    r = _login(client, "tina", "pw-tina-123!", remote="198.51.100.20", via="192.0.2.1")
    assert r.status_code == 429


def test_success_clears_that_username_and_address_only(client, translator_user, settings):
    for _ in range(4):
        _login(client, "tina", "wrong", via="203.0.113.7")
    for i in range(3):
        _login(client, f"other{i}", "wrong", via="203.0.113.7")
    assert _login(client, "tina", "pw-tina-123!", via="203.0.113.7").status_code == 302
    client.logout()
    assert _failures(username="tina") == 0
    # The address keeps the other usernames' failures (an insider cannot reset them by logging
    # in with their own account between guesses).
    assert _failures(ip_address="203.0.113.7") == 3
    # And the right password was never counted as a failure.
    assert _login(client, "tina", "pw-tina-123!", via="203.0.113.7").status_code == 302


def test_window_comes_from_the_environment_variables(settings):
    assert settings.AXES_COOLOFF_TIME.total_seconds() == settings.LOGIN_FAILURE_WINDOW_S
    assert settings.AXES_FAILURE_LIMIT == settings.LOGIN_MAX_FAILURES


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("127.0.0.1", "", "127.0.0.1"),  # a local connection, no proxy header
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # client's own entry ignored
        ("127.0.0.1", "203.0.113.7, 127.0.0.1", "203.0.113.7"),  # a second trusted hop
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),
        ("127.0.0.1", "6.6.6.6, garbage", "127.0.0.1"),
        ("::1", "203.0.113.7:51234", "203.0.113.7"),
        ("198.51.100.20", "203.0.113.7", "198.51.100.20"),  # not from the proxy: not trusted
        ("127.0.0.1", "2001:db8:1:2:aaaa::1", "2001:db8:1:2::"),  # IPv6 counted per /64
        ("127.0.0.1", "[2001:db8:1:2:bbbb::9]:443", "2001:db8:1:2::"),
        ("::ffff:198.51.100.3", "", "198.51.100.3"),
    ],
)
def test_client_address(remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_trusted_proxies_are_configurable(settings):
    settings.JIMAKU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    via_lb = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(via_lb) == "203.0.113.9"
    local = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(local) == "127.0.0.1"


def test_limits_follow_settings(client, settings):
    make_user("uma")
    settings.LOGIN_MAX_FAILURES = 2
    _login(client, "uma", "wrong", via="203.0.113.5")
    assert _login(client, "uma", "wrong", via="203.0.113.5").status_code == 429


def test_lockout_page_in_japanese(client, translator_user, settings):
    settings.LOGIN_MAX_FAILURES = 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    r = _login(client, "tina", "wrong", via="203.0.113.5")
    assert r.status_code == 429
    assert "ログインの失敗が多すぎます" in r.text and "15 分" in r.text
