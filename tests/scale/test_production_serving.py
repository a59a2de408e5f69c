"""Production mode behind gunicorn: the login page and whitenoise-served static files.

The README's deployment recipe, run for real: DJANGO_DEBUG=0, migrate, collectstatic, gunicorn
on 127.0.0.1 with two workers; requests made as the reverse proxy would (X-Forwarded-Proto).
"""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.scale.harness import ROOT, free_port, wait_for
from tests.support.processes import run_manage

pytestmark = [pytest.mark.scale]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def _gunicorn() -> list[str]:
    script = Path(sys.executable).parent / "gunicorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]


@pytest.fixture
def production_server(tmp_path: Path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "JIMAKU_", "PYTEST_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="test-only-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        JIMAKU_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'jimaku.sqlite3'}",
    )
    for args in (("migrate", "--noinput", "-v", "0"), ("collectstatic", "--noinput", "-v", "0")):
        done = run_manage(*args, env=env)
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [*_gunicorn(), "project.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
        try:
            return _get(base + "/accounts/login/")[0] == 200
        except OSError:
            return False

    try:
        wait_for(up, timeout_s=60, interval_s=0.1, what="gunicorn")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_gunicorn_serves_login_page_and_static_files(production_server):
    base = production_server
    status, headers, body = _get(base + "/accounts/login/")
    assert status == 200
    assert b'name="password"' in body
    # Hashed file names from the manifest storage, served by whitenoise.
    css = re.search(rb'href="(/static/translator/app\.[0-9a-f]{12}\.css)"', body)
    assert css, body[:2000]
    status, headers, static_body = _get(base + css.group(1).decode(), {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    assert headers.get("Content-Encoding") == "gzip"
    original = (ROOT / "translator" / "static" / "translator" / "app.css").read_bytes()
    assert gzip.decompress(static_body) == original
    # Unhashed name: still served, but cached briefly (it can change with the next deploy).
    status, headers, _ = _get(base + "/static/translator/app.css")
    assert status == 200 and "immutable" not in headers.get("Cache-Control", "")


def test_production_mode_behind_a_tls_proxy(production_server):
    base = production_server
    proxied = {"X-Forwarded-Proto": "https"}
    status, headers, _ = _get(base + "/", proxied)
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
    status, headers, _ = _get(base + "/accounts/login/", proxied)
    assert status == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "secure" in headers["Set-Cookie"].lower()
    assert headers["X-Frame-Options"] == "DENY"
    # Unknown Host header: refused (ALLOWED_HOSTS).
    assert _get(base + "/accounts/login/", {"Host": "evil.example"})[0] == 400
