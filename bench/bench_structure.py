"""Row structure edits (translator/services/structure.py) on a 5,000-segment episode: a source
edit, a split at the first row (every later row renumbered) and its merge back, and the undo of
a split, against an English save of the same row (review.save_segment) as the baseline; and
the SQL queries of a split at 100 and at 5,000 rows (constant: renumbering is two UPDATEs).

Throwaway SQLite database, as bench_review. ``python -m bench.run structure``.
"""

from __future__ import annotations

import statistics
import time

from bench.bench_review import _setup_django, synthetic_episode
from bench.common import Figure

SECTION = "Row structure edits"
N = 5000
REPEAT = 9


def _user():
    from tests.conftest import ensure_groups, make_user

    ensure_groups()
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(username="bench-structure").first()
    return existing or make_user("bench-structure", group="reviewer")


def _median(fn) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


class _Episode:
    """One synthetic episode and its first row, edited by one reviewer."""

    def __init__(self, n: int, user) -> None:
        from translator.models import Segment

        self.ep = synthetic_episode(n)
        self.row = Segment.objects.get(episode=self.ep, order=0)
        self.user = user
        self.count = 0

    def version(self) -> int:
        from translator.models import Segment

        return Segment.objects.values_list("version", flat=True).get(pk=self.row.pk)

    def split(self) -> None:
        from translator.services import structure

        structure.split_segment(
            segment_id=self.row.pk, at=8, base_version=self.version(), user=self.user
        )

    def merge(self) -> None:
        from translator.models import Segment
        from translator.services import structure

        nxt = Segment.objects.get(episode=self.ep, order=1)
        structure.merge_with_next(
            segment_id=self.row.pk,
            base_version=self.version(),
            next_version=nxt.version,
            user=self.user,
        )

    def split_merge(self) -> None:
        self.split()
        self.merge()

    def split_undo(self) -> None:
        from translator.services import actions

        self.split()
        act = actions.last_undoable(episode_id=self.ep.pk, user=self.user)
        actions.undo(action_id=act.pk, user=self.user)

    def save(self) -> None:
        from translator.services import review

        self.count += 1
        review.save_segment(
            segment_id=self.row.pk,
            text=f"English edit {self.count}.",
            base_version=self.version(),
            user=self.user,
        )

    def edit_source(self) -> None:
        from translator.services import structure

        self.count += 1
        structure.edit_source(
            segment_id=self.row.pk,
            source_text=f"Herokuのサポートに入って{self.count}年になります。",
            base_version=self.version(),
            user=self.user,
        )


def run() -> list[Figure]:
    _setup_django()
    user = _user()
    small = _Episode(100, user)
    small_queries = _queries(small.split)
    big = _Episode(N, user)
    big_queries = _queries(big.split)
    big.merge()
    save = _median(big.save)
    base = "English save of the row"
    return [
        Figure(
            SECTION,
            f"edit the Japanese of row 1 ({N:,} rows)",
            _median(big.edit_source),
            "s",
            base,
            save,
        ),
        Figure(
            SECTION,
            f"split row 1 and merge it back ({N:,} rows renumbered twice)",
            _median(big.split_merge),
            "s",
            base,
            save,
            note="two actions",
        ),
        Figure(
            SECTION,
            f"split row 1 and undo the split ({N:,} rows)",
            _median(big.split_undo),
            "s",
            base,
            save,
            note="two actions",
        ),
        Figure(
            SECTION,
            f"SQL queries of one split at {N:,} rows",
            float(big_queries),
            "queries",
            "at 100 rows",
            float(small_queries),
            note="the difference: same-source rows of the episode, read 500 ids at a time",
        ),
    ]


if __name__ == "__main__":
    for fig in run():
        print(fig)
