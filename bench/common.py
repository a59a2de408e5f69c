"""Shared helpers for the benchmark script: time a callable, report ratios to a baseline.

Every figure is the median of several runs, set against a baseline measured in the same run.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


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


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """CPU time of ``fn()`` in this process, and its value: on 2 cores shared with other work,
    wall time mostly measures the neighbours.

    A full garbage collection first, so one step does not pay for the garbage of the one
    before. The cycle collector is paused during the step and then run once over what the
    step allocated (all of it still in the youngest generation), that time counted: the step
    pays for the cycles it leaves, once, not for how many threshold-driven passes over its own
    live objects CPython happened to make on the way (none at a small size, several at a large
    one). Use with the start-up heap frozen (:func:`frozen_heap`)."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        value = fn()
        gc.collect(0)
        return time.process_time() - start, value
    finally:
        gc.enable()


def median_cpu_time(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median :func:`cpu_timed` seconds of ``fn()`` over ``repeat`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    return statistics.median(cpu_timed(fn)[0] for _ in range(repeat))


@contextmanager
def frozen_heap() -> Iterator[None]:
    """What start-up loaded (Django, the app, MeCab, the harness) frozen out of the cycle
    collector, as in a worker that froze its settled heap: unfrozen, each full pass walks it
    all, and a large input triggers more such passes than a small one -- a cost of the
    harness's heap, not of the code measured."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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


def raw_translate_batch(
    translator: Any,
    tokens: Sequence[Sequence[str]],
    *,
    engine: Any,
    chunked: bool = True,
    beam_size: int | None = None,
    max_batch_size: int | None = None,
    batch_type: str = "examples",
    max_decoding_length: int | None = None,
) -> list[Any]:
    """Raw CTranslate2 ``translate_batch`` on pre-tokenised sentences: the baseline the Argos
    engine (``translator.engines.argos.ArgosEngine``) is measured against.

    ``chunked``: exactly the calls the engine makes -- one per chunk of
    ``engine.plan_chunks(tokens)`` (length-sorted), each capped at ``engine.decoding_cap`` of
    its longest sentence -- without any of the engine's Python around them (tokenising,
    de-duplication, glossary, detokenising). Otherwise one call over all sentences, batched by
    CTranslate2 itself (``max_batch_size``/``batch_type``, default the engine's) with one
    ``max_decoding_length`` (default: the cap of the longest sentence). Returns the results."""
    beam = engine.beam_size if beam_size is None else beam_size
    if not chunked:
        longest = max(map(len, tokens))
        return translator.translate_batch(
            list(tokens),
            beam_size=beam,
            max_batch_size=engine.max_batch_size if max_batch_size is None else max_batch_size,
            batch_type=batch_type,
            max_decoding_length=max_decoding_length or engine.decoding_cap(longest),
            replace_unknowns=engine.replace_unknowns,
        )
    results: list[Any] = []
    for chunk in engine.plan_chunks(tokens):
        results += translator.translate_batch(
            [tokens[i] for i in chunk],
            beam_size=beam,
            max_decoding_length=engine.decoding_cap(max(len(tokens[i]) for i in chunk)),
            replace_unknowns=engine.replace_unknowns,
        )
    return results


def argostranslate_per_sentence(packages: Any, *, beam_size: int) -> Callable[[str], str]:
    """argostranslate's own path, ``argostranslate.translate.translate(text, "ja", "en")``,
    over the package installed in ``packages``: the slow baseline the Argos engine is held
    to. Its MiniSBD sentence splitter would download a model, so it is replaced by a no-op
    splitter (the real path is slower still). Importing it loads torch: benchmarks only."""
    import argostranslate.translate as argos_translate
    from argostranslate import settings as argos_settings

    argos_settings.package_dirs = [packages]
    argos_settings.beam_size = beam_size
    argos_translate.get_installed_languages.cache_clear()
    argos_translate.installed_translates.clear()
    translation = argos_translate.get_translation_from_codes("ja", "en")
    underlying = getattr(translation, "underlying", translation)

    class _WholeText:  # keep it offline
        def split_sentences(self, text: str) -> list[str]:
            return [text]

    underlying.sentencizer = _WholeText()
    return lambda text: argos_translate.translate(text, "ja", "en")


class CountingTranslator:
    """A ``ctranslate2.Translator`` stand-in that forwards every call and adds up the CPU time
    spent inside ``translate_batch``: what the engine costs beyond CTranslate2 is the rest."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.inside = 0.0

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return self.inner.translate_batch(*args, **kwargs)
        finally:
            self.inside += time.process_time() - start
