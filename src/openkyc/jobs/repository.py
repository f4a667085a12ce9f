from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from openkyc.db.models import Job


def add(session: Session, job: Job) -> Job:
    session.add(job)
    return job


def claimable(session: Session, kinds: list[str], now: datetime, limit: int) -> list[Job]:
    """Jobs due to run, or whose worker's lease lapsed, locked for this worker alone."""
    statement = (
        select(Job)
        .where(
            Job.kind.in_(kinds),
            or_(
                (Job.status == "queued") & (Job.run_after <= now),
                (Job.status == "running") & (Job.lease_expires_at <= now),
            ),
        )
        .order_by(Job.run_after)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))


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
