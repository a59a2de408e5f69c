"""The RQ worker class Jimaku's settings select (JIMAKU_TASK_BACKEND=rq).

``SimpleWorker`` runs jobs inside the worker process (no fork per job), so the engine
registry's cached Argos model loads once per worker. A long-lived worker must not keep a
database connection that went away (database restart, idle timeout): like Django does around
each request, stale connections are closed before and after every job.
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from rq.worker import SimpleWorker


class JimakuWorker(SimpleWorker):
    def execute_job(self, job: Any, queue: Any) -> Any:
        close_old_connections()
        try:
            return super().execute_job(job, queue)
        finally:
            close_old_connections()
