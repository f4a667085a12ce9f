"""The durable job queue on both databases: exactly the committed jobs run, failures retry,
a dead worker's jobs are taken over, and concurrent workers never run a job twice at once."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from openkyc.clock import FrozenClock
from openkyc.db.models import Job
from openkyc.db.session import Database
from openkyc.jobs import queue, repository
from openkyc.jobs.worker import Handler, Worker
from tests.fixtures.waiting import until


@pytest.fixture
def real_database(engines: dict[str, Engine], backend: str) -> Database:
    """Committed transactions, as workers in other threads need."""
    return Database.from_engine(engines[backend])


@pytest.fixture
def kind() -> str:
    # A kind of its own per test keeps other tests' leftover jobs out of this test's workers.
    return f"test-{uuid.uuid4().hex[:10]}"


def _enqueue(database: Database, kind: str, count: int = 1, **options: Any) -> list[str]:
    with database.write_sessionmaker.begin() as session:
        return [
            queue.enqueue(session, "org_jobs", kind, {"n": n}, **options).id for n in range(count)
        ]


def _job(database: Database, job_id: str) -> Job:
    with database.sessionmaker() as session:
        job = repository.get(session, job_id)
        assert job is not None
        return job


def _wait(predicate: Callable[[], object], seconds: float = 10) -> None:
    """Until another thread (a worker) has done what ``predicate`` checks."""
    until(predicate, seconds, "the workers")


@pytest.fixture
def started() -> Iterator[list[Worker]]:
    workers: list[Worker] = []
    yield workers
    for worker in workers:
        worker.stop()


def test_a_job_exists_only_if_its_transaction_commits(database: Database, kind: str) -> None:
    with database.write_sessionmaker() as session:
        queue.enqueue(session, "org_jobs", kind, {})
        session.rollback()
    with database.sessionmaker() as session:
        assert repository.for_organization(session, "org_jobs", kind) == []


def test_a_committed_job_runs_at_once_and_is_done(
    real_database: Database, kind: str, started: list[Worker]
) -> None:
    seen: list[dict] = []
    worker = Worker(
        real_database.write_sessionmaker,
        {kind: Handler(lambda job: seen.append(job.payload))},
        poll_seconds=3600,
    )
    worker.start()
    started.append(worker)
    # A first job brings the worker to its wait, its next poll an hour away ...
    [first_id] = _enqueue(real_database, kind)
    _wait(lambda: _job(real_database, first_id).status == "done", seconds=60)
    # ... so only the commit can wake it for the second.
    [job_id] = _enqueue(real_database, kind)
    _wait(lambda: _job(real_database, job_id).status == "done", seconds=60)
    assert seen == [{"n": 0}, {"n": 0}]
    assert _job(real_database, job_id).attempts == 1


def test_failures_retry_with_back_off_then_succeed(
    real_database: Database, kind: str, clock: FrozenClock
) -> None:
    calls = Counter[str]()

    def flaky(job: Job) -> None:
        calls[job.id] += 1
        if calls[job.id] < 3:
            raise RuntimeError("receiver down")

    # The worker's rounds, one at a time: a retry is due only once its back-off has passed.
    worker = Worker(real_database.write_sessionmaker, {kind: Handler(flaky)}, retry_base_seconds=2)
    [job_id] = _enqueue(real_database, kind)
    for attempt, nominal in [(1, 2.0), (2, 4.0)]:
        assert worker.run_one()
        job = _job(real_database, job_id)
        assert (job.status, job.attempts) == ("queued", attempt)
        waits = (job.run_after - clock.now()).total_seconds()  # jittered by ±25 %
        assert 0.75 * nominal <= waits <= 1.25 * nominal
        clock.advance(seconds=0.7 * nominal)
        assert not worker.run_one()
        clock.advance(seconds=0.6 * nominal)
    assert worker.run_one()
    job = _job(real_database, job_id)
    assert (job.status, job.attempts, calls[job_id]) == ("done", 3, 3)
    assert "receiver down" in (job.last_error or "")


def test_the_last_failure_gives_up_once(
    real_database: Database, kind: str, clock: FrozenClock
) -> None:
    gave_up: list[tuple[str, str]] = []

    def broken(job: Job) -> None:
        raise ValueError("cannot read this file")

    handler = Handler(
        broken, gave_up=lambda job, error: gave_up.append((job.id, error.splitlines()[-1]))
    )
    worker = Worker(real_database.write_sessionmaker, {kind: handler}, retry_base_seconds=2)
    [job_id] = _enqueue(real_database, kind, max_attempts=2)
    assert worker.run_one()
    assert gave_up == []
    clock.advance(seconds=3)
    assert worker.run_one()
    clock.advance(hours=1)
    assert not worker.run_one()
    assert gave_up == [(job_id, "ValueError: cannot read this file")]
    job = _job(real_database, job_id)
    assert (job.status, job.attempts) == ("failed", 2)


def test_a_dead_workers_job_is_taken_over_after_its_lease(
    real_database: Database, kind: str, clock: FrozenClock
) -> None:
    [job_id] = _enqueue(real_database, kind)
    with real_database.write_sessionmaker.begin() as session:
        # A worker claims the job and dies without a word.
        assert [
            j.id for j in queue.claim(session, "dead-worker", [kind], timedelta(seconds=30))
        ] == [job_id]
    ran: list[str] = []
    worker = Worker(
        real_database.write_sessionmaker, {kind: Handler(lambda job: ran.append(job.id))}
    )
    clock.advance(seconds=29)
    assert not worker.run_one()
    assert ran == []
    clock.advance(seconds=2)
    assert worker.run_one()
    job = _job(real_database, job_id)
    assert (ran, job.status, job.attempts) == ([job_id], "done", 2)
    assert job.worker_id == worker.name


def test_concurrent_workers_run_each_job_once(
    real_database: Database, kind: str, started: list[Worker]
) -> None:
    runs = Counter[int]()
    lock = threading.Lock()

    def count(job: Job) -> None:
        with lock:
            runs[job.payload["n"]] += 1

    for index in range(3):
        worker = Worker(
            real_database.write_sessionmaker,
            {kind: Handler(count)},
            threads=2,
            poll_seconds=0.02,
            name=f"w{index}",
        )
        worker.start()
        started.append(worker)
    job_ids = _enqueue(real_database, kind, count=60)
    # A handler returns before its worker records the job done: wait for the records.
    _wait(lambda: {_job(real_database, j).status for j in job_ids} == {"done"}, seconds=60)
    assert runs == Counter({n: 1 for n in range(60)})
