from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import JSONType


class ApiKey(ResourceMixin, Base):
    """A merchant's API key. Only a SHA-256 of the secret is kept."""

    __tablename__ = "api_keys"

    description: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False, default="secret")
    api_user: Mapped[str] = mapped_column(String(255), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    secret_hint: Mapped[str] = mapped_column(String(8), nullable=False)
    acl: Mapped[list[Any] | None] = mapped_column(JSONType, nullable=True)
    allowed_ips: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)

    __table_args__ = tenant_table_args(Index(None, "organization_id", "created_time"))
