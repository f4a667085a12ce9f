"""kyc_documents: indexes of the review queue's filters

The queue filters the waiting documents by their score and by a check the analyser failed.
The score is an index's expression on both backends (organization, status, score); on
PostgreSQL the list of checks also has a GIN index, which answers "this check failed" by
containment.

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


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(
        "CREATE INDEX ix_kyc_documents_queue_score "
        f"ON kyc_documents (organization_id, status, ({SCORE[dialect]}))"
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
