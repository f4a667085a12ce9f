"""kyc_documents: indexes of the review queue's filters

The queue filters the waiting documents by their score and by a check the analyser failed.
The score is an index's expression on both backends (organization, status, score); on
PostgreSQL the list of checks also has a GIN index, which answers "this check failed" by
containment. The queue's own index gains the document type, so that its counts (how many
of each type wait, and since when) read the index alone.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SCORE = {
    "postgresql": "CAST(document_matches ->> 'score' AS INTEGER)",
    "sqlite": "CAST(json_extract(document_matches, '$.score') AS INTEGER)",
}


QUEUE = "ix_kyc_documents_organization_id_status_created_time"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # The queue's index gains the document type: the queue's counts read the index alone.
    op.drop_index(QUEUE, table_name="kyc_documents")
    op.create_index(
        "ix_kyc_documents_queue",
        "kyc_documents",
        ["organization_id", "status", "created_time", "document_type"],
    )
    op.execute(
        "CREATE INDEX ix_kyc_documents_queue_score ON kyc_documents "
        f"(organization_id, status, ({SCORE[dialect]}), created_time, document_type)"
    )
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_kyc_documents_check_list "
            "ON kyc_documents USING gin ((document_matches -> 'checkList'))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_kyc_documents_check_list")
    op.execute("DROP INDEX ix_kyc_documents_queue_score")
    op.drop_index("ix_kyc_documents_queue", table_name="kyc_documents")
    op.create_index(QUEUE, "kyc_documents", ["organization_id", "status", "created_time"])
