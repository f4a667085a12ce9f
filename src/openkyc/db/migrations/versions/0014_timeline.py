"""timeline: customers' timelines, append-only and hash-chained per organization

The database itself refuses to change or delete an entry openkyc wrote (a trigger on each
backend); comments and custom events may be updated, which is how they are deleted (their
words are erased, their place in the chain stays).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

DELETABLE = "('customer-comment-created', 'custom-event')"
POSTGRES_FUNCTION = f"""
CREATE FUNCTION customer_timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.type NOT IN {DELETABLE} THEN
        RAISE EXCEPTION 'customer timeline entry % is append-only', OLD.id;
    END IF;
    RETURN NEW;
END
$$
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER customer_timeline_append_only BEFORE UPDATE OR DELETE ON customer_timeline
FOR EACH ROW EXECUTE FUNCTION customer_timeline_append_only()
"""
SQLITE_TRIGGERS = (
    f"""
CREATE TRIGGER customer_timeline_no_update BEFORE UPDATE ON customer_timeline
WHEN OLD.type NOT IN {DELETABLE}
BEGIN SELECT RAISE(ABORT, 'customer timeline entries are append-only'); END
""",
    """
CREATE TRIGGER customer_timeline_no_delete BEFORE DELETE ON customer_timeline
BEGIN SELECT RAISE(ABORT, 'customer timeline entries are append-only'); END
""",
)


def upgrade() -> None:
    op.create_table(
        "customer_timeline",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("custom_event_type", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("extra_data", JSONType, nullable=True),
        sa.Column("triggered_by", sa.String(length=20), nullable=False),
        sa.Column("occurred_time", UTCDateTime(), nullable=False),
        sa.Column("deleted_time", UTCDateTime(), nullable=True),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customer_timeline_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_customer_timeline")),
        sa.UniqueConstraint(
            "organization_id", "seq", name=op.f("uq_customer_timeline_organization_id_seq")
        ),
    )
    op.create_index(
        "ix_customer_timeline_organization_id_customer_id_occurred_time",
        "customer_timeline",
        ["organization_id", "customer_id", "occurred_time"],
    )
    op.create_table(
        "audit_chain_heads",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_audit_chain_heads_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_audit_chain_heads")),
    )
    op.create_table(
        "customer_timeline_custom_events",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customer_timeline_custom_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "id", name=op.f("pk_customer_timeline_custom_events")
        ),
    )
    op.create_index(
        "uq_timeline_custom_events_org_name",
        "customer_timeline_custom_events",
        [sa.text("organization_id"), sa.text("lower(name)")],
        unique=True,
    )
    op.create_index(
        "ix_customer_timeline_custom_events_organization_id_created_time",
        "customer_timeline_custom_events",
        ["organization_id", "created_time"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    op.drop_table("customer_timeline_custom_events")
    op.drop_table("audit_chain_heads")
    op.drop_table("customer_timeline")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION customer_timeline_append_only()")
