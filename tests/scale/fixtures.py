"""Fixtures for tests with real worker processes (import them into a test module or conftest)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.harness import Instance, free_port, make_instance, wait_for
from tests.support.argos_model import build_argosmodel

__all__ = ["argos_model_file", "instance", "redis_url"]


@pytest.fixture(scope="session")
def argos_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real tiny ja→en ``.argosmodel`` (copies its input), built once per session."""
    return build_argosmodel(tmp_path_factory.mktemp("scale-model") / "copy.argosmodel")


@pytest.fixture
def instance(tmp_path: Path, django_db_blocker) -> Iterator[Instance]:
    """A migrated Jimaku installation (own database) for subprocesses, readable from the test."""
    with django_db_blocker.unblock(), make_instance(tmp_path / "instance") as inst:
        yield inst


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server on 127.0.0.1 (no persistence) for the session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "redis-server is not installed (Debian package redis-server; make test installs it)"
        )
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url)

        def ready() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                assert proc.poll() is None, "redis-server exited at start"
                return False

        wait_for(ready, timeout_s=10, interval_s=0.05, what="redis-server")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
