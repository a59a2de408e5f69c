"""The 10,000-segment path (bench/bench_large_episode.py) in a smaller form: 2,000 segments.

Every step works at that size -- import, the translation job (tiny real Argos model), the review
page's first, middle and last page and its filters, each export format, backup and restore, the
public page -- and no page's SQL query count grows with the episode: the same pages at 120
segments run exactly as many queries.
"""

from __future__ import annotations

import pysubs2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.scale.harness import synthetic_transcript
from translator.core.requests import ExportRequest, ImportRequest
from translator.models import Episode, Segment
from translator.services import backup, exporting, importing, translation
from translator.views.public import public_pages

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SMALL, LARGE = 120, 2000
FORMATS = ("srt", "vtt", "ass", "md", "html", "txt", "project")


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def _episode_path(n: int, client) -> dict[str, int]:
    """Run the whole path on an ``n``-sentence episode; SQL queries of each page and export."""
    data = synthetic_transcript(n, seed=n).encode("utf-8")
    episode = importing.import_episode(data=data, request=ImportRequest(filename=f"event-{n}.txt"))
    assert episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).count() == n

    job = translation.start_translation_job(episode_id=episode.pk, engine="argos", enqueue=False)
    job = translation.run_translation_job(job_id=job.pk)
    assert (job.state, job.done, job.total) == ("succeeded", n, n)
    assert not episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).exclude(
        status=Segment.Status.MACHINE
    )

    counts: dict[str, int] = {}
    total = episode.segments.count()
    last = (total + 99) // 100
    last_segment = episode.segments.order_by("-order").first()
    pages = {
        "first": "?page=1",
        "middle": f"?page={max(1, last // 2)}",
        "last": f"?page={last}",
        "status": "?status=machine&page=2",
        "search": "?q=%E6%96%B0%E5%B9%B9%E7%B7%9A",  # 新幹線
    }
    for name, query in pages.items():
        url = f"/episodes/{episode.pk}/{query}"
        response = client.get(url)
        assert response.status_code == 200, url
        if name == "last":
            assert f'id="seg-{last_segment.pk}"' in response.text
        counts[f"review {name}"] = _queries(lambda url=url: client.get(url))

    for fmt in FORMATS:
        exported = exporting.export_file(episode=episode, request=ExportRequest(format=fmt))
        assert exported.content, fmt
        if fmt == "srt":
            assert len(pysubs2.SSAFile.from_string(exported.content)) >= n
        counts[f"export {fmt}"] = _queries(
            lambda fmt=fmt: exporting.export_file(
                episode=episode, request=ExportRequest(format=fmt)
            )
        )

    restored = backup.import_project(data=backup.dumps_project(episode_id=episode.pk))
    assert restored.segments.count() == total
    assert list(restored.segments.order_by("order").values_list("text", flat=True)) == list(
        episode.segments.order_by("order").values_list("text", flat=True)
    )

    Episode.objects.filter(pk=episode.pk).update(published=True)
    url = f"/p/{episode.public_id}/"
    client.logout()  # a reader
    public_pages.clear()
    body = client.get(url).text
    assert last_segment.text.replace("'", "&#x27;") in body
    public_pages.clear()
    counts["public rendered"] = _queries(lambda: client.get(url))
    counts["public cached"] = _queries(lambda: client.get(url))
    return counts


def test_a_2000_segment_episode_runs_the_whole_path_in_constant_queries(
    client, reviewer_user, argos_settings
):
    client.force_login(reviewer_user)
    small = _episode_path(SMALL, client)
    client.force_login(reviewer_user)
    large = _episode_path(LARGE, client)
    assert large == small
