"""Reading an episode for export costs the same SQL at any size (a growth test, not timed).

The cues used to come through ``prefetch_related``, whose ``IN`` list named every segment: the
SQL grew with the episode and a 10,000-segment episode took more than linear time to read.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.bench_review import synthetic_episode
from translator.services.exporting import export_episode_data

pytestmark = pytest.mark.django_db


def _sql(n: int) -> tuple[int, int, int]:
    episode = synthetic_episode(n)
    with CaptureQueriesContext(connection) as captured:
        data = export_episode_data(episode)
    assert len(data.segments) == n and all(len(s.cues) == 2 for s in data.segments)
    assert [c.start_ms for c in data.segments[-1].cues] == [(n - 1) * 4000, (n - 1) * 4000 + 2000]
    assert data.segments[1].speaker == "Tomono"
    return len(captured), max(len(q["sql"]) for q in captured), sum(len(q["sql"]) for q in captured)


def test_export_reads_an_episode_in_the_same_queries_at_any_size():
    small, large = _sql(20), _sql(600)
    assert small[0] == large[0] == 4  # speakers, cues, glossary, segments
    # Only the episode id differs between the two runs: the SQL does not list the segments.
    assert abs(large[2] - small[2]) <= 16, (small, large)
