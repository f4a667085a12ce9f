"""Recording events, and the webhook deliveries they cause, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.ids import new_id
from openkyc.db.models import OutboxEvent
from openkyc.events.repository import EventRepository
from openkyc.events.types import KEPT_EVENT_TYPES
from openkyc.webhooks.fanout import deliver, listeners
from openkyc.webhooks.resources import FilterMatch


def record(
    session: Session,
    organization_id: str,
    event_type: str,
    resource_type: str,
    resource_id: str,
    payload: Callable[[], dict[str, Any]],
    matches: FilterMatch | None = None,
) -> OutboxEvent | None:
    """Write an event in the session's transaction; it exists only if the change commits.
    ``matches`` tells whether the resource, as it is now, passes a filter of its collection
    (the webhooks' ``filter``); without it, only webhooks without a filter get the event.

    The payload is built, and the event stored, only when a webhook of the organization
    listens for it (or the event is one the service reads back, ``KEPT_EVENT_TYPES``): an
    organization without webhooks pays nothing for the events of its changes."""
    event = OutboxEvent(
        id=new_id("evt"),
        organization_id=organization_id,
        event_type=event_type,
        resource_type=resource_type,
        resource_id=resource_id,
        created_time=clock.now(),
    )
    hooks = listeners(session, event, matches)
    if not hooks and event_type not in KEPT_EVENT_TYPES:
        return None
    event.payload = {**payload(), "eventType": event_type}
    EventRepository(session, organization_id).add(event)
    deliver(session, event, hooks)
    return event
