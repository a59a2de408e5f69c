"""Serving under load: the production recipe on 127.0.0.1 with editors, reviewers and readers.

Each scenario is a fresh installation run as the README's deployment recipe: DJANGO_DEBUG=0,
migrate, collectstatic, ``gunicorn project.wsgi -w 3`` and (with a job) one ``db_worker``
translating an episode with the tiny real Argos model (re-queued whenever it finishes, so a
job runs throughout). The load comes from threads in this process, bounded in count and time,
each person waiting a few seconds between requests (``THINK_S``), so the figures are response
times at a realistic offered load rather than the queue of a closed loop:

* 50 editors save rows of their episode (overlapping, so saves race: a conflict reloads the
  row, as the page does); two of them log in through the form (timed), the others carry on a
  session made the way the login view makes one (55 password hashes would only time PBKDF2);
* 5 reviewers page (first, middle, last) and filter (status, text) the episode being translated;
* 200 anonymous readers open the published transcript page: a first visit, then a browser's
  revalidation with the ETag it got (``If-None-Match``).

Requests go over plain HTTP with ``X-Forwarded-Proto: https`` (what the TLS proxy sends), so the
production session and CSRF cookies and checks apply. Figures: p95 (p99 in the note) per request
kind, errors, lost updates (every accepted save is in the history, no refused one is, versions
consecutive). Scenarios: PostgreSQL with the job running (baseline: the same with the job idle),
SQLite with the job running (baseline: PostgreSQL), and the published page with the per-process
page cache turned off (``JIMAKU_PUBLIC_PAGE_CACHE=0``, the code before the cache) vs on.
PostgreSQL comes from ``scripts/postgres.sh`` in ``/tmp/pg-perf`` on port 55440.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure  # noqa: E402

SECTION = "Serving under load (gunicorn -w 3, 127.0.0.1)"
EDITORS, SAVES = 50, 4
REVIEWERS, PAGES = 5, 6
READERS, READS = 200, 3
EDIT_POOL = 60  # segments the editors share
REAL_LOGINS = 2  # per kind, through the login form (timed); the others carry on a session
JOB_SEGMENTS = 6000
PUBLIC_SEGMENTS = 340
DEADLINE_S = 90.0
# Seconds between one person's requests (uniform): people read and type. Offered load with the
# counts above: about 17 saves/s, 5 review pages/s and 25 reader visits/s.
THINK_S = {"editor": (2.0, 4.0), "reviewer": (0.5, 1.5), "reader": (4.0, 12.0)}
PG_ENV = {"JIMAKU_PG_DIR": "/tmp/pg-perf", "JIMAKU_PG_PORT": "55440"}
_VERSION = re.compile(r'name="version" value="(\d+)"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = """
import json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from bench.bench_review import synthetic_episode
from translator.models import Episode, Segment
translators, reviewers = Group.objects.get(name="translator"), Group.objects.get(name="reviewer")
for i in range({editors}):
    User.objects.create_user(f"editor{{i}}", password=f"load-pw-{{i}}!").groups.add(translators)
for i in range({reviewers_n}):
    User.objects.create_user(f"reviewer{{i}}", password=f"load-pw-r{{i}}!").groups.add(reviewers)
edit = Episode.objects.create(title="Editors' episode")
Segment.objects.bulk_create(
    Segment(episode=edit, order=i, source_text=f"{{i}}番目の文です。") for i in range({pool})
)
job = Episode.objects.create(title="Being translated")
Segment.objects.bulk_create(
    (Segment(episode=job, order=i, speaker_label="永野" if i % 2 else "澤",
             source_text=f"東京から大阪まで新幹線で行きました、{{i}}番です。")
     for i in range({job_segments})),
    batch_size=2000,
)
public = synthetic_episode({public})
from translator.services.qa_flags import refresh_qa_flags
for episode in (edit, job):  # stored as an import stores them: GET pages never store them
    refresh_qa_flags(episode_id=episode.pk)
# Signed-in sessions made the way the login view makes them (one real login per kind is timed;
# 55 password hashes would only measure PBKDF2).
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
sessions = {{}}
for user in User.objects.filter(username__regex=r"^(editor|reviewer)"):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    sessions[user.username] = store.session_key
Episode.objects.filter(pk=public.pk).update(published=True, published_at=timezone.now())
print("JSON", json.dumps({{
    "edit_ids": list(edit.segments.order_by("order").values_list("id", flat=True)),
    "job_episode": job.pk,
    "public_id": str(Episode.objects.get(pk=public.pk).public_id),
    "sessions": sessions,
    "session_cookie": settings.SESSION_COOKIE_NAME,
}}))
"""

DUMP = """
import json
from translator.models import Segment, SegmentRevision
ids = {ids}
revs = list(SegmentRevision.objects.filter(segment_id__in=ids)
            .values_list("segment_id", "new_text", "version"))
