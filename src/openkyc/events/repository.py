from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkyc.db.models import OutboxEvent


class EventRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def add(self, event: OutboxEvent) -> OutboxEvent:
        self.session.add(event)
        return event

    def for_resource(self, resource_id: str) -> list[OutboxEvent]:
        statement = (
            select(OutboxEvent)
            .where(
                OutboxEvent.organization_id == self.organization_id,
                OutboxEvent.resource_id == resource_id,
            )
            .order_by(OutboxEvent.created_time, OutboxEvent.id)
        )
        return list(self.session.scalars(statement))

    def all(self) -> list[OutboxEvent]:
        statement = (
            select(OutboxEvent)
            .where(OutboxEvent.organization_id == self.organization_id)
            .order_by(OutboxEvent.created_time, OutboxEvent.id)
        )
        return list(self.session.scalars(statement))
