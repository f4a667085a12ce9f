from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import JSONType, UTCDateTime


class CustomerTimelineEntry(Base):
    """One message of a customer's timeline: the audit trail. Rows are only ever added (the
    database refuses to change or delete them, comments aside) and each carries a hash
    chained to the previous entry of its organization."""

    __tablename__ = "customer_timeline"

    organization_id: Mapped[str] = mapped_column(
        String(50), ForeignKey("organizations.id"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    # The entry's place in its organization's chain: 1, 2, 3, … without gaps.
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    # No foreign key: the trail of a customer outlives the customer.
    customer_id: Mapped[str] = mapped_column(String(50), nullable=False)
    type: Mapped[str] = mapped_column(String(60), nullable=False)
    custom_event_type: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(Text)
    extra_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    triggered_by: Mapped[str] = mapped_column(String(20), nullable=False)
    occurred_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # A deleted comment keeps its place in the chain; only its words are gone.
    deleted_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    previous_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (
        UniqueConstraint("organization_id", "seq"),
        Index(None, "organization_id", "customer_id", "occurred_time"),
    )


class AuditChainHead(Base):
    """The last link of an organization's timeline chain; locked to add the next one."""

    __tablename__ = "audit_chain_heads"

    organization_id: Mapped[str] = mapped_column(
        String(50), ForeignKey("organizations.id"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class TimelineCustomEvent(ResourceMixin, Base):
    """A kind of event a merchant adds to customers' timelines (`custom-event`)."""

    __tablename__ = "customer_timeline_custom_events"

    name: Mapped[str] = mapped_column(String(255), nullable=False)

    __table_args__ = tenant_table_args(
        Index(
            "uq_timeline_custom_events_org_name", "organization_id", func.lower(name), unique=True
        ),
        Index(None, "organization_id", "created_time"),
    )