print("JSON", json.dumps(revs))
"""

QUEUE = """
from translator.models import TranslationJob
from translator.services.translation import start_translation_job
if not TranslationJob.objects.filter(state__in=["queued", "running"]).exists():
    job = start_translation_job(episode_id={episode}, engine="argos", retranslate_machine=True)
    print("JOB", job.pk)
"""

JOB_STATE = """
from translator.models import TranslationJob
print("JOBS", TranslationJob.objects.filter(state__in=["queued", "running"]).count(),
      sum(TranslationJob.objects.values_list("done", flat=True)))
"""


# --------------------------------------------------------------------------- HTTP client


class Client:
    """One browser: its own cookies, requests as they come through the TLS proxy."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://127.0.0.1:{self.port}"
            sent["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers.items()), text
        finally:
            conn.close()

    def resume(self, cookie: str, session_key: str) -> None:
        """Carry on a signed-in session (and pick up a CSRF cookie from the episode list)."""
        self.cookies[cookie] = session_key
        status, _, _ = self.request("GET", "/")
        if status != 200 or "csrftoken" not in self.cookies:
            raise RuntimeError(f"episode list: HTTP {status}, cookies {sorted(self.cookies)}")

    def login(self, username: str, password: str) -> None:
        status, _, html = self.request("GET", "/accounts/login/")
        match = _CSRF.search(html)
        if status != 200 or not match:
            raise RuntimeError(f"login page: HTTP {status}")
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)},
        )
        if status != 302:
            raise RuntimeError(f"login {username}: HTTP {status}")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    accepted: list[tuple[int, str]] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, fn):
        start = time.perf_counter()
        result = fn()
        with self.lock:
            self.latencies.setdefault(kind, []).append(time.perf_counter() - start)
        return result

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def _signed_in(port: int, facts: dict, username: str, password: str, index: int, stats: Stats):
    """A client signed in as ``username``: a real, timed login for the first few users."""
    client = Client(port)
    if index < REAL_LOGINS:
        stats.timed("login", lambda: client.login(username, password))
    else:
        client.resume(facts["session_cookie"], facts["sessions"][username])
    return client


def _editor(client: Client, index: int, ids: list[int], stats: Stats, deadline: float) -> None:
    versions: dict[int, int] = {}
    hx = {"HX-Request": "true"}

    def reload(seg: int) -> bool:
        status, _, html = stats.timed(
            "review row", lambda: client.request("GET", f"/segments/{seg}/row/", headers=hx)
        )
        match = _VERSION.search(html)
        if status != 200 or not match:
            stats.error(f"row {seg}: HTTP {status}")
            return False
        versions[seg] = int(match.group(1))
        return True

    rng = random.Random(index)
    for k in range(SAVES):
        time.sleep(rng.uniform(*THINK_S["editor"]))  # reads and types
        if time.monotonic() > deadline:
            stats.error("deadline reached")
            return
        seg = ids[(index * 7 + k * (1 + index % 3)) % len(ids)]
        if seg not in versions and not reload(seg):
            continue
        text = f"Editor {index} save {k}."
        status, headers, html = stats.timed(
            "save",
            lambda seg=seg, text=text: client.request(
                "POST",
                f"/segments/{seg}/save/",
                {"text": text, "version": str(versions[seg]), "intent": "save"},
                {**hx, "X-CSRFToken": client.cookies.get("csrftoken", "")},
            ),
        )
        if status != 200:
            stats.error(f"save {seg}: HTTP {status} {html[:120]}")
            continue
        if headers.get("X-Jimaku-Conflict") == "1":
            with stats.lock:
                stats.conflicts.append((seg, text))
            reload(seg)
            continue
        match = _VERSION.search(html)
        if not match:
            stats.error(f"save {seg}: unexpected response")
            continue
        with stats.lock:
            stats.accepted.append((seg, text))
        versions[seg] = int(match.group(1))


