"""What the three kinds of background job (translation, large import, audio timing) share
when their worker dies: whether a job stopped reporting, whether its task still waits in the
queue, and which active jobs to queue again (``manage.py resume_jobs``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, TypeVar

from django.utils import timezone

from translator.models import BackgroundJob

Job = TypeVar("Job", bound=BackgroundJob)


def is_stale(job: BackgroundJob, *, after: timedelta) -> bool:
    """An active job whose worker has said nothing for ``after``."""
    if job.state not in job.ACTIVE_STATES:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return timezone.now() - last > after


def task_waiting(task: Any, job: BackgroundJob) -> bool:
    """True while the job's task is still queued (a worker will pick it up)."""
    if not job.task_id:
        return False
    from django_tasks import TaskResultStatus

    try:
        return task.get_result(job.task_id).status == TaskResultStatus.READY
    except Exception:  # unknown id, or a backend that cannot look results up
        return False


def to_resume(model: type[Job], *, task: Any, after: timedelta, force: bool) -> Iterator[Job]:
    """Active jobs of ``model`` to queue again: stale for ``after`` (``force``: every active
    one, for when no worker runs) and whose task is not waiting in the queue."""
    for job in model.objects.filter(state__in=model.ACTIVE_STATES):
        if (force or is_stale(job, after=after)) and not task_waiting(task, job):
            yield job
