"""Shared helpers for the benchmark script: time a callable, report ratios to a baseline.

Every figure is the median of several runs, set against a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    section: str  # e.g. "Segmentation"
    name: str  # what was measured
    value: float  # the measurement (seconds unless ``unit`` says otherwise)
    unit: str = "s"
    baseline_name: str = ""
    baseline_value: float | None = None
    goal: str = ""  # e.g. "<= 1.10x"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        return self.value / self.baseline_value


def median_time(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# --- a real server and concurrent editors (bench_review, bench_cue_view) ----------------------


def setup_django(prefix: str) -> None:
    """Django on a throwaway SQLite file database (``JIMAKU_DATA_DIR`` / ``DATABASE_URL`` set
    before Django is set up), migrated. A no-op for the settings when already configured (the
    bench runner runs several modules in one process)."""
    import os
    import tempfile
    from pathlib import Path

    import django
    from django.conf import settings

    if not settings.configured:
        tmp = Path(tempfile.mkdtemp(prefix=prefix))
        os.environ["JIMAKU_DATA_DIR"] = str(tmp)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_DEBUG", "1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
        os.environ.setdefault("JIMAKU_LOG_LEVEL", "WARNING")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    """A logged-in session for ``user``, as its ``sessionid`` cookie value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def editor_headers(cookie: str, *, htmx: bool = True, accept: str = "") -> dict[str, str]:
    """Request headers of a logged-in editor posting a form (CSRF cookie and token)."""
    import secrets

    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    headers = {
        "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
        "Host": "localhost",
    }
    if htmx:
        headers["HX-Request"] = "true"
    if accept:
        headers["Accept"] = accept
    return headers


class runserver:  # noqa: N801 - used as a context manager, like open()
    """``with runserver() as port:`` Django's server in a child process on a free loopback
    port, on this process's database (SQLite file, WAL), stopped on exit."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = None

    def __enter__(self) -> int:
        import os
        import socket
        import subprocess
        import sys
        from pathlib import Path

        from django.conf import settings

        env = dict(os.environ)
        env["DATABASE_URL"] = f"sqlite:///{settings.DATABASES['default']['NAME']}"
        env["JIMAKU_DATA_DIR"] = str(settings.DATA_DIR)
        env["DJANGO_DEBUG"] = "1"
        env["JIMAKU_LOG_LEVEL"] = "WARNING"
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self.port
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__(None, None, None)
                    raise RuntimeError("runserver did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        import subprocess

        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run_editors(
    loop: Callable[..., None], args: list[tuple], *, think_s: float
) -> tuple[list[float], list[str], float]:
    """Run ``loop(*args[i], latencies, errors, think_s=think_s)`` in one thread per editor;
    (latencies in s, errors, wall time)."""
    import threading

    latencies: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=loop, args=(*a, latencies, errors), kwargs={"think_s": think_s})
        for a in args
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return latencies, errors, time.perf_counter() - t0
