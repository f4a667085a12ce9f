from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, tenant_table_args
from openkyc.db.types import JSONType, UTCDateTime, utcnow


class OutboxEvent(Base):
    """A webhook event, written in the same transaction as the change that caused it.

    Rows are immutable; delivery keeps its own state, so an event is never lost to a crash
    and never exists for a change that was rolled back."""

    __tablename__ = "outbox_events"

    id: Mapped[str] = mapped_column(String(50))
    organization_id: Mapped[str] = mapped_column(String(50), nullable=False)
    event_type: Mapped[str] = mapped_column(String(60), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(30), nullable=False)
    resource_id: Mapped[str] = mapped_column(String(50), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    created_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = tenant_table_args(
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "resource_id"),
        Index(None, "created_time"),
    )
