from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base
from openkyc.db.types import EnumText, JSONType, UTCDateTime, utcnow
from openkyc.jobs.enums import JobStatus


class Job(Base):
    """A unit of background work, enqueued in the transaction of the change that needs it.

    A worker claims it with a lease; if the worker dies the lease lapses and another worker
    takes it over, so a crash delays work but never loses it."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(50), nullable=False)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    status: Mapped[JobStatus] = mapped_column(
        EnumText(JobStatus, 20), nullable=False, default=JobStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_time: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index(None, "status", "run_after"),
        Index(None, "status", "lease_expires_at"),
        Index(None, "organization_id", "kind", "created_time"),
    )
