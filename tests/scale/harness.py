"""A throwaway Jimaku installation for tests with REAL worker processes.

Worker processes cannot see pytest-django's test database (on SQLite it lives in memory), so
each :class:`Instance` gets its own database — a SQLite file in a temp folder, or, when the
suite runs on PostgreSQL, a fresh database on the same server — migrated with
``manage.py migrate``, plus its own data folder and Argos packages folder. The product runs
unchanged in subprocesses (``manage.py db_worker``, ``manage.py rqworker``, ``translate``,
``resume_jobs``); the test process reads the same database through an extra Django connection
alias (``Segment.objects.using(instance.alias)``).

``ARGOS_BEAM_SIZE=1`` for the workers: the tiny copy model never ends its second beam
hypothesis, so beam 2 would decode every sentence to ``max_decoding_length``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

PHRASES = (
    "今日はいい天気ですね",
    "猫が好きです",
    "音楽と映画の話をしましょう",
    "東京から大阪まで新幹線で行きました",
    "なるほど、面白いですね",
    "ポッドキャストを始めたのは去年の春でした",
)

# Counts every CTranslate2 model load per process (written into the worker's PYTHONPATH):
# test-only instrumentation, the product code is unchanged.
SITECUSTOMIZE = """
import os

if os.environ.get("JIMAKU_TEST_LOAD_LOG"):
    import ctranslate2

    _original = ctranslate2.Translator

    def _counting_translator(*args, **kwargs):
        with open(os.environ["JIMAKU_TEST_LOAD_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()}\\n")
        return _original(*args, **kwargs)

    ctranslate2.Translator = _counting_translator
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synthetic_transcript(n_sentences: int, *, seed: int = 0) -> str:
    """A transcript page with ``n_sentences`` distinct sentences, two per speaker turn."""
    lines = ["合成エピソード", "", "トランスクリプト", ""]
    for turn in range((n_sentences + 1) // 2):
        speaker = "永野" if turn % 2 == 0 else "澤"
        count = min(2, n_sentences - 2 * turn)
        text = "".join(
            f"{PHRASES[(seed + 2 * turn + k) % len(PHRASES)]}、{seed}の{2 * turn + k}番です。"
            for k in range(count)
        )
        lines += [f"{speaker}: {text}", ""]
    return "\n".join(lines)


def wait_for(
    predicate: Callable[[], Any], *, timeout_s: float, interval_s: float = 0.02, what: str = ""
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


def _test_database_url() -> str | None:
    """The PostgreSQL server the suite runs on (``None`` on SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server of ``server_url``; dropped afterwards."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(server_url)
    name = f"jimaku_scale_{uuid.uuid4().hex[:10]}"
    params = {
        "host": cfg["HOST"],
        "port": cfg["PORT"] or 5432,
        "user": cfg["USER"],
        "password": cfg["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        _drop_database(params, name)


def _drop_database(params: dict, name: str) -> None:
    """Drop the throwaway database. An autovacuum worker of the server's own superuser may still
    be in it (WITH (FORCE) may not end that one): try again for a few seconds, then leave it to
    the throwaway server rather than fail a test that passed."""
    import psycopg

    for attempt in range(20):
        try:
            with psycopg.connect(**params) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            time.sleep(0.25 * (attempt + 1) / 4)


class Instance:
    """One Jimaku installation (database, data folder, Argos packages) for subprocesses."""

    def __init__(self, root: Path, database_url: str, *, env: dict[str, str] | None = None):
        self.root = root
        self.database_url = database_url
        self.alias = f"instance_{uuid.uuid4().hex[:8]}"
        self.argos_dir = root / "argos-packages"
        self.logs = root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        instrument = root / "instrument"
        instrument.mkdir(exist_ok=True)
        (instrument / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        self.load_log = root / "model-loads.txt"
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DEEPL_", "JIMAKU_", "ARGOS_", "PYTEST_"))
            and k not in ("DATABASE_URL", "REDIS_URL")
        }
        base.update(
            DJANGO_DEBUG="1",
            DATABASE_URL=database_url,
            JIMAKU_DATA_DIR=str(root / "data"),
            ARGOS_PACKAGES_DIR=str(self.argos_dir),
            ARGOS_BEAM_SIZE="1",
            XDG_DATA_HOME=str(root / "xdg-data"),
            XDG_CACHE_HOME=str(root / "xdg-cache"),
            XDG_CONFIG_HOME=str(root / "xdg-config"),
            PYTHONPATH=os.pathsep.join([str(instrument), str(ROOT)]),
            PYTHONUNBUFFERED="1",
            JIMAKU_LOG_LEVEL="WARNING",
        )
        base.update(env or {})
        self.env = base
        self._procs: list[subprocess.Popen] = []

    # ---- processes

    def manage(self, *args: str, timeout_s: float = 120, env: dict[str, str] | None = None) -> str:
        """Run ``manage.py ARGS`` to the end; returns stdout, fails the test on an error."""
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def spawn(
        self, *args: str, name: str, count_loads: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.Popen:
        """Start ``manage.py ARGS`` in the background (output in ``logs/NAME.log``)."""
        extra = dict(env or {})
        if count_loads:
            extra["JIMAKU_TEST_LOAD_LOG"] = str(self.load_log)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self._procs.append(proc)
        return proc

    def log_text(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    # ---- setup helpers

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")

    def install_argos(self, model_file: Path) -> None:
        """Install the ``.argosmodel`` through the product's own install path."""
        from translator.engines.argos_packages import install_from_file

        install_from_file(model_file, self.argos_dir)

    def import_episode(self, text: str, *, title: str) -> int:
        path = self.root / f"{uuid.uuid4().hex}.txt"
        path.write_text(text, encoding="utf-8")
        return int(self.manage("import_transcript", str(path), "--title", title).split()[-1])

    def start_job(self, episode_id: int, engine: str = "argos") -> int:
        out = self.manage("translate", str(episode_id), "--engine", engine)
        return int(out.split("Job ", 1)[1].split()[0])

    def start_jobs(self, episode_ids: Sequence[int], engine: str = "argos") -> list[int]:
        """Queue one job per episode with concurrent ``translate`` commands; their job ids."""
        procs = [
            subprocess.Popen(
                [PYTHON, "manage.py", "translate", str(episode_id), "--engine", engine],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for episode_id in episode_ids
        ]
        job_ids = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-3000:]
            job_ids.append(int(out.split("Job ", 1)[1].split()[0]))
        return job_ids

    def model_loads(self) -> dict[int, int]:
        """CTranslate2 model loads per worker pid (workers spawned with ``count_loads``)."""
        loads: dict[int, int] = {}
        if self.load_log.exists():
            for line in self.load_log.read_text(encoding="utf-8").split():
                loads[int(line)] = loads.get(int(line), 0) + 1
        return loads

    # ---- reading the instance's database from the test process

    @contextmanager
    def connected(self) -> Iterator[str]:
        """Register the instance's database as a Django connection alias for the test."""
        import dj_database_url
        from django.db import connections

        cfg = dj_database_url.parse(self.database_url, conn_max_age=0)
        if cfg["ENGINE"] == "django.db.backends.sqlite3":
            cfg["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA busy_timeout=5000;"}
        connections.settings[self.alias] = connections.configure_settings({"default": cfg})[
            "default"
        ]
        try:
            yield self.alias
        finally:
            if hasattr(connections._connections, self.alias):
                connections[self.alias].close()
                delattr(connections._connections, self.alias)
            connections.settings.pop(self.alias, None)

    def job(self, job_id: int):
        from translator.models import TranslationJob

        return TranslationJob.objects.using(self.alias).get(pk=job_id)

    def machine_revisions_per_segment(self, episode_id: int) -> dict[int, int]:
        """segment id → number of "machine" revisions (every segment of the episode listed)."""
        from django.db.models import Count, Q

        from translator.models import Segment, SegmentRevision

        rows = (
            Segment.objects.using(self.alias)
            .filter(episode_id=episode_id)
            .annotate(
                machine=Count(
                    "revisions", filter=Q(revisions__action=SegmentRevision.Action.MACHINE)
                )
            )
            .values_list("pk", "machine")
        )
        return dict(rows)

    def segments(self, episode_id: int) -> list[Any]:
        from translator.models import Segment

        return list(
            Segment.objects.using(self.alias).filter(episode_id=episode_id).order_by("order")
        )


@contextmanager
def make_instance(root: Path, *, env: dict[str, str] | None = None) -> Iterator[Instance]:
    """A migrated :class:`Instance` on the suite's database engine, connected for reads."""
    server = _test_database_url()
    database = postgres_database(server) if server else _sqlite_database(root)
    with database as url:
        instance = Instance(root, url, env=env)
        try:
            instance.migrate()
            with instance.connected():
                yield instance
        finally:
            instance.stop_all()


@contextmanager
def _sqlite_database(root: Path) -> Iterator[str]:
    root.mkdir(parents=True, exist_ok=True)
    yield f"sqlite:///{root / 'jimaku.sqlite3'}"


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --------------------------------------------------------------------------- the kill scenario

EDITOR_SCRIPT = """
import json, sys, time
from django.contrib.auth.models import Group, User
from translator.models import Segment, TranslationJob
from translator.services.review import save_segment

job_id, threshold, picks = {job_id}, {threshold}, {picks}
user = User.objects.create_user("editor", password="Editor-pw-123!")
user.groups.add(Group.objects.get(name="translator"))
print("ready", flush=True)  # Django is up: the harness starts the worker only now
deadline = time.monotonic() + 120
while TranslationJob.objects.get(pk=job_id).done < threshold:
    if time.monotonic() > deadline:
        sys.exit("the job never reached the threshold")
    time.sleep(0.01)
job = TranslationJob.objects.get(pk=job_id)
ordered = list(Segment.objects.filter(episode_id=job.episode_id).order_by("order"))
edits = []
for index in picks:
    seg = ordered[index]
    seg.refresh_from_db()
    before = seg.status
    text = f"Editor's own words for segment {{seg.pk}}."
    save_segment(segment_id=seg.pk, text=text, base_version=seg.version, user=user)
    edits.append({{"id": seg.pk, "index": index, "before": before, "text": text}})
print(json.dumps(edits))
"""


def kill_and_resume(
    instance: Instance,
    model_file: Path,
    *,
    worker_args: Sequence[str],
    drain_args: Sequence[str],
    n_sentences: int = 1500,
    batch: int = 256,
) -> dict[str, Any]:
    """Run the kill-mid-job scenario; returns facts for the caller's extra assertions.

    1. A job over ``n_sentences`` is queued and a worker (``worker_args``) starts it.
    2. An editor process edits two segments the job has not reached yet (after its first batch).
    3. Once the job has passed the first edited segment (its batch was written, so the job met
       the edit), the worker is killed with SIGKILL, mid-job.
    4. ``resume_jobs --all`` re-enqueues it and another worker (``drain_args``) finishes it.
    Checks: the job succeeds; every other segment has exactly ONE machine revision (none lost,
    none translated twice); the edited segments keep the editor's text and have none.
    """
    instance.install_argos(model_file)
    episode_id = instance.import_episode(synthetic_transcript(n_sentences), title="Long episode")
    job_id = instance.start_job(episode_id)
    assert instance.job(job_id).total == n_sentences
    picks = [batch * 3 - 100, n_sentences - 1]  # inside the 3rd batch, and the very last row
    editor = subprocess.Popen(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            EDITOR_SCRIPT.format(job_id=job_id, threshold=batch, picks=picks),
        ],
        cwd=ROOT,
        env=instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A loaded machine can take seconds to start the editor's Django: with the worker already
    # running, the job could pass the segments before the editor sees the first batch.
    assert editor.stdout is not None
    for line in editor.stdout:  # Django's shell may print a line of its own first
        if line.strip() == "ready":
            break
    else:
        raise AssertionError(editor.stderr.read() if editor.stderr else "the editor stopped")
    worker = instance.spawn(*worker_args, name="worker-1", count_loads=True)
    try:
        out, err = editor.communicate(timeout=120)
    finally:
        if editor.poll() is None:
            editor.kill()
    assert editor.returncode == 0, err[-3000:] + instance.log_text("worker-1")
    edits = json.loads(out.strip().splitlines()[-1])
    assert [e["before"] for e in edits] == ["untranslated", "untranslated"], edits

    # Kill as soon as the job has written the batch holding the first edited segment.
    wait_for(
        lambda: instance.job(job_id).done >= batch * 3 or worker.poll() is not None,
        timeout_s=120,
        what="the first worker to pass the edited segment",
    )
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    killed = instance.job(job_id)
    assert killed.state == "running", (killed.state, instance.log_text("worker-1"))
    assert batch * 3 <= killed.done < killed.total, "the job was not killed mid-way"
    translated_before_kill = sum(
        1 for n in instance.machine_revisions_per_segment(episode_id).values() if n
    )

    resumed = instance.manage("resume_jobs", "--all")
    assert f"Resumed job {job_id}" in resumed, resumed
    drain = instance.spawn(*drain_args, name="worker-2", count_loads=True)
    try:
        drain.wait(timeout=180)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            "the second worker did not finish: " + instance.log_text("worker-2")
        ) from None

    job = instance.job(job_id)
    assert job.state == "succeeded", (job.state, job.error, instance.log_text("worker-2"))
    assert job.done == job.total == n_sentences

    edited = {e["id"]: e["text"] for e in edits}
    counts = instance.machine_revisions_per_segment(episode_id)
    assert len(counts) == n_sentences
    for seg in instance.segments(episode_id):
        if seg.pk in edited:
            assert counts[seg.pk] == 0, "the job translated a segment an editor had edited"
            assert (seg.status, seg.text, seg.machine_text) == ("edited", edited[seg.pk], "")
        else:
            assert counts[seg.pk] == 1, f"segment {seg.pk}: {counts[seg.pk]} machine revisions"
            assert seg.status == "machine" and seg.machine_text and seg.text == seg.machine_text
    return {
        "episode_id": episode_id,
        "job_id": job_id,
        "translated_before_kill": translated_before_kill,
        "done_at_kill": killed.done,
        "loads": instance.model_loads(),
    }


# --------------------------------------------------------------------------- parallel workers


def two_jobs_in_parallel(
    instance: Instance,
    model_file: Path,
    *,
    worker_args: Sequence[str],
    workers_ready: Callable[[], bool],
    big_sentences: int = 800,
) -> None:
    """Two workers, two long episodes queued together, then two short ones.

    Checks: all four jobs succeed; the two long jobs ran at the same time (so on both workers);
    every segment has exactly one machine revision; each worker process loaded the Argos
    model exactly once although four jobs ran on two workers.
    """
    inst = instance
    inst.install_argos(model_file)
    big = [
        inst.import_episode(synthetic_transcript(big_sentences, seed=s), title=f"Big {s}")
        for s in (1, 2)
    ]
    small = [
        inst.import_episode(synthetic_transcript(30, seed=s), title=f"Small {s}") for s in (3, 4)
    ]
    workers = [inst.spawn(*worker_args, name=f"worker-{i}", count_loads=True) for i in (1, 2)]
    wait_for(workers_ready, timeout_s=60, interval_s=0.1, what="two workers to start")
    jobs = inst.start_jobs(big) + inst.start_jobs(small)

    def all_finished() -> bool:
        return all(inst.job(j).state not in ("queued", "running") for j in jobs)

    wait_for(all_finished, timeout_s=180, interval_s=0.1, what="the four jobs")
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    finished = [inst.job(j) for j in jobs]
    assert [j.state for j in finished] == ["succeeded"] * 4, [(j.state, j.error) for j in finished]
    first, second = finished[:2]
    # The two long jobs overlapped in time: two workers ran them.
    assert first.started_at < second.finished_at and second.started_at < first.finished_at
    for job, episode_id in zip(finished, big + small, strict=True):
        counts = inst.machine_revisions_per_segment(episode_id)
        assert job.done == job.total == len(counts)
        assert set(counts.values()) == {1}, "a segment was lost or translated twice"
    # Four jobs on two workers: each worker process loaded the Argos model exactly once.
    loads = inst.model_loads()
    assert sorted(loads) == sorted(w.pid for w in workers)
    assert list(loads.values()) == [1, 1]
