"""Load test: 20 concurrent editors x 50 saves against a real server process on 127.0.0.1.

A ``manage.py runserver`` (threaded) runs on a file-backed SQLite database (WAL, busy timeout)
in a temporary ``JIMAKU_DATA_DIR``. Each editor logs in through the login form (session cookie
+ CSRF token) and saves segments through the review page's save endpoint exactly as htmx does
(``POST /segments/<id>/save/`` with ``text`` and the ``version`` the editor last saw,
``HX-Request`` and ``X-CSRFToken`` headers). Editors overlap on a small pool of segments, so many
saves race. A conflict is the response marked ``X-Jimaku-Conflict: 1``; the editor then
reloads the row (``GET /segments/<id>/row/``) and carries on.

At the end: every accepted save is in the revision history, no rejected one is, each
segment's versions are consecutive (no two saves accepted on the same base), no 5xx and no
"database is locked" in the server log. Figures are printed (``-s``) for docs/reliability.md.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.processes import run_manage

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EDITORS = 20
SAVES_PER_EDITOR = 50
SEGMENTS = 40  # the pool the editors share (overlap guaranteed: 1000 saves over 40 rows)
# A bound against a hang, not a speed target (speed is measured in bench/): a slow CI
# machine may take over a minute for the 1,000 saves; their p95 is in docs/reliability.md.
DEADLINE_S = 150.0
_VERSION = re.compile(r'name="version" value="(\d+)"')

SETUP = f"""
from django.contrib.auth.models import Group, User
from translator.models import Episode, Segment
g = Group.objects.get(name="translator")
for i in range({EDITORS}):
    u = User.objects.create_user(f"editor{{i}}", password=f"load-test-pw-{{i}}!")
    u.groups.add(g)
