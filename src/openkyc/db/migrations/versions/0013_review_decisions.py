"""review: a history of people's decisions on documents; analysis awaited apart from status

A document being analysed may now be decided by a person meanwhile, so whether an analysis is
awaited is its own column (true for the documents in progress today).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, which SQLite takes as they are: a batch would copy the table, and
    # reflecting it (and the customers it refers to) warns about their expression indexes.
    op.add_column(
        "kyc_documents",
        sa.Column("analysis_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("kyc_documents", sa.Column("decision_id", sa.String(length=50), nullable=True))
    op.add_column("kyc_documents", sa.Column("proposal_id", sa.String(length=50), nullable=True))
    op.execute(
        sa.text(
            "UPDATE kyc_documents SET analysis_pending = :yes WHERE status = 'in-progress'"
        ).bindparams(yes=True)
    )
    op.create_table(
        "kyc_document_decisions",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("kyc_document_id", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rejection_reason", JSONType, nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.String(length=50), nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=False),
        sa.Column("author_kind", sa.String(length=20), nullable=False),
        sa.Column("reverses_id", sa.String(length=50), nullable=True),
        sa.Column("confirms_id", sa.String(length=50), nullable=True),
        sa.Column("overrode_holder_id", sa.String(length=50), nullable=True),
        sa.Column("overrode_holder_name", sa.String(length=255), nullable=True),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "kyc_document_id"],
            ["kyc_documents.organization_id", "kyc_documents.id"],
            name=op.f("fk_kyc_document_decisions_organization_id_kyc_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_kyc_document_decisions")),
    )
    op.create_index(
        "ix_kyc_document_decisions_document",
        "kyc_document_decisions",
        ["organization_id", "kyc_document_id"],
    )


def downgrade() -> None:
    op.drop_table("kyc_document_decisions")
    with op.batch_alter_table("kyc_documents") as batch:
        batch.drop_column("proposal_id")
        batch.drop_column("decision_id")
        batch.drop_column("analysis_pending")
