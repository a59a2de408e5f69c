"""Scaling out: translation jobs per minute on 1 vs 2 real workers, worker memory, and the
review page's queries on PostgreSQL vs SQLite at 5,000 segments.

* Throughput: a throwaway installation (SQLite file, database task backend) with the tiny real
  Argos model from ``tests/support/argos_model.py``; ``manage.py db_worker`` processes, already
  started; several small episodes queued at once; jobs/minute from the jobs' own timestamps
  (first created → last finished). Baseline: the same with one worker.
* Memory: resident size of a ``db_worker`` after its Argos jobs vs the same worker idle.
* Queries: ``translator.selectors.review.review_page`` (what the review page runs) for the first
  and a middle page of a 5,000-segment episode, in a fresh process per database. PostgreSQL is
  started with ``scripts/postgres.sh`` (skipped with a note if it cannot start).

``python -m bench.bench_scale`` prints the figures.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Figure  # noqa: E402

SECTION = "Scaling out"
EPISODES_PER_ROUND = 4
SENTENCES_PER_EPISODE = 400
ROUNDS = 3
REVIEW_SEGMENTS = 5000
PG_DIR = "/tmp/jimaku-postgres-bench"


def _ensure_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        tmp = Path(tempfile.mkdtemp(prefix="jimaku-bench-scale-"))
        os.environ.setdefault("JIMAKU_DATA_DIR", str(tmp))
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
        os.environ.setdefault("DJANGO_DEBUG", "1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
        os.environ.setdefault("JIMAKU_LOG_LEVEL", "WARNING")
    django.setup()


# --------------------------------------------------------------------------- throughput

IMPORT = """
import json
from translator.core.requests import ImportRequest
from translator.services.importing import import_episode
paths = {paths}
request = ImportRequest(filename="bench.txt")
ids = [import_episode(data=open(p, "rb").read(), request=request).pk for p in paths]
print(json.dumps(ids))
"""

QUEUE = """
import json
from translator.services.translation import start_translation_job
print(json.dumps([start_translation_job(episode_id=e, engine="argos").pk for e in {ids}]))
"""


def _jobs_per_minute(workers: int, model_file: Path) -> tuple[float, list[int]]:
    """Median jobs/minute over ``ROUNDS`` rounds with ``workers`` db_workers; worker RSS (KiB)."""
    from tests.scale.harness import Instance, rss_kib, synthetic_transcript, wait_for
    from translator.models import TranslationJob

    root = Path(tempfile.mkdtemp(prefix=f"jimaku-bench-workers{workers}-"))
    inst = Instance(root, f"sqlite:///{root / 'jimaku.sqlite3'}")
    rates: list[float] = []
    rss: list[int] = []
    try:
        inst.migrate()
        inst.install_argos(model_file)
        paths = []
        for i in range(ROUNDS * EPISODES_PER_ROUND + workers):
            path = root / f"episode-{i}.txt"
            path.write_text(synthetic_transcript(SENTENCES_PER_EPISODE, seed=i), encoding="utf-8")
            paths.append(str(path))
        episode_ids = json.loads(
            inst.manage("shell", "-c", IMPORT.format(paths=paths)).splitlines()[-1]
        )
        procs = [
            inst.spawn(
                "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05", name=f"w{n}"
            )
            for n in range(workers)
        ]
        with inst.connected():

            def queue_and_wait(ids: list[int]) -> list[TranslationJob]:
                out = inst.manage("shell", "-c", QUEUE.format(ids=ids))
                job_ids = json.loads(out.splitlines()[-1])
                wait_for(
                    lambda: all(inst.job(j).state == "succeeded" for j in job_ids),
                    timeout_s=300,
                    interval_s=0.05,
                    what="benchmark jobs",
                )
                return [inst.job(j) for j in job_ids]

            for n in range(workers):
                wait_for(
                    lambda n=n: "Starting worker" in inst.log_text(f"w{n}"),
                    timeout_s=60,
                    interval_s=0.05,
                    what="db_worker to start",
                )
            time.sleep(0.5)
            idle = [rss_kib(p.pid) for p in procs]
            # Warm-up: one round of one job per worker (Python imports, model load).
            queue_and_wait(episode_ids[:workers])
            pending = episode_ids[workers:]
            for r in range(ROUNDS):
                jobs = queue_and_wait(
                    pending[r * EPISODES_PER_ROUND : (r + 1) * EPISODES_PER_ROUND]
                )
                first = min(j.created_at for j in jobs)
                last = max(j.finished_at for j in jobs)
                rates.append(len(jobs) * 60 / (last - first).total_seconds())
            rss = [rss_kib(p.pid) for p in procs] + idle
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=30)
    finally:
        inst.stop_all()
    return statistics.median(rates), rss


def _throughput_figures() -> list[Figure]:
    from tests.support.argos_model import build_argosmodel

    model = build_argosmodel(Path(tempfile.mkdtemp(prefix="jimaku-bench-model-")) / "m.argosmodel")
    one, rss_one = _jobs_per_minute(1, model)
    two, _ = _jobs_per_minute(2, model)
    after_kib, idle_kib = rss_one[0], rss_one[1]
    return [
        Figure(
            SECTION,
            f"jobs/minute, 2 db_workers ({EPISODES_PER_ROUND} episodes x "
            f"{SENTENCES_PER_EPISODE} sentences queued, tiny Argos model)",
            two,
            unit="jobs/min",
            baseline_name="1 db_worker",
            baseline_value=one,
            goal=">= 1.5x on 2 cores",
            note="scale-out ratio; real worker processes, SQLite WAL, ARGOS_BEAM_SIZE=1",
        ),
        Figure(
            SECTION,
            "db_worker resident memory after Argos jobs (tiny model)",
            after_kib / 1024,
            unit="MiB",
            baseline_name="same worker, idle",
            baseline_value=idle_kib / 1024,
            note="a real ja→en model adds its size (int8: ~100-200 MB)",
        ),
    ]


# --------------------------------------------------------------------------- review queries


def review_query_times() -> dict[str, float]:
    """In a fresh process on DATABASE_URL: migrate, build 5,000 segments, time review_page."""
    _ensure_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from bench.bench_review import synthetic_episode
    from bench.common import median_time
    from translator.selectors import review as review_selectors

    ep = synthetic_episode(REVIEW_SEGMENTS)
    filters = review_selectors.ReviewFilters()
    middle = REVIEW_SEGMENTS // filters.per_page // 2

    def page(number: int) -> None:
        data = review_selectors.review_page(episode=ep, filters=filters, page=number)
        assert len(data.rows) == filters.per_page

    search = review_selectors.ReviewFilters(q="毎日")
    return {
        "first": median_time(lambda: page(1), repeat=9, warmup=2),
        "middle": median_time(lambda: page(middle), repeat=9, warmup=2),
        "search": median_time(
            lambda: review_selectors.review_page(episode=ep, filters=search, page=middle),
            repeat=9,
            warmup=2,
        ),
    }


def _review_times_in(database_url: str) -> dict[str, float]:
    tmp = tempfile.mkdtemp(prefix="jimaku-bench-review-q-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JIMAKU_"))}
    env.update(
        DATABASE_URL=database_url,
        JIMAKU_DATA_DIR=tmp,
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="project.settings",
        JIMAKU_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_scale", "--review-queries"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _postgres(action: str) -> str:
    out = subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), action],
        env={**os.environ, "JIMAKU_PG_DIR": PG_DIR},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
    return out.stdout.strip()


def _query_figures() -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="jimaku-bench-sqlite-"))
    sqlite = _review_times_in(f"sqlite:///{tmp / 'review.sqlite3'}")
    try:
        url = _postgres("start")
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        note = f"PostgreSQL could not start ({exc}); SQLite only"
        return [
            Figure(SECTION, f"review page queries, {name} (SQLite)", value, note=note)
            for name, value in sqlite.items()
        ]
    try:
        pg = _review_times_in(url)
    finally:
        _postgres("stop")
    labels = {
        "first": "first page",
        "middle": f"middle page ({REVIEW_SEGMENTS // 200})",
        "search": "text search, middle page",
    }
    return [
        Figure(
            SECTION,
            f"review page queries at {REVIEW_SEGMENTS:,} segments, {labels[name]}: PostgreSQL 15",
            pg[name],
            baseline_name="SQLite (WAL, same data)",
            baseline_value=sqlite[name],
            note="translator.selectors.review.review_page, 100 rows; PG on 127.0.0.1 TCP",
        )
        for name in ("first", "middle", "search")
    ]


def run() -> list[Figure]:
    _ensure_django()
    return _throughput_figures() + _query_figures()


if __name__ == "__main__":
    if "--review-queries" in sys.argv:
        print(json.dumps(review_query_times()))
    else:
        for fig in run():
            ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else ""
            print(f"{fig.name}: {fig.value:.4g} {fig.unit} (baseline {fig.baseline_value}) {ratio}")
