"""From the outbox to deliveries: each event recorded gets one delivery per active webhook
that wants it, in the same transaction, so a delivery exists exactly when its event does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc.db.ids import new_id
from openkyc.db.models import OutboxEvent, Webhook, WebhookDelivery
from openkyc.errors import ValidationFailed
from openkyc.webhooks import queue
from openkyc.webhooks.repository import RESOURCES, DeliveryRepository, WebhookRepository


def wants(repository: WebhookRepository, hook: Webhook, event: OutboxEvent) -> bool:
    """An empty events filter takes every event; a filter must match the event's resource."""
    if hook.events_filter and event.event_type not in hook.events_filter:
        return False
    if not hook.filter:
        return True
    if event.resource_type not in RESOURCES:
        return False
    try:
        return repository.resource_matches(event.resource_type, event.resource_id, hook.filter)
    except ValidationFailed:  # a field this resource does not have
        return False


def fan_out(session: Session, event: OutboxEvent) -> list[WebhookDelivery]:
    webhooks = WebhookRepository(session, event.organization_id)
    deliveries = DeliveryRepository(session, event.organization_id)
    created = [
        deliveries.add(
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
        )
        for hook in webhooks.active()
        if wants(webhooks, hook, event)
    ]
    if created:
        queue.announce(session)
    return created
