"""The durable job queue: enqueue in the caller's transaction, claim with a lease, finish or
retry with back-off."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.ids import new_id
from openkyc.db.models import Job
from openkyc.jobs import repository

_wakers: list[Any] = []


def on_enqueue(callback: Any) -> None:
    """Call ``callback()`` after any transaction that enqueued a job commits (in this process),
    so an idle worker starts at once instead of at its next poll."""
    _wakers.append(callback)


def forget_enqueue_listener(callback: Any) -> None:
    if callback in _wakers:
        _wakers.remove(callback)


@event.listens_for(Session, "after_commit")
def _wake_workers(session: Session) -> None:
    if session.info.pop("openkyc_jobs_enqueued", False):
        for callback in list(_wakers):
            callback()


def enqueue(
    session: Session,
    organization_id: str,
    kind: str,
    payload: dict[str, Any],
    *,
    max_attempts: int = 5,
    run_after: datetime | None = None,
) -> Job:
    """A job that exists if and only if the caller's transaction commits."""
    now = clock.now()
    job = Job(
        id=new_id("job"),
        organization_id=organization_id,
        kind=kind,
        payload=payload,
        status="queued",
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        created_time=now,
        updated_time=now,
    )
    repository.add(session, job)
    session.info["openkyc_jobs_enqueued"] = True
    return job


def claim(
    session: Session, worker_id: str, kinds: list[str], lease: timedelta, limit: int = 1
) -> list[Job]:
    now = clock.now()
    jobs = repository.claimable(session, kinds, now, limit)
    for job in jobs:
        job.status = "running"
        job.attempts += 1
        job.worker_id = worker_id
        job.lease_expires_at = now + lease
        job.updated_time = now
    session.flush()
    return jobs


def finish(session: Session, job: Job) -> None:
    now = clock.now()
    job.status = "done"
    job.finished_time = now
    job.updated_time = now
    job.lease_expires_at = None
    session.flush()


def backoff(attempts: int, base_seconds: float = 2.0, cap_seconds: float = 300.0) -> timedelta:
    """Exponential back-off with full jitter, so retries of many jobs spread out."""
    return timedelta(seconds=random.uniform(0, min(cap_seconds, base_seconds * 2**attempts)))


def retry_or_fail(session: Session, job: Job, error: str, base_seconds: float = 2.0) -> bool:
    """After a failed run: queue it again later, or mark it failed for good. True if failed."""
    now = clock.now()
    job.last_error = error[-4000:]
    job.updated_time = now
    job.lease_expires_at = None
    if job.attempts >= job.max_attempts:
        job.status = "failed"
        job.finished_time = now
    else:
        job.status = "queued"
        job.run_after = now + backoff(job.attempts, base_seconds)
    session.flush()
    return job.status == "failed"
