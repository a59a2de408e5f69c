"""Reads shared by views, commands and the benchmark (no writes here)."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

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
