"""kyc_documents: the review queue's index

The back office lists the documents waiting for a person oldest first and counts them; with
(organization, status, creation time) that is a range of one index, however long the history.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEX = "ix_kyc_documents_organization_id_status_created_time"


def upgrade() -> None:
    op.create_index(INDEX, "kyc_documents", ["organization_id", "status", "created_time"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="kyc_documents")
