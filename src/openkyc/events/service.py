"""Recording events, and the webhook deliveries they cause, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.ids import new_id
from openkyc.db.models import OutboxEvent
from openkyc.events.repository import EventRepository
from openkyc.webhooks.fanout import fan_out


def record(
    session: Session,
    organization_id: str,
    event_type: str,
    resource_type: str,
    resource_id: str,
    payload: dict[str, Any],
) -> OutboxEvent:
    """Write an event in the session's transaction; it exists only if the change commits."""
    event_id = new_id("evt")
    event = OutboxEvent(
        id=event_id,
        organization_id=organization_id,
        event_type=event_type,
        resource_type=resource_type,
        resource_id=resource_id,
        payload={**payload, "eventType": event_type},
        created_time=clock.now(),
    )
    EventRepository(session, organization_id).add(event)
    fan_out(session, event)
    return event
