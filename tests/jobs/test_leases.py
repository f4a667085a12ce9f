"""The queue mechanism every worker shares: leases renewed while work runs, periodic work done
by one process at a time and in batches, and quiet waiting while the database is away."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from openkyc.clock import FrozenClock
from openkyc.db import locks
from openkyc.db.models import Job
from openkyc.db.session import Database
from openkyc.jobs import queue
from openkyc.jobs.enums import JobStatus
from openkyc.jobs.periodic import PeriodicRunner, PeriodicTask
from openkyc.jobs.worker import Handler, Worker
from openkyc.retention import prune_history
from tests.jobs.test_queue import _enqueue, _job, _wait


@pytest.fixture
def real_database(engines: dict[str, Engine], backend: str) -> Database:
    return Database.from_engine(engines[backend])


def test_a_job_running_longer_than_its_lease_keeps_it_and_runs_once(
    real_database: Database, clock: FrozenClock
) -> None:
    kind = f"test-{uuid.uuid4().hex[:10]}"
    runs: Counter[str] = Counter()
    release = threading.Event()

    def slow(job: Job) -> None:
        runs[job.id] += 1
        release.wait(10)

    lease = timedelta(seconds=0.6)  # the heartbeat renews it every 0.2 s
    workers = [
        Worker(
            real_database.write_sessionmaker,
            {kind: Handler(slow)},
            poll_seconds=0.05,
            lease=lease,
            name=f"lease-{n}",
        )
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        [job_id] = _enqueue(real_database, kind)
        _wait(lambda: sum(runs.values()) == 1)
        # Twice the lease passes in steps of half of it: each time the heartbeat renews the
        # lease before it lapses, so the other worker never takes the job.
        for _ in range(4):
            clock.advance(lease / 2)
            renewed = clock.now() + lease
            _wait(lambda: _job(real_database, job_id).lease_expires_at == renewed)  # noqa: B023
        release.set()
        _wait(lambda: _job(real_database, job_id).status == "done")
    finally:
        release.set()
        for worker in workers:
            worker.stop()
    assert runs == Counter({job_id: 1})
    assert _job(real_database, job_id).attempts == 1


def test_a_lease_another_worker_took_over_is_reported_lost(real_database: Database) -> None:
    kind = f"test-{uuid.uuid4().hex[:10]}"
    [job_id] = _enqueue(real_database, kind)
    worker = Worker(real_database.write_sessionmaker, {}, lease=timedelta(seconds=30), name="a")
    with real_database.write_sessionmaker.begin() as session:
        [job] = queue.claim(session, "a", [kind], timedelta(seconds=-1))
    with real_database.write_sessionmaker.begin() as session:
        assert [j.id for j in queue.claim(session, "b", [kind], timedelta(seconds=30))] == [job.id]
    worker.heartbeat.hold(job_id)
    assert worker.heartbeat.beat() == {job_id}
    assert _job(real_database, job_id).worker_id == "b"


def _old_finished_jobs(database: Database, count: int) -> list[str]:
    ids = _enqueue(database, f"test-{uuid.uuid4().hex[:10]}", count=count)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with database.write_sessionmaker.begin() as session:
        for job in session.scalars(select(Job).where(Job.id.in_(ids))):
            job.status, job.updated_time = JobStatus.DONE, long_ago
    return ids


def _remaining(database: Database, ids: list[str]) -> int:
    with database.sessionmaker() as session:
        return int(session.scalar(select(func.count()).where(Job.id.in_(ids))) or 0)


def test_retention_deletes_in_batches_each_in_its_own_transaction(
    real_database: Database,
) -> None:
    ids = _old_finished_jobs(real_database, 5)
    transactions: list[int] = []

    def prune(session):  # type: ignore[no-untyped-def]
        transactions.append(id(session))
        return prune_history(session, timedelta(days=300), batch=2)

    task = PeriodicTask("prune-test", 60, prune, more=lambda pruned: pruned.filled(2))
    assert PeriodicRunner(real_database.write_sessionmaker, [task]).run_once(task) >= 3
    assert len(set(transactions)) == len(transactions)
    assert _remaining(real_database, ids) == 0


def test_a_periodic_task_another_process_runs_is_skipped(engines: dict[str, Engine]) -> None:
    database = Database.from_engine(engines["postgresql"])
    runs: list[str] = []
    task = PeriodicTask("locked-test", 60, lambda session: runs.append("ran"))
    runner = PeriodicRunner(database.write_sessionmaker, [task])
    with locks.held_if_free(engines["postgresql"], "periodic:locked-test") as ours:
        assert ours
        assert runner.run_once(task) == 0
        with locks.held_if_free(engines["postgresql"], "periodic:locked-test") as again:
            assert not again
    assert runs == []
    assert runner.run_once(task) == 1
    assert runs == ["ran"]


def test_workers_wait_quietly_while_the_database_is_away(
    caplog: pytest.LogCaptureFixture,
) -> None:
    away = Database.from_url("postgresql://postgres@127.0.0.1:9/none?connect_timeout=1")
    worker = Worker(
        away.write_sessionmaker, {"k": Handler(lambda job: None)}, threads=2, poll_seconds=0.01
    )
    with caplog.at_level(logging.INFO):
        worker.start()
        _wait(lambda: worker.outage.failures >= 4)  # both threads have tried again
        worker.stop()
    away.dispose()
    lines = [r for r in caplog.records if r.name.startswith("openkyc")]
    assert [r.getMessage().split(" (")[0] for r in lines] == [
        f"job worker {worker.name} cannot reach the database"
    ]
    assert all(r.exc_info is None for r in lines)
