"""Settings: production mode passes ``check --deploy``; bad configuration fails clearly."""

from __future__ import annotations

import os
import subprocess

from tests.support.processes import run_manage


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    if "DATABASE_URL" not in env:  # these tests are about the default (SQLite) settings
        full_env.pop("DATABASE_URL", None)
    return run_manage(*args, env=full_env)


def test_production_settings_pass_check_deploy(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-test-0123456789",
            "DJANGO_ALLOWED_HOSTS": "jimaku.example.org",
            "JIMAKU_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_fails_with_one_line(tmp_path):
    result = _manage(
        "check",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "jimaku.example.org",
            "JIMAKU_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_generates_a_secret_key_once(tmp_path):
    env = {"DJANGO_DEBUG": "1", "JIMAKU_DATA_DIR": str(tmp_path)}
    assert _manage("check", env=env).returncode == 0
    key = (tmp_path / ".secret_key").read_text()
    assert len(key) >= 50
    assert _manage("check", env=env).returncode == 0
    assert (tmp_path / ".secret_key").read_text() == key


def test_sqlite_runs_in_wal_mode(tmp_path):
    env = {"DJANGO_DEBUG": "1", "JIMAKU_DATA_DIR": str(tmp_path)}
    result = _manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["wal", "20000"]


def test_bad_trusted_proxy_fails_with_one_line(tmp_path):
    env = {"DJANGO_DEBUG": "1", "JIMAKU_DATA_DIR": str(tmp_path), "JIMAKU_TRUSTED_PROXIES": "nginx"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "JIMAKU_TRUSTED_PROXIES: 'nginx' is not an IP address or network." in result.stderr
