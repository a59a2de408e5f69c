"""Redis Queue backend (JIMAKU_TASK_BACKEND=rq) with real ``manage.py rqworker`` processes.

A real redis-server on 127.0.0.1; the product runs unchanged in subprocesses.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.scale.harness import kill_and_resume, synthetic_transcript, wait_for

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


def test_two_rq_workers_translate_two_episodes_in_parallel(rq_instance, argos_model_file, redis_url):
    import redis
    from rq import Worker

    inst = rq_instance
    inst.install_argos(argos_model_file)
    big = [inst.import_episode(synthetic_transcript(800, seed=s), title=f"Big {s}") for s in (1, 2)]
    small = [
        inst.import_episode(synthetic_transcript(30, seed=s), title=f"Small {s}") for s in (3, 4)
    ]
    workers = [inst.spawn(*RQ_WORKER, name=f"rq-{i}", count_loads=True) for i in (1, 2)]
    connection = redis.Redis.from_url(redis_url)
    wait_for(
        lambda: len(Worker.all(connection=connection)) == 2,
        timeout_s=60,
        interval_s=0.1,
        what="two RQ workers to register",
    )
    jobs = inst.start_jobs(big) + inst.start_jobs(small)

    def all_finished() -> bool:
        return all(inst.job(j).state not in ("queued", "running") for j in jobs)

    wait_for(all_finished, timeout_s=180, interval_s=0.1, what="the four jobs")
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    finished = [inst.job(j) for j in jobs]
    assert [j.state for j in finished] == ["succeeded"] * 4, [
        (j.state, j.error) for j in finished
    ]
    first, second = finished[:2]
    # The two long jobs ran at the same time, so on two workers.
    assert first.started_at < second.finished_at and second.started_at < first.finished_at
    for job, episode_id in zip(finished, big + small, strict=True):
        counts = inst.machine_revisions_per_segment(episode_id)
        assert job.done == job.total == len(counts)
        assert set(counts.values()) == {1}, "a segment was lost or translated twice"
    # Four jobs on two workers: each worker process loaded the Argos model exactly once.
    loads = inst.model_loads()
    assert sorted(loads) == sorted(w.pid for w in workers)
    assert list(loads.values()) == [1, 1]


def test_rq_worker_killed_mid_job_is_resumed_by_another(rq_instance, argos_model_file):
    facts = kill_and_resume(
        rq_instance,
        argos_model_file,
        worker_args=RQ_WORKER,
        drain_args=(*RQ_WORKER, "--burst"),
    )
    assert facts["translated_before_kill"] >= 3 * 256 - 1
    assert sorted(facts["loads"].values()) == [1, 1]
