"""A 10,000-segment episode (a five-hour event, or a season compiled) against a 340-segment one.

Both sizes go through the same steps in the same run, in one throwaway SQLite database: import
(a transcript page, the real import path), the translation job (tiny real Argos model, beam 1,
run in this process as ``translate --wait`` does), the review page (first, middle and last page,
a status filter, a text search), every export format, backup (project file) and restore, and
the public page (first rendering, then the cached one).

Times are CPU time of this process (the database is SQLite, in-process), so the ratios hold on a
busy machine. Figures: per-segment time at 10,000 against per-segment time at 340 (goal <= 1x: linear or
better) for the steps that touch every segment; page time at 10,000 against 340 for the pages
(100 rows each: goal about 1x); SQL queries per page at both sizes (goal: equal).
``python -m bench.bench_large_episode`` prints the figures.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure  # noqa: E402
from translator.core.requests import ExportRequest, ImportRequest  # noqa: E402

SECTION = "A 10,000-segment episode"
SMALL, LARGE = 340, 10_000
EXPORTS = ("srt", "vtt", "ass", "md", "html", "txt", "project")


def _setup_django(tmp: Path) -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        os.environ["JIMAKU_DATA_DIR"] = str(tmp)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_DEBUG", "1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
        os.environ.setdefault("JIMAKU_LOG_LEVEL", "WARNING")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """CPU time of ``fn()`` in this process (SQLite runs in it too): on 2 cores shared with
    other work, wall time mostly measures the neighbours. A full garbage collection first, so
    one step does not pay for the garbage of the one before."""
    gc.collect()
    start = time.process_time()
    value = fn()
    return time.process_time() - start, value


def _median(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    return statistics.median(_timed(fn)[0] for _ in range(repeat))


def measure(n: int, *, client: Any, repeat: int) -> dict[str, Any]:
    """Every step at ``n`` segments: seconds per step and queries per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.scale.harness import synthetic_transcript
    from translator.models import Episode
    from translator.services import backup, exporting, importing, translation
    from translator.views.public import public_pages

    times: dict[str, float] = {}
    queries: dict[str, int] = {}
    data = synthetic_transcript(n, seed=n).encode("utf-8")
    # Five hours for 10,000 sentences (1.8 s each), the same rate for the small episode.
    times["import"], episode = _timed(
        lambda: importing.import_episode(
            data=data, request=ImportRequest(filename=f"event-{n}.txt", duration_ms=n * 1800)
        )
    )
    segments = episode.segments.count()

    def translate() -> Any:
        job = translation.start_translation_job(
            episode_id=episode.pk, engine="argos", enqueue=False
        )
        return translation.run_translation_job(job_id=job.pk)

    times["translation job"], job = _timed(translate)
    assert job.state == "succeeded", (job.state, job.error)

    last = (segments + 99) // 100
    pages = {
        "review page, first": "?page=1",
        "review page, middle": f"?page={max(1, last // 2)}",
        "review page, last": f"?page={last}",
        "review page, status filter": "?status=machine&page=2",
        "review page, text search": "?q=%E6%96%B0%E5%B9%B9%E7%B7%9A",  # 新幹線
    }
    for name, query in pages.items():
        url = f"/episodes/{episode.pk}/{query}"

        def get(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        times[name] = _median(get, repeat)
        with CaptureQueriesContext(connection) as captured:
            get()
        queries[name] = len(captured)

    for fmt in EXPORTS:
        times[f"export {fmt}"] = _median(
            lambda fmt=fmt: exporting.export_file(
                episode=episode, request=ExportRequest(format=fmt)
            ),
            repeat,
        )
    times["backup"], dumped = _timed(lambda: backup.dumps_project(episode_id=episode.pk))
    times["restore"], restored = _timed(lambda: backup.import_project(data=dumped))
    assert restored.segments.count() == segments

    Episode.objects.filter(pk=episode.pk).update(published=True)
    public = f"/p/{episode.public_id}/"

    def render_public() -> None:
        public_pages.clear()
        assert client.get(public).status_code == 200

    def cached_public() -> None:
        assert client.get(public).status_code == 200

    times["public page, rendered"] = _median(render_public, repeat)
    times["public page, cached"] = _median(cached_public, repeat)
    for name, fn in (
        ("public page, rendered", render_public),
        ("public page, cached", cached_public),
    ):
        with CaptureQueriesContext(connection) as captured:
            fn()
        queries[name] = len(captured)
    return {"segments": segments, "times": times, "queries": queries}


PER_SEGMENT = ("import", "translation job", "backup", "restore", "public page, rendered") + tuple(
    f"export {f}" for f in EXPORTS
)


def _figures(small: dict[str, Any], large: dict[str, Any]) -> list[Figure]:
    figures = []
    ns, nl = small["segments"], large["segments"]
    for name in PER_SEGMENT:
        ts, tl = small["times"][name], large["times"][name]
        figures.append(
            Figure(
                SECTION,
                f"{name}: time per segment at {nl:,} segments",
                tl / nl,
                baseline_name=f"at {ns} segments",
                baseline_value=ts / ns,
                goal="<= 1x (linear or better)",
                note=f"{tl:.2f} s in all at {nl:,}; {ts * 1000:.0f} ms at {ns}",
            )
        )
    for name, queries in large["queries"].items():
        ts, tl = small["times"][name], large["times"][name]
        figures.append(
            Figure(
                SECTION,
                f"{name} at {nl:,} segments",
                tl,
                baseline_name=f"at {ns} segments",
                baseline_value=ts,
                goal="~1x (100 rows a page)" if name.startswith("review") else "",
                note=f"{queries} SQL queries (at {ns}: {small['queries'][name]}; goal: equal)",
            )
        )
    return figures


def run() -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="jimaku-bench-large-"))
    _setup_django(tmp)
    from django.contrib.auth.models import Group, User
    from django.test import Client, override_settings

    from tests.support.argos_model import build_argosmodel
    from translator.engines.argos_packages import install_from_file
    from translator.engines.registry import reset_engines

    packages = tmp / "argos-packages"
    install_from_file(build_argosmodel(tmp / "copy.argosmodel"), packages)
    engines = {
        "argos": {
            "CLASS": "translator.engines.argos.ArgosEngine",
            "OPTIONS": {"packages_dir": str(packages), "beam_size": 1},
        }
    }
    user, _ = User.objects.get_or_create(username="bench-large-reviewer")
    user.groups.add(Group.objects.get(name="reviewer"))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    with override_settings(TRANSLATION_ENGINES=engines):
        reset_engines()
        try:
            small = measure(SMALL, client=client, repeat=7)
            large = measure(LARGE, client=client, repeat=2)
        finally:
            reset_engines()
    return _figures(small, large)


if __name__ == "__main__":
    for fig in run():
        ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else ""
        print(f"{fig.name}: {fig.value:.4g} {fig.unit} {ratio} {fig.note}")
