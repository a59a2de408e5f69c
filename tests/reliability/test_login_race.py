"""Parallel wrong passwords against a real server: exactly the limit get their password checked.

A threaded ``manage.py runserver`` on a file-backed SQLite database (as in test_load.py); 15
clients fetch the login form, wait at a barrier and post a wrong password for the same user at
once, then one more posts the right password. Before django-axes with the serialized
check-and-count (translator/services/accounts.py), the old counter checked 7 of 15 and
stock axes all 15 (measured) where 5 were allowed.
"""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.reliability.test_load import ROOT, _free_port, _manage, _NoRedirect, _wait_until_up

pytestmark = [pytest.mark.slow]

PARALLEL = 15
SETUP = 'from django.contrib.auth.models import User\nUser.objects.create_user("tina", password="pw-tina-123!")'
COUNT = (
    "from axes.models import AccessAttempt\nfrom django.db.models import Sum\n"
    'print("FAILURES", AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"])'
)


class _Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def open_form(self) -> None:
        self.opener.open(self.base + "/accounts/login/", timeout=30).read()

    def post(self, password: str) -> int:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode(
            {"username": "tina", "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=body)
        try:
            with self.opener.open(request, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code


def test_parallel_wrong_passwords_are_counted_exactly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JIMAKU_"))}
    env.update(DJANGO_DEBUG="1", JIMAKU_DATA_DIR=str(tmp_path / "data"))
    env.pop("DATABASE_URL", None)
    _manage(env, "migrate", "-v", "0")
    _manage(env, "shell", "-c", SETUP)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "server.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base, proc)
        clients = [_Client(base) for _ in range(PARALLEL)]
        for c in clients:
            c.open_form()
        barrier = threading.Barrier(PARALLEL)
        statuses: list[int] = []

        def attack(c: _Client) -> None:
            barrier.wait(30)
            statuses.append(c.post("wrong"))

        threads = [threading.Thread(target=attack, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        late = _Client(base)
        late.open_form()
        right_password = late.post("pw-tina-123!")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    assert len(statuses) == PARALLEL and set(statuses) <= {200, 429}, statuses
    # Each attempt let through to the password check counted one failure before the check.
    failures = int(_manage(env, "shell", "-c", COUNT).split("FAILURES ")[1].split()[0])
    assert failures == 5, f"{failures} of {PARALLEL} parallel attempts were checked"
    assert statuses.count(429) >= PARALLEL - 5
    assert right_password == 429
    assert " 500 " not in (tmp_path / "server.log").read_text(errors="replace")
