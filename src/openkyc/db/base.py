"""Declarative base and the columns every resource table shares."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, MetaData, PrimaryKeyConstraint, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from openkyc.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampedMixin:
    created_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def tenant_table_args(*extra: Any) -> tuple[Any, ...]:
    """Table arguments of a tenant's table: the key is (organization, id), so two merchants
    can choose the same id on PUT, and a foreign key can never cross organizations."""
    return (PrimaryKeyConstraint("organization_id", "id"), *extra)


class ResourceMixin(TimestampedMixin):
    """A tenant's resource: an id, its organization, timestamps and a revision counter.
    Models using it set ``__table_args__ = tenant_table_args(...)``."""

    id: Mapped[str] = mapped_column(String(50))
    revision: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    @declared_attr
    def organization_id(cls) -> Mapped[str]:
        return mapped_column(
            String(50), ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        )

    def assign(self, values: Mapping[str, Any]) -> bool:
        """Set these attributes; True when any of them changed (a change worth a revision)."""
        changed = False
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed = True
        return changed

    def touch(self) -> None:
        """Record a change: a new revision and update time."""
        self.revision = (self.revision or 0) + 1
        self.updated_time = utcnow()
