"""Review page: server time and SQL queries per page at 100 / 1,000 / 5,000 segments against a
bare Django template rendering the same rows; p95 save latency with 20 concurrent editors
against a real server process on loopback (SQLite, WAL).

Runs in a throwaway SQLite database (``JIMAKU_DATA_DIR`` / ``DATABASE_URL`` set before Django is
set up). ``python -m bench.bench_review`` prints the figures.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import Figure, free_port, median_time, p95, session_cookie, setup_django

ROOT = Path(__file__).resolve().parent.parent
SECTION = "Review page"
SIZES = (100, 1000, 5000)
EDITORS = 20
SAVES_PER_EDITOR = 15
THINK_S = 0.5  # an editor reads for a while between saves (humans: seconds, not 0.5 s)


def _setup_django() -> None:
    setup_django("jimaku-bench-review-")


def synthetic_episode(n: int):
    """An episode of ``n`` segments (2 cues each) written straight to the database, with its
    QA flags stored as an import stores them (a GET never stores them)."""
    from translator.models import Cue, Episode, Segment, Speaker
    from translator.services.qa_flags import refresh_qa_flags

    ep = Episode.objects.create(title=f"Bench {n}")
    Speaker.objects.bulk_create(
        [
            Speaker(episode=ep, label="友野", display_name="Tomono", order=0),
            Speaker(episode=ep, label="澤", display_name="Sawa", order=1),
        ]
    )
    segs = Segment.objects.bulk_create(
        (
            Segment(
                episode=ep,
                order=i,
                speaker_label=("友野・澤", "友野", "澤")[i % 3],
                source_text=f"Herokuのサポートに入って{i % 9 + 1}年になりますが、毎日が勉強です。",
                text=f"I have been on Heroku support for {i % 9 + 1} years, and I learn every day.",
                machine_text=f"I have been in Heroku support for {i % 9 + 1} years; every day is study.",
                status=("machine", "edited", "approved")[i % 3],
            )
            for i in range(n)
        ),
        batch_size=1000,
    )
    Cue.objects.bulk_create(
        (
            Cue(
                segment=s,
                index=k,
                start_ms=s.order * 4000 + k * 2000,
                end_ms=s.order * 4000 + k * 2000 + 1900,
                source_end=len(s.source_text),
                source_text=s.source_text,
            )
            for s in segs
            for k in range(2)
        ),
        batch_size=2000,
    )
    refresh_qa_flags(episode_id=ep.pk)
    return ep


BARE_TEMPLATE = """{% for s in rows %}<article id="seg-{{ s.pk }}"><span>#{{ s.order }}</span>
<div lang="ja">{{ s.source_text }}</div><textarea name="text">{{ s.text }}</textarea>
<span class="badge">{{ s.get_status_display }}</span></article>{% endfor %}"""


def _page_figures() -> list[Figure]:
    from django.contrib.auth.models import Group
    from django.contrib.auth.models import User as DjangoUser
    from django.db import connection
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from translator.models import Segment

    user = DjangoUser.objects.create_user("bench-reviewer", password="x-bench-pw-123!")
    user.groups.add(Group.objects.get(name="reviewer"))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    bare = engines["django"].from_string(BARE_TEMPLATE)

    figures: list[Figure] = []
    for n in SIZES:
        ep = synthetic_episode(n)
        url = f"/episodes/{ep.pk}/"

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        def floor(ep=ep):
            rows = list(Segment.objects.filter(episode=ep).order_by("order")[:100])
            return bare.render({"rows": rows})

        page_s = median_time(page, repeat=7, warmup=2)
        floor_s = median_time(floor, repeat=7, warmup=2)
        with CaptureQueriesContext(connection) as queries:
            page()
        figures.append(
            Figure(
                SECTION,
                f"review page (100 rows shown) at {n:,} segments",
                page_s,
                baseline_name="bare template, same 100 rows",
                baseline_value=floor_s,
                goal="<= 3x",
                note=f"{len(queries)} SQL queries",
            )
        )
        figures.append(
            Figure(
                SECTION,
                f"SQL queries per review page at {n:,} segments",
                float(len(queries)),
                unit="queries",
                goal="constant",
            )
        )
        if n == SIZES[-1]:
            flagged = median_time(lambda url=url: client.get(url + "?flag=any"), repeat=3)
            figures.append(
                Figure(
                    SECTION,
                    f"QA-flag filter (QA over every row) at {n:,} segments",
                    flagged,
                    baseline_name="unfiltered page",
                    baseline_value=page_s,
                    note="flags stored (Segment.qa_flags), filtered in SQL",
                )
            )
            from translator.services.qa_flags import refresh_qa_flags

            refresh_s = median_time(lambda ep=ep: refresh_qa_flags(episode_id=ep.pk), repeat=3)
            figures.append(
                Figure(
                    SECTION,
                    f"QA flags recomputed for a whole episode at {n:,} segments",
                    refresh_s,
                    baseline_name="unfiltered page",
                    baseline_value=page_s,
                    note="what a glossary, speaker-name or timing change adds to its request",
                )
            )
    return figures


# --- concurrent saves against a real server -----------------------------------------------------


_free_port = free_port
_session_cookie = session_cookie


_VERSION = re.compile(rb'name="version" value="(\d+)"')


def _editor_loop(port, cookie, segment_id, saves, latencies, errors, think_s=0.0) -> None:
    """One editor: ``saves`` saves of its segment, each after ``think_s`` (±50 %) of reading."""
    from django.db import connection

    from translator.models import Segment

    rng = random.Random(segment_id)
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    headers = {
        "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
        "Host": "localhost",
    }
    version = None
    for i in range(saves):
        if think_s:
            time.sleep(think_s * rng.uniform(0.5, 1.5))
        if version is None:
            version = Segment.objects.get(pk=segment_id).version
            connection.close()

        body = urlencode({"text": f"Edit {i} of segment {segment_id}.", "version": version})
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        t0 = time.perf_counter()
        try:
            conn.request("POST", f"/segments/{segment_id}/save/", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        latencies.append(time.perf_counter() - t0)
        match = _VERSION.search(data)
        if response.status != 200 or not match or response.getheader("X-Jimaku-Conflict"):
            errors.append(f"{response.status} {data[:120]!r}")
            return
        version = int(match.group(1))


_p95 = p95


def _save_figures() -> list[Figure]:
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.contrib.auth.models import User as DjangoUser

    ep = synthetic_episode(200)
    segments = list(ep.segments.order_by("order")[:EDITORS])
    group = Group.objects.get(name="translator")
    cookies = []
    for i in range(EDITORS):
        user = DjangoUser.objects.create_user(f"bench-editor-{i}", password="x-bench-pw-123!")
        user.groups.add(group)
        cookies.append(_session_cookie(user))

    port = _free_port()
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    env["JIMAKU_DATA_DIR"] = str(settings.DATA_DIR)
    env["DJANGO_DEBUG"] = "1"
    env["JIMAKU_LOG_LEVEL"] = "WARNING"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("runserver did not start") from None
                time.sleep(0.1)

        def run_editors(n: int, think_s: float) -> tuple[list[float], float]:
            latencies: list[float] = []
            threads = [
                threading.Thread(
                    target=_editor_loop,
                    args=(port, cookies[i], segments[i].pk, SAVES_PER_EDITOR, latencies, errors),
                    kwargs={"think_s": think_s},
                )
                for i in range(n)
            ]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            return latencies, time.perf_counter() - t0

        errors: list[str] = []
        run_editors(2, 0.0)  # warm the server: imports, templates, first connections
        solo, _ = run_editors(1, THINK_S)  # baseline: one editor alone, same server and endpoint
        latencies, wall = run_editors(EDITORS, THINK_S)
        stress, stress_wall = run_editors(EDITORS, 0.0)  # no reading time at all: saturation
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    if errors:
        raise RuntimeError(f"{len(errors)} failed saves, first: {errors[0]}")
    return [
        Figure(
            SECTION,
            f"p95 save latency, {EDITORS} concurrent editors saving every ~{THINK_S:g} s",
            _p95(latencies),
            baseline_name="p95 with one editor",
            baseline_value=_p95(solo),
            goal="< 100 ms",
            note=f"{len(latencies)} saves in {wall:.1f} s; median "
            f"{statistics.median(latencies) * 1e3:.1f} ms; SQLite WAL, runserver",
        ),
        Figure(
            SECTION,
            f"p95 save latency, {EDITORS} editors saving back to back (saturation)",
            _p95(stress),
            baseline_name="p95 with one editor",
            baseline_value=_p95(solo),
            note=f"{len(stress) / stress_wall:.0f} saves/s on this machine; latency here is "
            "queueing (Little's law), not locking",
        ),
    ]


def run() -> list[Figure]:
    _setup_django()
    return _page_figures() + _save_figures()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for fig in run():
        ratio = f" ({fig.ratio:.2f}x {fig.baseline_name})" if fig.ratio is not None else ""
        value = f"{fig.value * 1e3:.1f} ms" if fig.unit == "s" else f"{fig.value:g} {fig.unit}"
        print(f"{fig.name}: {value}{ratio} {fig.goal} {fig.note}")
