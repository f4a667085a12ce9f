"""From the outbox to deliveries: each event recorded gets one delivery per active webhook
that wants it, in the same transaction, so a delivery exists exactly when its event does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session, SessionTransaction

from openkyc.db.ids import new_id
from openkyc.db.models import OutboxEvent, Webhook, WebhookDelivery
from openkyc.errors import ValidationFailed
from openkyc.webhooks import queue
from openkyc.webhooks.repository import DeliveryRepository, WebhookRepository
from openkyc.webhooks.resources import FilterMatch

# The active webhooks of each organization, kept for the rest of the transaction (a request
# or job recording many events asks once) and forgotten when any webhook is written. The
# session that keeps them is the one hooked: no listener is process-wide.
_ACTIVE = "openkyc_active_webhooks"


def _active(session: Session, organization_id: str) -> list[Webhook]:
    if _ACTIVE not in session.info:
        session.info[_ACTIVE] = {}
        if not orm_events.contains(session, "before_flush", _forget_on_write):
            orm_events.listen(session, "before_flush", _forget_on_write)
            orm_events.listen(session, "after_transaction_end", _forget_at_end)
    cache: dict[str, list[Webhook]] = session.info[_ACTIVE]
    if organization_id not in cache:
        cache[organization_id] = WebhookRepository(session, organization_id).active()
    return cache[organization_id]


def _forget_on_write(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, Webhook) for instance in changed):
        session.info.pop(_ACTIVE, None)


def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # not the inner transaction of a flush
        session.info.pop(_ACTIVE, None)


def wants(hook: Webhook, event: OutboxEvent, matches: FilterMatch | None) -> bool:
    """An empty events filter takes every event; a filter must match the event's resource
    (``matches``: None when the resource has no collection a filter could read)."""
    if hook.events_filter and event.event_type not in hook.events_filter:
        return False
    if not hook.filter:
        return True
    if matches is None:
        return False
    try:
        return matches(hook.filter)
    except ValidationFailed:  # a field this resource does not have
        return False


def listeners(session: Session, event: OutboxEvent, matches: FilterMatch | None) -> list[Webhook]:
    """The organization's active webhooks that want this event (its payload is not needed)."""
    return [hook for hook in _active(session, event.organization_id) if wants(hook, event, matches)]


def deliver(session: Session, event: OutboxEvent, hooks: list[Webhook]) -> list[WebhookDelivery]:
    """One delivery of the stored event per listening webhook."""
    created = DeliveryRepository(session, event.organization_id).add_many(
        [
            WebhookDelivery(
                id=new_id("hook_log"),
                organization_id=event.organization_id,
                webhook_id=hook.id,
                event_id=event.id,
                event_type=event.event_type,
                entity_id=event.resource_id,
                status=queue.PENDING,
                attempt=0,
                run_after=event.created_time,
                created_time=event.created_time,
                updated_time=event.created_time,
            )
            for hook in hooks
        ]
    )
    if created:
        queue.announce(session)
    return created
