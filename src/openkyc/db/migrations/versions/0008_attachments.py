"""attachments: files linked to customers or the organization, indexed for every filter and sort

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXED = (
    ("file_id",),
    ("related_id",),
    ("related_type", "related_id"),
    ("created_time",),
    ("updated_time",),
)


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.Column("file_id", sa.String(length=50), nullable=False),
        sa.Column("related_type", sa.String(length=40), nullable=False),
        sa.Column("related_id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "file_id"],
            ["files.organization_id", "files.id"],
            name=op.f("fk_attachments_organization_id_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_attachments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_attachments")),
    )
    for columns in INDEXED:
        op.create_index(
            f"ix_attachments_organization_id_{'_'.join(columns)}",
            "attachments",
            ["organization_id", *columns],
        )
    op.create_index(
        "ix_attachments_org_name",
        "attachments",
        [sa.text("organization_id"), sa.text("lower(name)")],
    )


def downgrade() -> None:
    op.drop_table("attachments")