def _reviewer(client: Client, index: int, episode: int, stats: Stats, deadline: float) -> None:
    last = JOB_SEGMENTS // 100
    queries = [
        ("review page", "?page=1"),
        ("review page", f"?page={last // 2}"),
        ("review page", f"?page={last}"),
        ("review filter", "?status=machine&page=2"),
        ("review filter", "?q=%E5%A4%A7%E9%98%AA&page=3"),  # 大阪
        ("review filter", "?status=untranslated"),
    ]
    rng = random.Random(1000 + index)
    for k in range(PAGES):
        time.sleep(rng.uniform(*THINK_S["reviewer"]))
        if time.monotonic() > deadline:
            stats.error("deadline reached")
            return
        kind, query = queries[(index + k) % len(queries)]
        status, _, _ = stats.timed(
            kind, lambda q=query: client.request("GET", f"/episodes/{episode}/{q}")
        )
        if status != 200:
            stats.error(f"{kind} {query}: HTTP {status}")


def _reader(port: int, public_id: str, stats: Stats, deadline: float) -> None:
    client = Client(port)  # anonymous
    etag = ""
    rng = random.Random()
    for k in range(READS):
        time.sleep(rng.uniform(*THINK_S["reader"]))  # arrives, later comes back
        if time.monotonic() > deadline:
            stats.error("deadline reached")
            return
        headers = {"If-None-Match": etag} if etag and k else {}
        kind = "public page, revalidation" if headers else "public page"
        status, got, _ = stats.timed(
            kind, lambda h=headers: client.request("GET", f"/p/{public_id}/", headers=h)
        )
        if status not in (200, 304):
            stats.error(f"public page: HTTP {status}")
        etag = got.get("ETag", etag)


# --------------------------------------------------------------------------- one scenario


def _gunicorn() -> list[str]:
    script = Path(sys.executable).parent / "gunicorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]


@dataclass
class Result:
    latencies: dict[str, list[float]]
    errors: list[str]
    lost: int
    accepted: int
    conflicts: int
    job_running: bool
    job_done: int
    wall_s: float


def _scenario(
    root: Path, database_url: str, static_root: Path, model: Path, *, job: bool, env: dict
) -> Result:
    from tests.scale.harness import Instance, free_port, wait_for

    inst = Instance(
        root,
        database_url,
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-" + "k" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(static_root),
            **env,
        },
    )
    try:
        inst.migrate()
        if not (static_root / "staticfiles.json").exists():
            inst.manage("collectstatic", "--noinput", "-v", "0")
        inst.install_argos(model)
        setup = inst.manage(
            "shell",
            "-c",
            SETUP.format(
                editors=EDITORS,
                reviewers_n=REVIEWERS,
                pool=EDIT_POOL,
                job_segments=JOB_SEGMENTS,
                public=PUBLIC_SEGMENTS,
            ),
            timeout_s=300,
        )
        facts = json.loads(setup.split("JSON ", 1)[1])
        port = free_port()
        log = open(inst.logs / "gunicorn.log", "ab")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [
                *_gunicorn(),
                "project.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "3",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=inst.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        inst._procs.append(server)

        def up() -> bool:
            if server.poll() is not None:
                raise RuntimeError(inst.log_text("gunicorn")[-2000:])
            try:
                return Client(port).request("GET", "/accounts/login/")[0] == 200
            except OSError:
                return False

        wait_for(up, timeout_s=60, interval_s=0.2, what="gunicorn")
        stop = threading.Event()
        requeue = None
        if job:
            inst.spawn("db_worker", "--no-reload", "--interval", "0.1", name="worker")
            queue = QUEUE.format(episode=facts["job_episode"])
            inst.manage("shell", "-c", queue)

            def busy() -> bool:
                out = inst.manage("shell", "-c", JOB_STATE)
                running, done = map(int, out.split("JOBS", 1)[1].split())
                return done > 0

            wait_for(busy, timeout_s=120, interval_s=0.5, what="the job to start")

            def keep_a_job_running() -> None:
                while not stop.wait(10.0):
                    inst.manage("shell", "-c", queue)

            requeue = threading.Thread(target=keep_a_job_running, daemon=True)
            requeue.start()

        stats = Stats()
        # Sign-in phase (before the clock): editors and reviewers get their sessions.
        editors, reviewers = [], []
        for i in range(EDITORS):
            try:
                editors.append(_signed_in(port, facts, f"editor{i}", f"load-pw-{i}!", i, stats))
            except Exception as exc:  # counted as an error
                stats.error(f"editor {i}: {exc}")
        for i in range(REVIEWERS):
            try:
                reviewers.append(
                    _signed_in(port, facts, f"reviewer{i}", f"load-pw-r{i}!", i, stats)
                )
            except Exception as exc:
                stats.error(f"reviewer {i}: {exc}")
        started = time.monotonic()
        deadline = started + DEADLINE_S
        threads = [
            threading.Thread(target=_editor, args=(c, i, facts["edit_ids"], stats, deadline))
            for i, c in enumerate(editors)
        ]
        threads += [
            threading.Thread(target=_reviewer, args=(c, i, facts["job_episode"], stats, deadline))
            for i, c in enumerate(reviewers)
        ]
        threads += [
            threading.Thread(target=_reader, args=(port, facts["public_id"], stats, deadline))
            for _ in range(READERS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE_S + 60)
        wall = time.monotonic() - started
        stop.set()
        job_running, job_done = False, 0
        if job:
            out = inst.manage("shell", "-c", JOB_STATE)
            running, job_done = map(int, out.split("JOBS", 1)[1].split())
            job_running = running > 0
        dump = inst.manage("shell", "-c", DUMP.format(ids=facts["edit_ids"]))
        revisions = json.loads(dump.split("JSON ", 1)[1])
        history = {(seg, text) for seg, text, _v in revisions}
        lost = sum(1 for a in stats.accepted if a not in history)
        lost += sum(1 for c in stats.conflicts if c in history)  # refused, yet written
        by_segment: dict[int, list[int]] = {}
        for seg, _t, version in revisions:
            by_segment.setdefault(seg, []).append(version)
        for versions in by_segment.values():  # no two saves accepted on the same version
            if sorted(versions) != list(range(2, len(versions) + 2)):
                lost += 1
        server_log = inst.log_text("gunicorn")
        errors = list(stats.errors)
        if "database is locked" in server_log:
            errors.append("database is locked (server log)")
        errors += [
            f"server: {line[:160]}" for line in server_log.splitlines() if "Traceback" in line
        ]
        return Result(
            stats.latencies,
            errors,
            lost,
            len(stats.accepted),
            len(stats.conflicts),
            job_running,
            job_done,
            wall,
        )
    finally:
        inst.stop_all()


# --------------------------------------------------------------------------- PostgreSQL


def _postgres(action: str) -> str:
    out = subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), action],
        env={**os.environ, **PG_ENV},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
    lines = out.stdout.strip().splitlines()
    return lines[-1] if lines else ""


