"""The durable job queue: enqueue in the caller's transaction, claim with a lease, finish or
retry with back-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.ids import new_id
from openkyc.db.models import Job
from openkyc.jobs import repository
from openkyc.jobs.enums import JobStatus
from openkyc.jobs.leases import Backoff, Queue, Wakeup
from openkyc.logs import JOB_REQUEST_ID, REQUEST_ID

QUEUED, RUNNING, DONE, FAILED = (
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.DONE,
    JobStatus.FAILED,
)
JOBS = Queue(cast(Table, Job.__table__), waiting=QUEUED, held=RUNNING)
WAKEUP = Wakeup("jobs")
RETRY = Backoff(base_seconds=2.0, factor=2.0, max_delay_seconds=300.0)


def on_enqueue(callback: Callable[[], None]) -> None:
    """Call ``callback()`` after any transaction that enqueued a job commits (in this process),
    so an idle worker starts at once instead of at its next poll."""
    WAKEUP.listen(callback)


def forget_enqueue_listener(callback: Callable[[], None]) -> None:
    WAKEUP.forget(callback)


def enqueue(
    session: Session,
    organization_id: str,
    kind: str,
    payload: dict[str, Any],
    *,
    max_attempts: int = 5,
    run_after: datetime | None = None,
) -> Job:
    """A job that exists if and only if the caller's transaction commits. It carries the id of
    the HTTP request that caused it, so its log lines can be found with the request's."""
    now = clock.now()
    request_id = REQUEST_ID.get()
    if request_id is not None:
        payload = {**payload, JOB_REQUEST_ID: request_id}
    job = Job(
        id=new_id("job"),
        organization_id=organization_id,
        kind=kind,
        payload=payload,
        status=QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        created_time=now,
        updated_time=now,
    )
    repository.add(session, job)
    WAKEUP.announce(session)
    return job


def claim(
    session: Session,
    worker_id: str,
    kinds: list[str],
    lease: timedelta,
    limit: int = 1,
    now: datetime | None = None,
) -> list[Job]:
    """Lease up to ``limit`` due jobs of these kinds (lapsed leases first) to this worker."""
    now = now or clock.now()
    of_kinds = JOBS.table.c.kind.in_(kinds)
    ids = JOBS.lease(session, JOBS.lapsed(now).where(of_kinds).limit(limit), worker_id, lease, now)
    if len(ids) < limit:
        due = JOBS.waiting_due(now).where(of_kinds).limit(limit - len(ids))
        ids += JOBS.lease(session, due, worker_id, lease, now)
    return repository.by_ids(session, ids) if ids else []


def finish(session: Session, job: Job) -> None:
    now = clock.now()
    job.status = DONE
    job.finished_time = now
    job.updated_time = now
    job.lease_expires_at = None
    session.flush()


def retry_or_fail(session: Session, job: Job, error: str, retry: Backoff = RETRY) -> bool:
    """After a failed run: queue it again later, or mark it failed for good. True if failed."""
    now = clock.now()
    job.last_error = error[-4000:]
    job.updated_time = now
    job.lease_expires_at = None
    if job.attempts >= job.max_attempts:
        job.status = FAILED
        job.finished_time = now
    else:
        job.status = QUEUED
        job.run_after = now + timedelta(seconds=retry.delay(job.attempts))
    session.flush()
    return job.status == FAILED
