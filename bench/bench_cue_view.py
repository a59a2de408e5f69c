"""Cue view: server time and SQL queries per page (100 cues shown) at 340 and 5,000 cues
against a bare Django template rendering the same 100 cues (same run); p95 latency of a retime
save with 20 concurrent editors against a real server process on loopback (SQLite, WAL), each
retiming its own cue through the JSON endpoint the waveform uses, and the server's CPU per
retime save against a text save's (steadier than latency when the machine is loaded).

``python -m bench.run cue_view`` (or ``python -m bench.bench_cue_view``) prints the figures.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import (
    Figure,
    editor_headers,
    median_time,
    p95,
    run_editors,
    runserver,
    session_cookie,
    setup_django,
)

ROOT = Path(__file__).resolve().parent.parent
SECTION = "Cue view"
SIZES = (340, 5000)  # cues (two per segment)
EDITORS = 20
SAVES_PER_EDITOR = 16
ROUNDS = 2  # retimes and text saves take turns
THINK_S = 0.5  # as the text-save benchmark (bench_review): humans read between saves

BARE_TEMPLATE = """{% for c in rows %}<tr id="cue-{{ c.0 }}"><td>{{ c.1 }}</td><td>{{ c.2 }}</td>
<td>{{ c.3 }}</td><td lang="ja">{{ c.4 }}</td><td>{{ c.5 }}</td><td>{{ c.6 }}</td></tr>{% endfor %}"""


def _episode(segments: int):
    """bench_review's synthetic episode (two cues per segment) with each cue's Japanese display
    lines stored, as an import stores them (the export breaks only cues without)."""
    from bench.bench_review import synthetic_episode
    from translator.core.linebreak import break_japanese
    from translator.models import Cue

    ep = synthetic_episode(segments)
    cues = list(Cue.objects.filter(segment__episode=ep).only("id", "source_text"))
    lines: dict[str, list[str]] = {}
    for cue in cues:
        if cue.source_text not in lines:
            lines[cue.source_text] = break_japanese(cue.source_text)
        cue.lines = lines[cue.source_text]
    Cue.objects.bulk_update(cues, ["lines"], batch_size=1000)
    return ep


def _page_figures() -> list[Figure]:
    from django.contrib.auth.models import Group
    from django.contrib.auth.models import User as DjangoUser
    from django.db import connection
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from translator.models import Cue

    user = DjangoUser.objects.create_user("bench-cue-reviewer", password="x-bench-pw-123!")
    user.groups.add(Group.objects.get(name="reviewer"))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    bare = engines["django"].from_string(BARE_TEMPLATE)

    figures: list[Figure] = []
    queries_at: dict[int, int] = {}
    for n in SIZES:
        ep = _episode(n // 2)
        middle = max(1, n // 200)  # a page in the middle of the episode
        url = f"/episodes/{ep.pk}/cues/?page={middle}"

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        def floor(ep=ep, middle=middle):
            start = (middle - 1) * 100
            rows = list(
                Cue.objects.filter(segment__episode=ep)
                .order_by("segment__order", "index")
                .values_list(
                    "pk", "start_ms", "end_ms", "timing", "source_text", "segment__text", "version"
                )[start : start + 100]
            )
            return bare.render({"rows": rows})

        page_s = median_time(page, repeat=7, warmup=2)
        floor_s = median_time(floor, repeat=7, warmup=2)
        with CaptureQueriesContext(connection) as queries:
            page()
        queries_at[n] = len(queries)
        figures.append(
            Figure(
                SECTION,
                f"cue view (100 cues shown) at {n:,} cues",
                page_s,
                baseline_name="bare template, same 100 cues",
                baseline_value=floor_s,
                goal="<= 3x",
                note=f"{len(queries)} SQL queries; English spread over each sentence's cues "
                "as the export does",
            )
        )
    figures.append(
        Figure(
            SECTION,
            f"SQL queries per cue view page at {SIZES[-1]:,} cues",
            float(queries_at[SIZES[-1]]),
            unit="queries",
            baseline_name=f"at {SIZES[0]:,} cues",
            baseline_value=float(queries_at[SIZES[0]]),
            goal="constant (1.00x)",
        )
    )
    return figures


def _retimer(port, cookie, episode_id, cue_id, saves, latencies, errors, think_s=0.0) -> None:
    """One editor: ``saves`` retimes of its cue (start nudged ±10 ms in turn), each after
    ``think_s`` (±50 %) of looking, through the JSON endpoint, with the version it got back."""
    from django.db import connection

    from translator.models import Cue

    rng = random.Random(cue_id)
    headers = editor_headers(cookie, htmx=False, accept="application/json")
    cue = Cue.objects.get(pk=cue_id)
    connection.close()
    start, end, version = cue.start_ms, cue.end_ms, cue.version
    for i in range(saves):
        if think_s:
            time.sleep(think_s * rng.uniform(0.5, 1.5))
        start += 10 if i % 2 == 0 else -10
        body = urlencode({"start_ms": start, "end_ms": end, "version": version})
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        t0 = time.perf_counter()
        try:
            conn.request(
                "POST", f"/episodes/{episode_id}/cues/{cue_id}/retime/", body=body, headers=headers
            )
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        latencies.append(time.perf_counter() - t0)
        if response.status != 200:
            errors.append(f"{response.status} {data[:160]!r}")
            return
        version = json.loads(data)["version"]


def _server_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) the server process has used so far; ``None`` off Linux.
    CPU per save is steadier than latency on a loaded machine: it is the server's own work,
    not the time spent waiting for a core."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _retime_figures() -> list[Figure]:
    from django.contrib.auth.models import Group
    from django.contrib.auth.models import User as DjangoUser

    from bench.bench_review import _editor_loop
    from translator.models import Cue

    ep = _episode(200)
    text_segments = list(ep.segments.order_by("-order")[:EDITORS])  # other rows than retimed
    cues = list(
        Cue.objects.filter(segment__episode=ep).order_by("segment__order", "index")[
            : 2 * EDITORS : 2
        ]
    )
    group = Group.objects.get(name="translator")
    cookies = []
    for i in range(EDITORS):
        user = DjangoUser.objects.create_user(f"bench-retimer-{i}", password="x-bench-pw-123!")
        user.groups.add(group)
        cookies.append(session_cookie(user))

    server = runserver()
    cpu: dict[str, float | None] = {"retime": 0.0, "text": 0.0}
    with server as port:

        def editors(
            loop, targets, n: int, saves: int, think_s: float, kind: str = ""
        ) -> tuple[list, float]:
            args = [(port, cookies[i], *targets[i], saves) for i in range(n)]
            cpu0 = _server_cpu_s(server.process.pid)
            latencies, errs, wall = run_editors(loop, args, think_s=think_s)
            cpu1 = _server_cpu_s(server.process.pid)
            if kind:  # the server's CPU over this round, added to its kind's total
                known = None not in (cpu0, cpu1, cpu[kind])
                cpu[kind] = cpu[kind] + cpu1 - cpu0 if known else None
            errors.extend(errs)
            return latencies, wall

        retimes = [(ep.pk, c.pk) for c in cues]
        texts = [(s.pk,) for s in text_segments]
        errors: list[str] = []
        editors(_retimer, retimes, 2, 3, 0.0)  # warm the server: imports, first connections
        editors(_editor_loop, texts, 2, 3, 0.0)
        solo, _ = editors(_retimer, retimes, 1, SAVES_PER_EDITOR, THINK_S)
        # Retimes and text saves (bench_review's editors) in turns, same server and run: the
        # machine's own figure for "as for text saves", whatever else loads it meanwhile.
        latencies, text, wall = [], [], 0.0
        for _round in range(ROUNDS):
            got, took = editors(
                _retimer, retimes, EDITORS, SAVES_PER_EDITOR // ROUNDS, THINK_S, "retime"
            )
            latencies += got
            wall += took
            text += editors(
                _editor_loop, texts, EDITORS, SAVES_PER_EDITOR // ROUNDS, THINK_S, "text"
            )[0]
    if errors:
        raise RuntimeError(f"{len(errors)} failed saves, first: {errors[0]}")
    return [
        Figure(
            SECTION,
            f"p95 retime save latency, {EDITORS} concurrent editors retiming every ~{THINK_S:g} s",
            p95(latencies),
            baseline_name="p95 with one editor",
            baseline_value=p95(solo),
            goal="< 100 ms",
            note=f"{len(latencies)} retimes in {wall:.1f} s; median "
            f"{statistics.median(latencies) * 1e3:.1f} ms; JSON endpoint (the waveform's), "
            "SQLite WAL, runserver",
        ),
        Figure(
            SECTION,
            f"p95 retime save latency against text saves, {EDITORS} concurrent editors each",
            p95(latencies),
            baseline_name="p95 of text saves, 20 editors, same server and run",
            baseline_value=p95(text),
            goal="~1x (as for text saves)",
            note=f"text saves median {statistics.median(text) * 1e3:.1f} ms",
        ),
    ] + (
        [
            Figure(
                SECTION,
                f"server CPU per retime save, {EDITORS} concurrent editors",
                cpu["retime"] / len(latencies),
                baseline_name="server CPU per text save, same server and run",
                baseline_value=cpu["text"] / len(text),
                goal="informative (steadier than latency on a loaded machine)",
                note="user + system CPU of the server process over the rounds / saves",
            )
        ]
        if cpu["retime"] is not None and cpu["text"] is not None and latencies and text
        else []
    )


def run() -> list[Figure]:
    setup_django("jimaku-bench-cues-")
    return _page_figures() + _retime_figures()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for fig in run():
        ratio = f" ({fig.ratio:.2f}x {fig.baseline_name})" if fig.ratio is not None else ""
        value = f"{fig.value * 1e3:.1f} ms" if fig.unit == "s" else f"{fig.value:g} {fig.unit}"
        print(f"{fig.name}: {value}{ratio} {fig.goal} {fig.note}")
