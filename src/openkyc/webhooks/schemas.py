from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints, field_validator

from openkyc.db.models import Webhook, WebhookDelivery, WebhookSettings
from openkyc.files.fetch import FetchRefused, checked_url
from openkyc.webhooks.enums import DeliveryStatus, HttpMethod, WebhookStatus
from openkyc.webhooks.signing import signing_key
from openkyc.wire import Link, Links, ResourceId, Timestamp, WireModel, links_field

# Rebilly's event types and openkyc's own: lower-case words joined by hyphens. Types openkyc
# never emits are accepted (a migrated subscription keeps them) and simply never fire.
EventType = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
HeaderName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
]
# What HTTP carries in a header value: visible ASCII, spaces and tabs (no line breaks, no NUL,
# nothing a sender would have to encode).
HeaderValue = Annotated[str, StringConstraints(max_length=4000, pattern=r"^[\t\x20-\x7e]*$")]


class WebhookHeader(WireModel):
    name: HeaderName
    value: HeaderValue
    status: WebhookStatus = WebhookStatus.ACTIVE


class WebhookIn(WireModel):
    """A subscription as a merchant sends it (POST, PUT and previews)."""

    eventsFilter: list[EventType] = Field(default_factory=list, max_length=200)
    status: WebhookStatus = WebhookStatus.ACTIVE
    method: HttpMethod
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)] = Field(
        json_schema_extra={"pattern": r"^\s*[hH][tT][tT][pP][sS]?://[^\s/?#]+"}
    )
    headers: list[WebhookHeader] = Field(default_factory=list, max_length=50)
    credentialHash: ResourceId
    body: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    filter: Annotated[str, StringConstraints(max_length=1000)] | None = None
    # openkyc: the Standard Webhooks secret to sign with; generated (and shown once) if absent.
    signingSecret: (
        Annotated[str, StringConstraints(max_length=120, pattern=r"^whsec_[A-Za-z0-9+/=]+$")] | None
    ) = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            checked_url(value)
        except FetchRefused as refusal:
            raise ValueError(str(refusal)) from refusal
        return value.strip()

    @field_validator("signingSecret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None:
            signing_key(value)
        return value


class WebhookOut(WireModel):
    omit_when_none = ("signingSecret",)

    id: str
    eventsFilter: list[str]
    status: WebhookStatus
    method: HttpMethod
    url: str
    headers: list[WebhookHeader]
    credentialHash: str
    body: str | None
    filter: str | None
    # openkyc: when the current run of failed deliveries began, and why openkyc deactivated
    # the subscription (a person reactivates it with status active).
    failingSince: Timestamp | None
    deactivationTime: Timestamp | None
    deactivationReason: str | None
    # Only in the response that created it with a generated secret.
    signingSecret: str | None = None
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(cls, hook: Webhook, links: Links, secret: str | None = None) -> WebhookOut:
        return cls(
            id=hook.id,
            eventsFilter=list(hook.events_filter),
            status=hook.status,
            method=hook.method,
            url=hook.url,
            headers=[WebhookHeader.model_validate(h) for h in hook.headers],
            credentialHash=hook.credential_id,
            body=hook.body_template,
            filter=hook.filter,
            failingSince=hook.failing_since,
            deactivationTime=hook.deactivation_time,
            deactivationReason=hook.deactivation_reason,
            signingSecret=secret,
            createdTime=hook.created_time,
            updatedTime=hook.updated_time,
            links=links.self_link("webhooks", hook.id),
        )


class TrackingOut(WireModel):
    """One delivery of one event to one webhook, as its latest attempt left it."""

    id: str
    status: int | None
    duration: int | None
    initiatedTime: Timestamp
    url: str | None
    method: str | None
    request: str | None
    response: str | None
    requestHeaders: dict[str, str] | None
    responseHeaders: dict[str, str] | None
    entityId: str
    organizationId: str
    eventType: str
    source: Literal["webhooks"] = "webhooks"
    attempt: int
    sentTime: Timestamp | None
    createdTime: Timestamp
    updatedTime: Timestamp
    # openkyc: the subscription and event, where the delivery stands, when it is tried next,
    # and why the latest attempt got no response.
    webhookId: str
    eventId: str
    deliveryStatus: DeliveryStatus
    nextAttemptTime: Timestamp | None
    error: str | None
    links: list[Link] = links_field()

    @classmethod
    def of(cls, delivery: WebhookDelivery, links: Links) -> TrackingOut:
        next_attempt: datetime | None = (
            delivery.run_after if delivery.status == DeliveryStatus.PENDING else None
        )
        return cls(
            id=delivery.id,
            status=delivery.response_status,
            duration=delivery.duration_ms,
            initiatedTime=delivery.created_time,
            url=delivery.url,
            method=delivery.method,
            request=delivery.request_body,
            response=delivery.response_body,
            requestHeaders=delivery.request_headers,
            responseHeaders=delivery.response_headers,
            entityId=delivery.entity_id,
            organizationId=delivery.organization_id,
            eventType=delivery.event_type,
            attempt=delivery.attempt,
            sentTime=delivery.sent_time,
            createdTime=delivery.created_time,
            updatedTime=delivery.updated_time,
            webhookId=delivery.webhook_id,
            eventId=delivery.event_id,
            deliveryStatus=delivery.status,
            nextAttemptTime=next_attempt,
            error=delivery.error,
            links=links.self_link("tracking", "webhooks", delivery.id),
        )


class WebhookSettingsIn(WireModel):
    allowPrivateNetworks: StrictBool = False


class WebhookSettingsOut(WireModel):
    """openkyc: how this organization's webhooks are delivered."""

    allowPrivateNetworks: bool
    updatedTime: Timestamp | None
    links: list[Link] = links_field()

    @classmethod
    def of(cls, settings: WebhookSettings | None, links: Links) -> WebhookSettingsOut:
        return cls(
            allowPrivateNetworks=bool(settings and settings.allow_private_networks),
            updatedTime=settings.updated_time if settings else None,
            links=links.self_link("webhook-settings"),
        )
