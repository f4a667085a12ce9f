from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkyc.db.models import Job
from openkyc.jobs.enums import JobStatus


def add(session: Session, job: Job) -> Job:
    session.add(job)
    return job


def by_ids(session: Session, ids: list[str]) -> list[Job]:
    statement = select(Job).where(Job.id.in_(ids)).order_by(Job.run_after, Job.id)
    return list(session.scalars(statement, execution_options={"populate_existing": True}))


def get(session: Session, job_id: str, *, for_update: bool = False) -> Job | None:
    statement = select(Job).where(Job.id == job_id)
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def for_organization(session: Session, organization_id: str, kind: str) -> list[Job]:
    statement = (
        select(Job)
        .where(Job.organization_id == organization_id, Job.kind == kind)
        .order_by(Job.created_time, Job.id)
    )
    return list(session.scalars(statement))


def pending_count(session: Session) -> int:
    """Jobs waiting to run, all organizations together (readiness: the queue answers)."""
    statement = select(func.count()).select_from(Job).where(Job.status == JobStatus.QUEUED)
    return int(session.scalar(statement) or 0)
