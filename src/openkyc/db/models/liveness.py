from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import EnumText, JSONType, UTCDateTime
from openkyc.kyc.liveness.enums import LivenessStatus


class KycLivenessSession(ResourceMixin, Base):
    """A customer's face liveness check for one KYC request: a random challenge, the frames
    the camera sent while it was shown, and the decision."""

    __tablename__ = "kyc_liveness_sessions"

    customer_id: Mapped[str] = mapped_column(String(50), nullable=False)
    request_id: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[LivenessStatus] = mapped_column(EnumText(LivenessStatus, 20), nullable=False)
    # The poses asked for, in order (`centre`, `turn-left`, `tilt-right`, ...).
    challenge: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    # Each frame: its storage key, the challenge step shown, and when it arrived.
    frames: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    # What the check measured, frame by frame, and why it failed if it did.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    failure_reason: Mapped[str | None] = mapped_column(String(255))
    # The frontal frame kept as the customer's selfie (a file tagged kyc + face-proof).
    reference_file_id: Mapped[str | None] = mapped_column(String(50))
    # A still of each pose of the challenge, kept for reviewers once the frames are gone
    # (files of the customer, tagged kyc + liveness-still): each its fileId, step and pose.
    stills: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    expiration_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finish_time: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            ondelete="CASCADE",
        ),
        Index(None, "organization_id", "request_id"),
        Index(None, "organization_id", "reference_file_id"),
        Index(None, "organization_id", "customer_id"),
    )
