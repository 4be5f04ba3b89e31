"""The job engine's tests switch from the tests' immediate backend to the database backend or to RQ over the
real Redis (VANTHU_TEST_REDIS_URL, default redis://127.0.0.1:6379/5; `.ci/run` starts it and requires it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

REDIS_URL = os.environ.get("VANTHU_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
CLOSED_PORT_URL = "redis://127.0.0.1:9/0?socket_connect_timeout=1"  # nothing listens on the discard port


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = [item for item in items if item.get_closest_marker("redis")]
    if not wanted or redis_answers():
        return
    if os.environ.get("VANTHU_REQUIRE_REDIS") == "1":
        raise pytest.UsageError(f"Redis does not answer at {REDIS_URL} and VANTHU_REQUIRE_REDIS=1")
    skip = pytest.mark.skip(reason=f"Redis does not answer at {REDIS_URL} (VANTHU_TEST_REDIS_URL)")
    for item in wanted:
        item.add_marker(skip)


@pytest.fixture
def database_engine(settings: Any) -> None:
    """Jobs go to django_tasks_db's table; tests run them with `run_worker()`."""
    settings.TASKS = {"default": {"BACKEND": "vanthu.jobs.backends.DatabaseBackend", "QUEUES": ["default"]}}


def redis_settings(settings: Any, url: str) -> None:
    settings.TASKS = {"default": {"BACKEND": "vanthu.jobs.backends.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}


@pytest.fixture
def redis_engine(settings: Any) -> Iterator[Any]:
    """Jobs go to RQ on the real Redis. One test at a time holds the test database of Redis (a lock in Redis
    itself, as pytest-xdist runs tests side by side), emptied before each test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    with client.lock("vanthu-tests:jobs-lock", timeout=300, blocking_timeout=300):
        for key in client.scan_iter("rq:*"):
            client.delete(key)
        redis_settings(settings, REDIS_URL)
        yield client
        for key in client.scan_iter("rq:*"):
            client.delete(key)


def run_worker(*, worker_id: str = "test-worker") -> None:
    """Run every job that is due now, in this process, then return (the database engine's --batch)."""
    from vanthu.jobs import worker

    worker.run(worker_id=worker_id, batch=True, periodic=False)


def run_rq_worker() -> None:
    """An RQ worker in burst mode, in this process (no fork: the test's database transaction is shared)."""
    import django_rq
    from django_tasks_rq.backend import Job

    from vanthu.jobs.worker import rq_worker_class

    django_rq.get_worker("default", job_class=Job, worker_class=rq_worker_class(fork=False), name="test-rq").work(
        burst=True, with_scheduler=False)
