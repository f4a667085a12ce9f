from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, TimestampedMixin


class Organization(TimestampedMixin, Base):
    """A merchant: the tenant every other row belongs to."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    # Signs the organization's JWTs; rotating it revokes every token at once.
    jwt_secret: Mapped[str] = mapped_column(String(128), nullable=False)
