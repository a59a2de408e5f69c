"""A real ``manage.py db_worker`` killed with SIGKILL mid-job; the job resumes in another worker.

Nothing is lost or translated twice (exactly one "machine" revision per segment), and two
segments an editor changed while the job ran keep the editor's words.
"""

from __future__ import annotations

import pytest

from tests.scale import fixtures
from tests.scale.harness import kill_and_resume

# The fixtures of tests/scale (a migrated installation for subprocesses, the tiny Argos model).
instance = fixtures.instance
argos_model_file = fixtures.argos_model_file

pytestmark = [pytest.mark.scale, pytest.mark.slow]

DB_WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05")


def test_db_worker_killed_mid_job_is_resumed_by_another(instance, argos_model_file):
    facts = kill_and_resume(
        instance,
        argos_model_file,
        worker_args=DB_WORKER,
        drain_args=(*DB_WORKER, "--batch"),
    )
    # The first worker had written whole batches before it died; the second did the rest.
    assert facts["translated_before_kill"] >= 3 * 256 - 1
    # One model load in each worker process.
    assert sorted(facts["loads"].values()) == [1, 1]
