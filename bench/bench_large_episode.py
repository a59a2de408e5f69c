"""A 10,000-segment episode (a five-hour event, or a season compiled) against a 340-segment one.

Both sizes go through the same steps in the same run, in one throwaway SQLite database: import
(a transcript page, the real import path), the translation job (tiny real Argos model, beam 1,
run in this process as ``translate --wait`` does), the review page (first, middle and last page,
a status filter, a text search), every export format, backup (project file) and restore, and
the public page (first rendering, then the cached one).

Times are CPU time of this process (the database is SQLite, in-process), so the ratios hold on a
busy machine; both sizes run interleaved (the whole-episode steps round by round, the pages and
exports call by call) and each figure is a median. The heap start-up left (Django, the model,
the harness) is frozen out of the cycle collector (``gc.freeze``) before measuring: otherwise
every full collection walks it, and a 10,000-segment step, allocating more, pays for more such
walks per segment -- a cost of the harness's heap, not of the step. Figures: per-segment time at 10,000 against per-segment time at 340 (goal <= 1x: linear or
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure, cpu_timed  # noqa: E402
from translator.core.requests import ExportRequest, ImportRequest  # noqa: E402

SECTION = "A 10,000-segment episode"
SMALL, LARGE = 340, 10_000
EXPORTS = ("srt", "vtt", "ass", "md", "html", "txt", "project")
ROUNDS = 2  # whole-episode steps at 10,000 segments (import, job, backup, restore)
SMALL_RUNS = 3  # ... and at 340, per round
REPEAT = 5  # each page and export, per size


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


_timed = cpu_timed  # CPU time, the cycle collector paused (bench.common)


def _path(n: int) -> tuple[dict[str, float], Any]:
    """The steps that touch every segment once each, on a new ``n``-sentence episode: import,
    translation job, backup, restore. Seconds per step, and the episode."""
    from tests.scale.harness import synthetic_transcript
    from translator.services import backup, importing, translation

    times: dict[str, float] = {}
    data = synthetic_transcript(n, seed=n).encode("utf-8")
    # Five hours for 10,000 sentences (1.8 s each), the same rate for the small episode.
    times["import"], episode = _timed(
        lambda: importing.import_episode(
            data=data, request=ImportRequest(filename=f"event-{n}.txt", duration_ms=n * 1800)
        )
    )

    def translate() -> Any:
        job = translation.start_translation_job(
            episode_id=episode.pk, engine="argos", enqueue=False
        )
        return translation.run_translation_job(job_id=job.pk)

    times["translation job"], job = _timed(translate)
    assert job.state == "succeeded", (job.state, job.error)
    times["backup"], dumped = _timed(lambda: backup.dumps_project(episode_id=episode.pk))
    times["restore"], restored = _timed(lambda: backup.import_project(data=dumped))
    assert restored.segments.count() == episode.segments.count()
    return times, episode


def _pages(episode: Any, client: Any) -> dict[str, Callable[[], None]]:
    """The review pages, every export and the public page of ``episode``, as callables."""
    from translator.services import exporting
    from translator.views.public import public_pages

    last = (episode.segments.count() + 99) // 100
    queries = {
        "review page, first": "?page=1",
        "review page, middle": f"?page={max(1, last // 2)}",
        "review page, last": f"?page={last}",
        "review page, status filter": "?status=machine&page=2",
        "review page, text search": "?q=%E6%96%B0%E5%B9%B9%E7%B7%9A",  # 新幹線
    }
    steps: dict[str, Callable[[], None]] = {}
    for name, query in queries.items():

        def get(url: str = f"/episodes/{episode.pk}/{query}") -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        steps[name] = get
    for fmt in EXPORTS:
        steps[f"export {fmt}"] = lambda fmt=fmt: exporting.export_file(
            episode=episode, request=ExportRequest(format=fmt)
        )
    public = f"/p/{episode.public_id}/"

    def render_public() -> None:
        public_pages.clear()
        assert client.get(public).status_code == 200

    def cached_public() -> None:
        assert client.get(public).status_code == 200

    steps["public page, rendered"] = render_public
    steps["public page, cached"] = cached_public
    return steps


def measure(*, client: Any, rounds: int, small_runs: int, repeat: int) -> dict[int, dict[str, Any]]:
    """Both sizes, interleaved, so a neighbour's load falls on both alike.

    The whole-episode steps (import, job, backup, restore) run ``rounds`` times at 10,000
    segments and ``small_runs`` times per round at 340, alternating; the pages and exports
    ``repeat`` times each, alternating sizes call by call. Medians; queries per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from translator.models import Episode

    runs: dict[int, dict[str, list[float]]] = {SMALL: {}, LARGE: {}}
    episodes: dict[int, Any] = {}
    for _ in range(rounds):
        for n, count in ((SMALL, small_runs), (LARGE, 1)):
            for _ in range(count):
                times, episodes[n] = _path(n)
                for name, seconds in times.items():
                    runs[n].setdefault(name, []).append(seconds)
    steps: dict[int, dict[str, Callable[[], None]]] = {}
    for n, episode in episodes.items():
        Episode.objects.filter(pk=episode.pk).update(published=True)
        episode.refresh_from_db()
        steps[n] = _pages(episode, client)
    queries: dict[int, dict[str, int]] = {SMALL: {}, LARGE: {}}
    for name in steps[SMALL]:
        for n in (SMALL, LARGE):  # warm-up, and the queries it runs
            with CaptureQueriesContext(connection) as captured:
                steps[n][name]()
            if not name.startswith("export"):
                queries[n][name] = len(captured)
        for _ in range(repeat):
            for n in (SMALL, LARGE):
                runs[n].setdefault(name, []).append(_timed(steps[n][name])[0])
    return {
        n: {
            "segments": episodes[n].segments.count(),
            "times": {name: statistics.median(values) for name, values in runs[n].items()},
            "runs": {name: len(values) for name, values in runs[n].items()},
            "queries": queries[n],
        }
        for n in (SMALL, LARGE)
    }


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
                note=(
                    f"{tl:.2f} s in all at {nl:,}; {ts * 1000:.0f} ms at {ns}; CPU time, median "
                    f"of {large['runs'][name]} and {small['runs'][name]} interleaved runs"
                ),
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
            _path(SMALL)  # warm-up: MeCab, the Argos model, templates
            # What start-up loaded (Django, the app, the model, this harness) stays for the
            # process's life: frozen, the cycle collector's full passes skip it, as they would
            # in a worker that froze its settled heap. Unfrozen, each full pass walks it all,
            # and a 10,000-segment step triggers more of them per segment than a 340 one.
            gc.collect()
            gc.freeze()
            sizes = measure(client=client, rounds=ROUNDS, small_runs=SMALL_RUNS, repeat=REPEAT)
        finally:
            gc.unfreeze()
            reset_engines()
    return _figures(sizes[SMALL], sizes[LARGE])


if __name__ == "__main__":
    for fig in run():
        ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else ""
        print(f"{fig.name}: {fig.value:.4g} {fig.unit} {ratio} {fig.note}")