@contextmanager
def _database(kind: str, root: Path, server: str | None):
    from tests.scale.harness import postgres_database

    if kind == "sqlite":
        root.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{root / 'jimaku.sqlite3'}"
    else:
        assert server is not None
        with postgres_database(server) as url:
            yield url


# --------------------------------------------------------------------------- figures


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


KINDS = (
    "save",
    "review row",
    "login",
    "review page",
    "review filter",
    "public page",
    "public page, revalidation",
)


def _compare(label: str, result: Result, base_label: str, base: Result) -> list[Figure]:
    figures = []
    for kind in KINDS:
        values, reference = result.latencies.get(kind), base.latencies.get(kind)
        if not values or not reference:
            continue
        figures.append(
            Figure(
                SECTION,
                f"{label}: {kind}, p95",
                _pct(values, 0.95),
                baseline_name=base_label,
                baseline_value=_pct(reference, 0.95),
                note=f"p99 {_pct(values, 0.99) * 1000:.0f} ms (baseline "
                f"{_pct(reference, 0.99) * 1000:.0f} ms); median "
                f"{statistics.median(values) * 1000:.0f} ms; {len(values)} requests",
            )
        )
    return figures


def _summary(label: str, result: Result) -> Figure:
    job = ""
    if result.job_done:
        job = (
            f"; job {'still running' if result.job_running else 'finished'} "
            f"({result.job_done} segments translated)"
        )
    requests = sum(len(v) for v in result.latencies.values())
    return Figure(
        SECTION,
        f"{label}: errors + lost updates",
        len(result.errors) + result.lost,
        unit="",
        goal="= 0",
        note=f"{len(result.errors)} errors {result.errors[:3]}, {result.lost} lost updates; "
        f"{result.accepted} saves accepted, {result.conflicts} conflicts; {requests} requests "
        f"in {result.wall_s:.1f} s{job}",
    )


