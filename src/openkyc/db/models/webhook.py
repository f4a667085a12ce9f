"""Webhook subscriptions, the credentials they authenticate with, and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import EnumText, JSONType, UTCDateTime, utcnow
from openkyc.service_credentials.enums import AuthType, CredentialStatus
from openkyc.webhooks.enums import DeliveryStatus, HttpMethod, WebhookStatus


# Sealed secrets (openkyc.sealing) are longer than what they seal. SQLite keeps the type its
# tables were made with: it enforces no length, and changing a type there rebuilds the table.
def _sealed(sqlite_length: int) -> TypeEngine[str]:
    return Text().with_variant(String(sqlite_length), "sqlite")


class ServiceCredential(ResourceMixin, Base):
    """Credentials bound to a host (``/service-credentials/webhook``). The password is kept,
    sealed, because deliveries send it; it is never shown back."""

    __tablename__ = "service_credentials"

    type: Mapped[str] = mapped_column(String(20), nullable=False)
    host: Mapped[str] = mapped_column(String(255), nullable=False)
    auth_type: Mapped[AuthType] = mapped_column(EnumText(AuthType, 20), nullable=False)
    username: Mapped[str | None] = mapped_column(String(255))
    password: Mapped[str | None] = mapped_column(_sealed(255))
    status: Mapped[CredentialStatus] = mapped_column(
        EnumText(CredentialStatus, 20), nullable=False, default=CredentialStatus.ACTIVE
    )
    deactivation_time: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = tenant_table_args(
        Index(None, "organization_id", "type", "created_time"),
        Index(None, "organization_id", "type", "host"),
    )


class Webhook(ResourceMixin, Base):
    """A subscription: which events go where, how, signed with its own secret."""

    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(Text, nullable=False)
    method: Mapped[HttpMethod] = mapped_column(EnumText(HttpMethod, 10), nullable=False)
    events_filter: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    status: Mapped[WebhookStatus] = mapped_column(
        EnumText(WebhookStatus, 20), nullable=False, default=WebhookStatus.ACTIVE
    )
    headers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False)
    credential_id: Mapped[str] = mapped_column(String(50), nullable=False)
    body_template: Mapped[str | None] = mapped_column(Text)
    filter: Mapped[str | None] = mapped_column(Text)
    signing_secret: Mapped[str] = mapped_column(_sealed(120), nullable=False)
    # Health: when the current run of failed attempts began, and why openkyc switched it off.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivation_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivation_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["organization_id", "credential_id"],
            ["service_credentials.organization_id", "service_credentials.id"],
        ),
        Index(None, "organization_id", "status"),
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "credential_id"),
    )


class WebhookSettings(Base):
    """An organization's delivery settings (openkyc's own resource, ``/webhook-settings``)."""

    __tablename__ = "webhook_settings"

    organization_id: Mapped[str] = mapped_column(
        String(50), ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    allow_private_networks: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class WebhookDelivery(Base):
    """One event for one subscription: the queue entry of its delivery and its tracking log.

    ``status`` is pending (due at ``run_after``), sending (claimed by ``worker_id`` until
    ``lease_expires_at``), delivered or failed. The request and response columns describe the
    latest attempt."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(50), nullable=False)
    webhook_id: Mapped[str] = mapped_column(String(50), nullable=False)
    event_id: Mapped[str] = mapped_column(String(50), nullable=False)
    event_type: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[DeliveryStatus] = mapped_column(
        EnumText(DeliveryStatus, 20), nullable=False, default=DeliveryStatus.PENDING
    )
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The attempt after which it fails for good; NULL: the deployment's setting.
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(10))
    request_body: Mapped[str | None] = mapped_column(Text)
    request_headers: Mapped[dict[str, str] | None] = mapped_column(JSONType)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONType)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    sent_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "webhook_id"],
            ["webhooks.organization_id", "webhooks.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("organization_id", "event_id", "webhook_id"),
        # The queue: partial indexes stay as small as the work still to do.
        Index(
            "ix_webhook_deliveries_due",
            "run_after",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index(
            "ix_webhook_deliveries_leased",
            "lease_expires_at",
            postgresql_where=text("status = 'sending'"),
            sqlite_where=text("status = 'sending'"),
        ),
        # The tracking log's filters and default order.
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "webhook_id", "status"),
        Index(None, "organization_id", "entity_id"),
        Index(None, "organization_id", "event_type"),
        Index(None, "organization_id", "status"),
    )
