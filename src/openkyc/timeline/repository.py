from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page
from openkyc.db.models import AuditChainHead, CustomerTimelineEntry, TimelineCustomEvent
from openkyc.db.repository import TenantRepository

FIELDS = FieldSet.of(
    Field("id", CustomerTimelineEntry.id),
    Field("type", CustomerTimelineEntry.type),
    Field("customEventType", CustomerTimelineEntry.custom_event_type, "text"),
    Field("triggeredBy", CustomerTimelineEntry.triggered_by),
    Field("occurredTime", CustomerTimelineEntry.occurred_time, "datetime"),
)
CUSTOM_EVENT_FIELDS = FieldSet.of(
    Field("id", TimelineCustomEvent.id),
    Field("name", TimelineCustomEvent.name, "text"),
    Field("createdTime", TimelineCustomEvent.created_time, "datetime"),
)


class TimelineRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def page(
        self, customer_id: str, query: CollectionQuery
    ) -> tuple[list[CustomerTimelineEntry], int]:
        statement = select(CustomerTimelineEntry).where(
            CustomerTimelineEntry.organization_id == self.organization_id,
            CustomerTimelineEntry.customer_id == customer_id,
            CustomerTimelineEntry.deleted_time.is_(None),
        )
        return fetch_page(self.session, statement, FIELDS, query, ("-occurredTime",))

    def get(self, customer_id: str, entry_id: str) -> CustomerTimelineEntry | None:
        entry = self.session.get(CustomerTimelineEntry, (self.organization_id, entry_id))
        if entry is None or entry.customer_id != customer_id or entry.deleted_time is not None:
            return None
        return entry

    def head(self, *, for_update: bool = False) -> AuditChainHead | None:
        return self.session.get(
            AuditChainHead, self.organization_id, with_for_update=for_update or None
        )

    def in_chain_order(self, batch: int = 500) -> Iterator[CustomerTimelineEntry]:
        """Every entry of the organization by its place in the chain, a batch at a time."""
        last = 0
        while True:
            statement = (
                select(CustomerTimelineEntry)
                .where(
                    CustomerTimelineEntry.organization_id == self.organization_id,
                    CustomerTimelineEntry.seq > last,
                )
                .order_by(CustomerTimelineEntry.seq)
                .limit(batch)
            )
            rows = list(self.session.scalars(statement))
            if not rows:
                return
            yield from rows
            last = rows[-1].seq
            self.session.expunge_all()


def organizations_with_a_trail(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(AuditChainHead.organization_id).order_by(AuditChainHead.organization_id)
        )
    )


class CustomEventRepository(TenantRepository[TimelineCustomEvent]):
    model = TimelineCustomEvent
    fields = CUSTOM_EVENT_FIELDS

    def named(self, name: str) -> TimelineCustomEvent | None:
        statement = self.scoped().where(func.lower(TimelineCustomEvent.name) == name.lower())
        return self.session.scalars(statement).one_or_none()
