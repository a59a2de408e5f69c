"""Redis Queue backend (JIMAKU_TASK_BACKEND=rq) with real ``manage.py rqworker`` processes.

A real redis-server on 127.0.0.1; the product runs unchanged in subprocesses.
"""

from __future__ import annotations

import pytest

from tests.scale.harness import kill_and_resume, two_jobs_in_parallel

pytestmark = [pytest.mark.redis, pytest.mark.scale, pytest.mark.slow]

RQ_WORKER = ("rqworker", "default", "--worker-ttl", "30")


@pytest.fixture
def rq_env(redis_url: str) -> dict[str, str]:
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # nothing left over from another test
    return {"JIMAKU_TASK_BACKEND": "rq", "JIMAKU_REDIS_URL": redis_url}


@pytest.fixture
def rq_instance(rq_env, tmp_path, django_db_blocker):
    from tests.scale.harness import make_instance

    with django_db_blocker.unblock(), make_instance(tmp_path / "instance", env=rq_env) as inst:
        yield inst


def test_settings_switch_to_rq(rq_instance):
    out = rq_instance.manage(
        "shell",
        "-c",
        "from django.conf import settings; from django_tasks import task_backends; "
        "print(type(task_backends['default']).__name__, settings.RQ['JOB_CLASS'])",
    )
    assert out.split()[-2:] == ["RQBackend", "django_tasks_rq.Job"]


def test_two_rq_workers_translate_two_episodes_in_parallel(
    rq_instance, argos_model_file, redis_url
):
    import redis
    from rq import Worker

    connection = redis.Redis.from_url(redis_url)
    two_jobs_in_parallel(
        rq_instance,
        argos_model_file,
        worker_args=RQ_WORKER,
        workers_ready=lambda: len(Worker.all(connection=connection)) == 2,
    )


def test_rq_worker_killed_mid_job_is_resumed_by_another(rq_instance, argos_model_file):
    facts = kill_and_resume(
        rq_instance,
        argos_model_file,
        worker_args=RQ_WORKER,
        drain_args=(*RQ_WORKER, "--burst"),
    )
    assert facts["translated_before_kill"] >= 3 * 256 - 1
    assert sorted(facts["loads"].values()) == [1, 1]
