"""Database task backend (the default) with two real ``manage.py db_worker`` processes."""

from __future__ import annotations

import pytest

from tests.scale.harness import two_jobs_in_parallel

pytestmark = [pytest.mark.scale, pytest.mark.slow]

DB_WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05")


def test_two_db_workers_translate_two_episodes_in_parallel(instance, argos_model_file):
    two_jobs_in_parallel(
        instance,
        argos_model_file,
        worker_args=DB_WORKER,
        workers_ready=lambda: all(
            "Starting worker" in instance.log_text(f"worker-{i}") for i in (1, 2)
        ),
    )
