"""sessions: the JWTs issued by POST /sessions, bound to their API key

A token works while its row and its key exist: deleting either revokes it. Tokens issued
before this table existed carry no row and stop working.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("api_key_id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("permissions", JSONType, nullable=False),
        sa.Column("expired_time", UTCDateTime(), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "api_key_id"],
            ["api_keys.organization_id", "api_keys.id"],
            name=op.f("fk_sessions_organization_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sessions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sessions_organization_id_api_key_id"),
            ["organization_id", "api_key_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sessions_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sessions_expired_time"), ["expired_time"], unique=False
        )


def downgrade() -> None:
    op.drop_table("sessions")
