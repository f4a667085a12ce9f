from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKeyConstraint, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import EnumText, JSONType
from openkyc.files.enums import SourceType


class File(ResourceMixin, Base):
    """An uploaded file's record. The bytes live in storage under ``storage_key``."""

    __tablename__ = "files"

    name: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    extension: Mapped[str] = mapped_column(String(10), nullable=False)
    description: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    source_type: Mapped[SourceType | None] = mapped_column(EnumText(SourceType, 40))
    mime: Mapped[str] = mapped_column(String(40), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha1: Mapped[str] = mapped_column(String(40), nullable=False)
    exif: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    is_public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    storage_key: Mapped[str] = mapped_column(String(255), nullable=False)
    # The customer who uploaded it with a customer token (the gatherer); None for the merchant.
    customer_id: Mapped[str | None] = mapped_column(String(50))

    tag_rows: Mapped[list[FileTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="FileTag.position"
    )

    __table_args__ = tenant_table_args(
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "updated_time"),
        Index(None, "organization_id", "sha1"),
        Index(None, "organization_id", "mime"),
        Index(None, "organization_id", "size"),
        Index(None, "organization_id", "extension"),
        Index(None, "organization_id", "source_type"),
        Index(None, "organization_id", "is_public"),
        Index(None, "organization_id", "customer_id"),
        Index("ix_files_org_name", "organization_id", func.lower(name)),
        Index("ix_files_org_description", "organization_id", func.lower(description)),
    )

    @property
    def tags(self) -> list[str]:
        return [row.name for row in self.tag_rows]

    @tags.setter
    def tags(self, names: list[str]) -> None:
        # Rows of tags that stay are kept (only their position moves): deleting and inserting
        # the same key in one flush is not something every backend orders safely.
        existing = {row.name: row for row in self.tag_rows}
        rows = []
        for position, name in enumerate(dict.fromkeys(names)):
            row = existing.get(name) or FileTag(name=name, organization_id=self.organization_id)
            row.position = position
            rows.append(row)
        self.tag_rows = rows


class FileTag(Base):
    """A free-text label of a file (`kyc`, `id-front`, …), one row each so filters use an index."""

    __tablename__ = "file_tags"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "file_id"],
            ["files.organization_id", "files.id"],
            ondelete="CASCADE",
        ),
        Index(None, "organization_id", "name"),
    )
