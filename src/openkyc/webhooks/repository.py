"""Webhooks, their delivery log and settings, always of one organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from openkyc.db.collection import (
    Field,
    FieldSet,
)
from openkyc.db.models import (
    OutboxEvent,
    Webhook,
    WebhookDelivery,
    WebhookSettings,
)
from openkyc.db.repository import TenantRepository, TenantSettingsRepository
from openkyc.webhooks.enums import WebhookStatus

WEBHOOK_FIELDS = FieldSet.of(
    Field("id", Webhook.id),
    Field("url", Webhook.url, "text"),
    Field("method", Webhook.method),
    Field("status", Webhook.status),
    Field("credentialHash", Webhook.credential_id),
    Field("createdTime", Webhook.created_time, "datetime"),
    Field("updatedTime", Webhook.updated_time, "datetime"),
)
_D = WebhookDelivery
TRACKING_FIELDS = FieldSet.of(
    Field("id", _D.id),
    Field("status", _D.response_status, "integer"),
    Field("duration", _D.duration_ms, "integer"),
    Field("initiatedTime", _D.created_time, "datetime"),
    Field("url", _D.url, "text"),
    Field("method", _D.method),
    Field("entityId", _D.entity_id),
    Field("organizationId", _D.organization_id),
    Field("eventType", _D.event_type),
    Field("source", literal("webhooks")),
    Field("attempt", _D.attempt, "integer"),
    Field("sentTime", _D.sent_time, "datetime"),
    Field("createdTime", _D.created_time, "datetime"),
    Field("updatedTime", _D.updated_time, "datetime"),
    Field("webhookId", _D.webhook_id),
    Field("eventId", _D.event_id),
    Field("deliveryStatus", _D.status),
)


def every_webhook(session: Session) -> list[Webhook]:
    """Every organization's webhooks (maintenance at start, never a request's view)."""
    return list(session.scalars(select(Webhook)))


class WebhookRepository(TenantRepository[Webhook]):
    model = Webhook
    fields = WEBHOOK_FIELDS
    search = (Webhook.url,)

    def active(self) -> list[Webhook]:
        statement = self.scoped().where(Webhook.status == WebhookStatus.ACTIVE)
        return list(self.session.scalars(statement))

    def latest_event(self, event_types: Sequence[str]) -> OutboxEvent | None:
        statement = select(OutboxEvent).where(OutboxEvent.organization_id == self.organization_id)
        if event_types:
            statement = statement.where(OutboxEvent.event_type.in_(list(event_types)))
        ordered = statement.order_by(OutboxEvent.created_time.desc(), OutboxEvent.id.desc())
        return self.session.scalars(ordered.limit(1)).first()


class DeliveryRepository(TenantRepository[WebhookDelivery]):
    """The delivery log. A delivery is keyed by its id alone (the queue's workers, which
    serve every organization, address it so): the organization's own are found through
    ``scoped()``."""

    model = WebhookDelivery
    fields = TRACKING_FIELDS
    search = (_D.url, _D.entity_id, _D.event_type, _D.event_id)

    def get(self, delivery_id: str, *, for_update: bool = False) -> WebhookDelivery | None:
        return self.get_scoped(delivery_id, for_update=for_update)


class SettingsRepository(TenantSettingsRepository[WebhookSettings]):
    model = WebhookSettings
