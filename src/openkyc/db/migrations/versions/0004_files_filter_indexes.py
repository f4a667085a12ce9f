"""files: indexes for every field the files collection filters and sorts by

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PLAIN = ("extension", "source_type", "is_public")
CASE_INSENSITIVE = ("name", "description")


def upgrade() -> None:
    for column in PLAIN:
        op.create_index(f"ix_files_organization_id_{column}", "files", ["organization_id", column])
    for column in CASE_INSENSITIVE:
        op.create_index(
            "ix_files_org_" + column,
            "files",
            [sa.text("organization_id"), sa.text(f"lower({column})")],
        )


def downgrade() -> None:
    for column in CASE_INSENSITIVE:
        op.drop_index("ix_files_org_" + column, table_name="files")
    for column in PLAIN:
        op.drop_index(f"ix_files_organization_id_{column}", table_name="files")
