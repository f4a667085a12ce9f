from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import JSONType, UTCDateTime


class SessionToken(ResourceMixin, Base):
    """A JWT issued by ``POST /sessions``: the key it came from and what it may do. A token
    works while its row and its key exist (deleting either revokes it at once); the token
    itself is never stored."""

    __tablename__ = "sessions"

    api_key_id: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    permissions: Mapped[list[Any]] = mapped_column(JSONType, nullable=False)
    expired_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["organization_id", "api_key_id"],
            ["api_keys.organization_id", "api_keys.id"],
            ondelete="CASCADE",
        ),
        Index(None, "organization_id", "api_key_id"),
        Index(None, "organization_id", "created_time"),
        Index(None, "expired_time"),
    )
