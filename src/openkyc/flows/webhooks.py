"""Subscribing to events: a webhook's ``filter`` is the collection filter of the resource its
events are about (customers, KYC documents, KYC requests), so creating, replacing or trying
a webhook checks the filter with those domains' collections."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openkyc.customers import service as customers
from openkyc.db.models import Webhook
from openkyc.events import types as event_types
from openkyc.kyc.documents import service as documents
from openkyc.kyc.requests import service as requests
from openkyc.sealing import Sealer
from openkyc.webhooks import service as webhooks
from openkyc.webhooks.resources import FilterChecks
from openkyc.webhooks.schemas import WebhookIn
from openkyc.webhooks.sender import Answer
from openkyc.webhooks.tasks import DeliveryConfig

CHECKS: FilterChecks = {
    "customer": customers.check_filter,
    "kyc-document": documents.check_filter,
    "kyc-request": requests.check_filter,
}


def create(
    session: Session, organization_id: str, data: WebhookIn, sealer: Sealer
) -> tuple[Webhook, str | None]:
    return webhooks.create(session, organization_id, data, sealer, CHECKS)


def upsert(
    session: Session, organization_id: str, webhook_id: str, data: WebhookIn, sealer: Sealer
) -> tuple[Webhook, bool, str | None]:
    return webhooks.upsert(session, organization_id, webhook_id, data, sealer, CHECKS)


def preview(
    session: Session, organization_id: str, data: WebhookIn, config: DeliveryConfig
) -> Answer:
    """Try the subscription with the organization's latest event it would receive, or a
    minimal sample of the first event it names that openkyc sends."""
    return webhooks.preview(
        session, organization_id, data, config, CHECKS, _sample(data.eventsFilter)
    )


def _sample(events_filter: list[str]) -> dict[str, Any]:
    emitted = [t for t in events_filter if t in event_types.ALL_EVENT_TYPES]
    return {"eventType": (emitted or [event_types.KYC_DOCUMENT_ACCEPTED])[0]}
