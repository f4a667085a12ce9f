from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkyc.db.models import Organization


def get(session: Session, organization_id: str) -> Organization | None:
    return session.get(Organization, organization_id) if organization_id else None


def any_exists(session: Session) -> bool:
    return session.scalars(select(Organization.id).limit(1)).first() is not None


def add(session: Session, organization: Organization) -> Organization:
    session.add(organization)
    session.flush()
    return organization


def first_ids(session: Session, limit: int = 2) -> list[str]:
    return list(session.scalars(select(Organization.id).order_by(Organization.id).limit(limit)))
