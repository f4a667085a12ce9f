"""files, liveness sessions, document fingerprints: found by customer

Merging a customer finds its rows here, and deleting one checks the liveness sessions' key to
it; each is an index lookup, not a scan of the table.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("files", "kyc_liveness_sessions", "kyc_document_fingerprints")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(
            f"ix_{table}_organization_id_customer_id", table, ["organization_id", "customer_id"]
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_organization_id_customer_id", table_name=table)
