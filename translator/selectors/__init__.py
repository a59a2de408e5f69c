"""Reads: every query a view, command or the benchmark runs to show something (no writes here).

This package is the one place for reads; services own the writes. The package itself holds
the reads shared by several pages (status counts, progress, the public page's fingerprint);
its modules hold one page's or panel's reads each:

* :mod:`translator.selectors.review` — the review page: filters, rows, pages, counters,
  speakers, glossary, history, diff, the revision a conflict shows;
* :mod:`translator.selectors.panels` — the episode page's job and timing panels;
* :mod:`translator.selectors.public` — the public transcript page's turns.

Rows are displayed by :mod:`translator.templatetags.review_rows`.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum

from translator.models import Episode, Segment

STATUSES = [s.value for s in Segment.Status]


def episodes_with_progress() -> QuerySet[Episode]:
    """Episodes annotated with per-status segment counts and last activity: one query."""
    annotations = {
        f"n_{status}": Count("segments", filter=Q(segments__status=status)) for status in STATUSES
    }
    return Episode.objects.annotate(
        n_segments=Count("segments"),
        last_activity=Max("segments__updated_at"),
        **annotations,
    ).order_by("-updated_at", "-id")


def status_counts(episode_id: int) -> dict[str, int]:
    rows = (
        Segment.objects.filter(episode_id=episode_id)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status: 0 for status in STATUSES}
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in STATUSES)
    return counts


def progress_parts(counts: dict[str, int]) -> list[tuple[str, int, float]]:
    """(status, count, percent) for the stacked progress bar, approved first."""
    total = sum(counts.get(s, 0) for s in STATUSES) or 1
    order = ["approved", "edited", "memory", "machine", "untranslated"]
    return [(s, counts.get(s, 0), round(100 * counts.get(s, 0) / total, 2)) for s in order]


def public_page_fingerprint(episode: Episode) -> tuple[tuple, datetime.datetime]:
    """What the public transcript page shows, summarised in a few aggregates (three queries).

    Every write that changes text or status bumps the segment's ``version`` (compare-and-set
    saves, machine translation, approval: the page marks what is not reviewed, or leaves it out
    with ``publish_approved_only``, which is part of the fingerprint too), the cue times move with the episode's ``updated_at``
    (alignment) and are summed here as well, speaker names are read whole. Equal fingerprints
    mean an equal page, so the rendered page can be reused; a different one means a new
    rendering (and a new ETag if the text differs). Also returns the newest change time seen
    (for ``Last-Modified``)."""
    from translator.models import Cue, Speaker

    segments = Segment.objects.filter(episode_id=episode.pk).aggregate(
        n=Count("id"),
        versions=Sum("version"),
        last_id=Max("id"),
        orders=Sum("order"),
        changed=Max("updated_at"),
    )
    cues = Cue.objects.filter(segment__episode_id=episode.pk).aggregate(
        # versions: every retime moves one (a start and an end moved by the same amount in
        # two cues would leave the sums as they were)
        n=Count("id"),
        starts=Sum("start_ms"),
        ends=Sum("end_ms"),
        versions=Sum("version"),
    )
    speakers = tuple(
        Speaker.objects.filter(episode_id=episode.pk)
        .order_by("id")
        .values_list("label", "display_name")
    )
    stamps = [episode.updated_at, episode.published_at, segments["changed"]]
    fingerprint = (
        episode.pk,
        str(episode.public_id),
        episode.updated_at,
        episode.published_at,
        episode.published,
        episode.publish_approved_only,
        episode.title,
        episode.title_en,
        episode.media_url,
        episode.media_file.name if episode.media_file else "",
        tuple(sorted(segments.items())),
        tuple(sorted(cues.items())),
        speakers,
    )
    return fingerprint, max(s for s in stamps if s is not None)
