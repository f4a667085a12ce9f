from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.attachments.enums import RelatedType
from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import EnumText


class Attachment(ResourceMixin, Base):
    """A file linked to another resource of the organization (a customer, the organization
    itself). It goes with its file: deleting the file deletes the attachment, never the
    other way round."""

    __tablename__ = "attachments"

    file_id: Mapped[str] = mapped_column(String(50), nullable=False)
    related_type: Mapped[RelatedType] = mapped_column(EnumText(RelatedType, 40), nullable=False)
    related_id: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    description: Mapped[str] = mapped_column(String(255), nullable=False, default="")

    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["organization_id", "file_id"],
            ["files.organization_id", "files.id"],
            ondelete="CASCADE",
        ),
        Index(None, "organization_id", "file_id"),
        Index(None, "organization_id", "related_id"),
        Index(None, "organization_id", "related_type", "related_id"),
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "updated_time"),
        Index("ix_attachments_org_name", "organization_id", func.lower(name)),
    )
