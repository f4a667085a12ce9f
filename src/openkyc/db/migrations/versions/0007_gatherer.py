"""gatherer: liveness sessions, and which customer uploaded a file

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kyc_liveness_sessions",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("request_id", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("challenge", JSONType, nullable=False),
        sa.Column("frames", JSONType, nullable=False),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("failure_reason", sa.String(length=255), nullable=True),
        sa.Column("reference_file_id", sa.String(length=50), nullable=True),
        sa.Column("expiration_time", UTCDateTime(), nullable=False),
        sa.Column("finish_time", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_kyc_liveness_sessions_organization_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_kyc_liveness_sessions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_kyc_liveness_sessions")),
    )
    with op.batch_alter_table("kyc_liveness_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kyc_liveness_sessions_organization_id_request_id"),
            ["organization_id", "request_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_liveness_sessions_organization_id_reference_file_id"),
            ["organization_id", "reference_file_id"],
            unique=False,
        )
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_id", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("customer_id")
    op.drop_table("kyc_liveness_sessions")
