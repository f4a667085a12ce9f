"""Webhooks, their delivery log and settings, always of one organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from openkyc.customers.repository import FIELDS as CUSTOMER_FIELDS
from openkyc.db.collection import (
    CollectionQuery,
    Field,
    FieldSet,
    fetch_page,
    filter_clause,
    text_search,
)
from openkyc.db.models import (
    Customer,
    KycDocument,
    KycRequest,
    OutboxEvent,
    Webhook,
    WebhookDelivery,
    WebhookSettings,
)
from openkyc.kyc.documents.repository import FIELDS as DOCUMENT_FIELDS
from openkyc.kyc.requests.repository import FIELDS as REQUEST_FIELDS
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
# The resource an event is about, and the fields its collection filters by: a webhook's
# filter is that collection's filter, applied to the one resource.
RESOURCES: dict[str, tuple[type[Customer | KycDocument | KycRequest], FieldSet]] = {
    "customer": (Customer, CUSTOMER_FIELDS),
    "kyc-document": (KycDocument, DOCUMENT_FIELDS),
    "kyc-request": (KycRequest, REQUEST_FIELDS),
}


def every_webhook(session: Session) -> list[Webhook]:
    """Every organization's webhooks (maintenance at start, never a request's view)."""
    return list(session.scalars(select(Webhook)))


class WebhookRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, webhook_id: str) -> Webhook | None:
        return self.session.get(Webhook, (self.organization_id, webhook_id))

    def page(self, query: CollectionQuery) -> tuple[list[Webhook], int]:
        statement = select(Webhook).where(Webhook.organization_id == self.organization_id)
        if query.q:
            statement = statement.where(text_search(query.q, Webhook.url))
        return fetch_page(self.session, statement, WEBHOOK_FIELDS, query)

    def active(self) -> list[Webhook]:
        statement = select(Webhook).where(
            Webhook.organization_id == self.organization_id, Webhook.status == WebhookStatus.ACTIVE
        )
        return list(self.session.scalars(statement))

    def add(self, webhook: Webhook) -> Webhook:
        self.session.add(webhook)
        self.session.flush()
        return webhook

    def delete(self, webhook: Webhook) -> None:
        self.session.delete(webhook)
        self.session.flush()

    def resource_matches(self, resource_type: str, resource_id: str, text: str) -> bool:
        """Whether the event's resource, as it is now, passes a collection filter. The filter
        is checked when the webhook is saved; an unknown resource or field never matches."""
        model, fields = RESOURCES[resource_type]
        statement = select(literal(1)).where(
            model.organization_id == self.organization_id,
            model.id == resource_id,
            filter_clause(fields, text),
        )
        return self.session.scalar(statement) is not None

    def latest_event(self, event_types: Sequence[str]) -> OutboxEvent | None:
        statement = select(OutboxEvent).where(OutboxEvent.organization_id == self.organization_id)
        if event_types:
            statement = statement.where(OutboxEvent.event_type.in_(list(event_types)))
        ordered = statement.order_by(OutboxEvent.created_time.desc(), OutboxEvent.id.desc())
        return self.session.scalars(ordered.limit(1)).first()


class DeliveryRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, delivery_id: str) -> WebhookDelivery | None:
        delivery = self.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.organization_id != self.organization_id:
            return None
        return delivery

    def page(self, query: CollectionQuery) -> tuple[list[WebhookDelivery], int]:
        statement = select(_D).where(_D.organization_id == self.organization_id)
        if query.q:
            columns = (_D.url, _D.entity_id, _D.event_type, _D.event_id)
            statement = statement.where(text_search(query.q, *columns))
        return fetch_page(self.session, statement, TRACKING_FIELDS, query)

    def add(self, delivery: WebhookDelivery) -> WebhookDelivery:
        self.session.add(delivery)
        return delivery


class SettingsRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self) -> WebhookSettings | None:
        return self.session.get(WebhookSettings, self.organization_id)

    def add(self, settings: WebhookSettings) -> WebhookSettings:
        self.session.add(settings)
        self.session.flush()
        return settings