ep = Episode.objects.create(title="Load test")
segs = Segment.objects.bulk_create(
    Segment(episode=ep, order=i, source_text=f"{{i}}番目の文です。") for i in range({SEGMENTS})
)
print("IDS", ",".join(str(s.pk) for s in ep.segments.order_by("order")))
"""

DUMP = """
import json
from translator.models import Segment, SegmentRevision
revs = list(SegmentRevision.objects.values_list("segment_id", "new_text", "version", "user__username"))
segs = list(Segment.objects.values_list("id", "version", "text"))
print("JSON", json.dumps({"revisions": revs, "segments": segs}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class EditorStats:
    accepted: list[tuple[int, str]] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)


class Editor:
    def __init__(self, base: str, index: int, segment_ids: list[int]) -> None:
        self.base, self.index, self.segment_ids = base, index, segment_ids
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.versions: dict[int, int] = {}
        self.stats = EditorStats()

    def _csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode(errors="replace")

    def login(self) -> None:
        status, _, _ = self.request("/accounts/login/")
        assert status == 200
        status, headers, _ = self.request(
            "/accounts/login/",
            {
                "username": f"editor{self.index}",
                "password": f"load-test-pw-{self.index}!",
                "csrfmiddlewaretoken": self._csrf(),
            },
        )
        assert status == 302, status

    def reload_row(self, segment_id: int) -> None:
        status, _, html = self.request(
            f"/segments/{segment_id}/row/", headers={"HX-Request": "true"}
        )
        if status != 200:
            self.stats.errors.append(f"row {segment_id}: {status}")
            return
        self.versions[segment_id] = int(_VERSION.search(html).group(1))

    def run(self, deadline: float) -> None:
        try:
            self.login()
        except Exception as exc:  # recorded, the test fails on it
            self.stats.errors.append(f"login: {exc!r}")
            return
        for k in range(SAVES_PER_EDITOR):
            if time.monotonic() > deadline:
                self.stats.errors.append("deadline reached")
                return
            # Editors walk the pool from different starting points with different strides,
            # so they keep meeting on the same rows.
            seg = self.segment_ids[
                (self.index * 7 + k * (1 + self.index % 3)) % len(self.segment_ids)
            ]
            if seg not in self.versions:
                self.reload_row(seg)
            text = f"Editor {self.index} save {k}."
            headers = {"HX-Request": "true", "X-CSRFToken": self._csrf()}
            started = time.perf_counter()
            status, resp_headers, html = self.request(
                f"/segments/{seg}/save/",
                {"text": text, "version": str(self.versions[seg]), "intent": "save"},
                headers,
            )
            self.stats.latencies_s.append(time.perf_counter() - started)
            if status != 200:
                self.stats.errors.append(f"save {seg}: HTTP {status} {html[:200]}")
                continue
            if resp_headers.get("X-Jimaku-Conflict") == "1":
                self.stats.conflicts.append((seg, text))
                self.reload_row(seg)  # what the editor's "keep theirs" does
                continue
            match = _VERSION.search(html)
            if "segmentSaved" not in resp_headers.get("HX-Trigger", "") or not match:
                self.stats.errors.append(f"save {seg}: unexpected response {html[:200]}")
                continue
            self.stats.accepted.append((seg, text))
            self.versions[seg] = int(match.group(1))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _manage(env: dict, *args: str, timeout: float = 120) -> str:
    result = run_manage(*args, env=env, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _wait_until_up(base: str, proc: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited"
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_concurrent_editors_lose_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JIMAKU_"))}
    env.update(DJANGO_DEBUG="1", JIMAKU_DATA_DIR=str(tmp_path / "data"), JIMAKU_LOG_LEVEL="INFO")
    env.pop("DATABASE_URL", None)
    _manage(env, "migrate", "-v", "0")
    out = _manage(env, "shell", "-c", SETUP)
    segment_ids = [int(x) for x in out.split("IDS ")[1].split()[0].split(",")]

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base, proc)
        editors = [Editor(base, i, segment_ids) for i in range(EDITORS)]
        started = time.monotonic()
        deadline = started + DEADLINE_S
        threads = [threading.Thread(target=e.run, args=(deadline,)) for e in editors]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE_S + 30)
        elapsed = time.monotonic() - started
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    errors = [err for e in editors for err in e.stats.errors]
    accepted = [a for e in editors for a in e.stats.accepted]
    conflicts = [c for e in editors for c in e.stats.conflicts]
    latencies = sorted(x for e in editors for x in e.stats.latencies_s)
    server_log = log_path.read_text(errors="replace")
    assert not errors, errors[:10]
    assert len(accepted) + len(conflicts) == EDITORS * SAVES_PER_EDITOR

    dump = json.loads(_manage(env, "shell", "-c", DUMP).split("JSON ", 1)[1])
    history = {(seg, text) for seg, text, _v, _u in dump["revisions"]}
    lost = [a for a in accepted if a not in history]
    phantom = [c for c in conflicts if c in history]
    assert not lost, f"{len(lost)} accepted saves are missing from the history: {lost[:5]}"
    assert not phantom, f"{len(phantom)} saves reported as conflicts were written: {phantom[:5]}"
    # No two saves accepted on the same base version: each segment's versions are 2..n+1.
    by_segment: dict[int, list[int]] = {}
    for seg, _text, version, _user in dump["revisions"]:
        by_segment.setdefault(seg, []).append(version)
    final = {seg: (version, text) for seg, version, text in dump["segments"]}
    for seg, versions in by_segment.items():
        assert sorted(versions) == list(range(2, len(versions) + 2)), (seg, sorted(versions))
        assert final[seg][0] == len(versions) + 1
    assert len(dump["revisions"]) == len(accepted)
    assert "database is locked" not in server_log
    assert not re.search(r'" 5\d\d ', server_log), re.findall(r'.*" 5\d\d .*', server_log)[:5]

    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    p50 = latencies[len(latencies) // 2]
    print(
        f"\nLOAD: {EDITORS} editors x {SAVES_PER_EDITOR} saves in {elapsed:.1f} s: "
        f"{len(accepted)} accepted, {len(conflicts)} conflicts, lost 0, "
        f"{len(accepted) + len(conflicts)} / {EDITORS * SAVES_PER_EDITOR} answered, "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    assert elapsed < DEADLINE_S
