"""document analysis

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kyc_document_fingerprints",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("kyc_document_id", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "kyc_document_id"],
            ["kyc_documents.organization_id", "kyc_documents.id"],
            name=op.f("fk_kyc_document_fingerprints_organization_id_kyc_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "kyc_document_id", "kind", name=op.f("pk_kyc_document_fingerprints")
        ),
    )
    with op.batch_alter_table("kyc_document_fingerprints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kyc_document_fingerprints_organization_id_kind_value"),
            ["organization_id", "kind", "value"],
            unique=False,
        )

    with op.batch_alter_table("kyc_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hints", JSONType, nullable=True))
        batch_op.add_column(sa.Column("analysis_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kyc_documents", schema=None) as batch_op:
        batch_op.drop_column("analysis_error")
        batch_op.drop_column("hints")

    with op.batch_alter_table("kyc_document_fingerprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kyc_document_fingerprints_organization_id_kind_value"))

    op.drop_table("kyc_document_fingerprints")