def request_cpu() -> dict[str, float]:
    """CPU time the server spends on one request of each kind (in this process, SQLite, no
    load): what the p95 figures compare with -- the rest of a response time under load is
    waiting for a core."""
    from bench.bench_large_episode import _setup_django

    _setup_django(Path(tempfile.mkdtemp(prefix="jimaku-bench-serving-cpu-")))
    from django.contrib.auth.models import Group, User
    from django.test import Client as DjangoClient

    from bench.bench_review import synthetic_episode
    from translator.models import Episode

    user = User.objects.create_user("bench-cpu-reviewer")
    user.groups.add(Group.objects.get(name="reviewer"))
    signed_in = DjangoClient(HTTP_HOST="localhost")
    signed_in.force_login(user)
    anonymous = DjangoClient(HTTP_HOST="localhost")
    job = synthetic_episode(JOB_SEGMENTS)
    public = synthetic_episode(PUBLIC_SEGMENTS)
    Episode.objects.filter(pk=public.pk).update(published=True)
    public.refresh_from_db()
    seg = job.segments.order_by("order")[5]
    url = f"/p/{public.public_id}/"
    etag = anonymous.get(url)["ETag"]

    def save() -> None:
        seg.refresh_from_db()
        signed_in.post(
            f"/segments/{seg.pk}/save/",
            {"text": f"Words {time.perf_counter()}", "version": seg.version, "intent": "save"},
            HTTP_HX_REQUEST="true",
        )

    kinds = {
        "save": save,
        "review row": lambda: signed_in.get(f"/segments/{seg.pk}/row/", HTTP_HX_REQUEST="true"),
        "review page": lambda: signed_in.get(f"/episodes/{job.pk}/?page=30"),
        "review filter": lambda: signed_in.get(f"/episodes/{job.pk}/?status=machine&page=2"),
        "public page": lambda: anonymous.get(url),
        "public page, revalidation": lambda: anonymous.get(url, HTTP_IF_NONE_MATCH=etag),
    }
    out = {}
    for kind, fn in kinds.items():
        fn()
        samples = []
        for _ in range(9):
            start = time.process_time()
            fn()
            samples.append(time.process_time() - start)
        out[kind] = statistics.median(samples)
    return out


def run() -> list[Figure]:
    from tests.support.argos_model import build_argosmodel

    tmp = Path(tempfile.mkdtemp(prefix="jimaku-bench-serving-"))
    model = build_argosmodel(tmp / "copy.argosmodel")
    static_root = tmp / "static"
    server = _postgres("start")
    results: dict[str, Result] = {}
    try:
        plan = (
            ("pg-job", "postgres", True, {}),
            ("pg-idle", "postgres", False, {}),
            ("sqlite-job", "sqlite", True, {}),
            ("pg-job-nocache", "postgres", True, {"JIMAKU_PUBLIC_PAGE_CACHE": "0"}),
        )
        for name, kind, job, env in plan:
            print(f"    scenario {name}", flush=True)
            with _database(kind, tmp / name, server) as url:
                results[name] = _scenario(tmp / name, url, static_root, model, job=job, env=env)
    finally:
        _postgres("stop")
    pg, idle, lite, nocache = (
        results[n] for n in ("pg-job", "pg-idle", "sqlite-job", "pg-job-nocache")
    )
    figures = _compare("PostgreSQL, job running", pg, "PostgreSQL, job idle", idle)
    figures += _compare("SQLite, job running", lite, "PostgreSQL, job running", pg)
    for kind in ("public page", "public page, revalidation"):
        figures.append(
            Figure(
                SECTION,
                f"page cache on: {kind}, p95 (PostgreSQL, job running)",
                _pct(pg.latencies[kind], 0.95),
                baseline_name="JIMAKU_PUBLIC_PAGE_CACHE=0 (rendered per request, as before)",
                baseline_value=_pct(nocache.latencies[kind], 0.95),
                note=f"p99 {_pct(pg.latencies[kind], 0.99) * 1000:.0f} ms vs "
                f"{_pct(nocache.latencies[kind], 0.99) * 1000:.0f} ms; save p95 "
                f"{_pct(pg.latencies['save'], 0.95) * 1000:.0f} ms vs "
                f"{_pct(nocache.latencies['save'], 0.95) * 1000:.0f} ms",
            )
        )
    for kind, cpu_s in request_cpu().items():
        figures.append(
            Figure(
                SECTION,
                f"server CPU per request, no load: {kind}",
                cpu_s,
                note=f"in-process, SQLite; p95 under load on PostgreSQL with the job: "
                f"{_pct(pg.latencies[kind], 0.95) * 1000:.0f} ms",
            )
        )
    for label, name in (
        ("PostgreSQL, job running", "pg-job"),
        ("PostgreSQL, job idle", "pg-idle"),
        ("SQLite, job running", "sqlite-job"),
        ("PostgreSQL, job running, no page cache", "pg-job-nocache"),
    ):
        figures.append(_summary(label, results[name]))
    return figures


if __name__ == "__main__":
    for fig in run():
        ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else ""
        print(f"{fig.name}: {fig.value:.4g} {fig.unit} {ratio} {fig.note}")
