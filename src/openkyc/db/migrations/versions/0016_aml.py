"""aml: watchlists loaded by the operator and the index that finds their entries; each
organization's AML checks, their decisions, tags, settings and suppressed false positives

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = (
    "aml_check_tags",
    "aml_check_decisions",
    "aml_suppressions",
    "aml_customer_keys",
    "aml_checks",
    "aml_settings",
    "aml_list_keys",
    "aml_list_entries",
)


def upgrade() -> None:
    op.create_table(
        "aml_list_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("schema", sa.String(length=50), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column("names", JSONType, nullable=False),
        sa.Column("birth_dates", JSONType, nullable=False),
        sa.Column("places", JSONType, nullable=False),
        sa.Column("hit", JSONType, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("load_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aml_list_entries")),
        sa.UniqueConstraint(
            "source", "entity_id", name=op.f("uq_aml_list_entries_source_entity_id")
        ),
    )
    op.create_index(
        op.f("ix_aml_list_entries_source_load_id"),
        "aml_list_entries",
        ["source", "load_id"],
        unique=False,
    )
    op.create_table(
        "aml_list_keys",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["aml_list_entries.id"],
            name=op.f("fk_aml_list_keys_entry_id_aml_list_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "entry_id", name=op.f("pk_aml_list_keys")),
    )
    op.create_index(op.f("ix_aml_list_keys_entry_id"), "aml_list_keys", ["entry_id"], unique=False)
    op.create_table(
        "aml_settings",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("settings", JSONType, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_aml_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_aml_settings")),
    )
    op.create_table(
        "aml_checks",
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("website_id", sa.String(length=50), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=True),
        sa.Column("customer_data", JSONType, nullable=False),
        sa.Column("customer_digest", sa.String(length=64), nullable=False),
        sa.Column("hits", JSONType, nullable=False),
        sa.Column("no_match_reason", sa.String(length=60), nullable=True),
        sa.Column("no_match_details", JSONType, nullable=False),
        sa.Column("reviewer_id", sa.String(length=50), nullable=True),
        sa.Column("reviewer_name", sa.String(length=255), nullable=True),
        sa.Column("reviewer_type", sa.String(length=10), nullable=True),
        sa.Column("review_start_time", UTCDateTime(), nullable=True),
        sa.Column("review_time", UTCDateTime(), nullable=True),
        sa.Column("decision_id", sa.String(length=50), nullable=True),
        sa.Column("proposal_id", sa.String(length=50), nullable=True),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_aml_checks_organization_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_aml_checks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_aml_checks")),
    )
    op.create_index(
        op.f("ix_aml_checks_organization_id_created_time"),
        "aml_checks",
        ["organization_id", "created_time"],
        unique=False,
    )
    op.create_index(
        op.f("ix_aml_checks_organization_id_customer_id_created_time"),
        "aml_checks",
        ["organization_id", "customer_id", "created_time"],
        unique=False,
    )
    op.create_index(
        op.f("ix_aml_checks_organization_id_priority"),
        "aml_checks",
        ["organization_id", "priority"],
        unique=False,
    )
    op.create_index(
        op.f("ix_aml_checks_organization_id_source"),
        "aml_checks",
        ["organization_id", "source"],
        unique=False,
    )
    op.create_index(
        op.f("ix_aml_checks_organization_id_status"),
        "aml_checks",
        ["organization_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_aml_checks_organization_id_updated_time"),
        "aml_checks",
        ["organization_id", "updated_time"],
        unique=False,
    )
    op.create_table(
        "aml_customer_keys",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_aml_customer_keys_organization_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "customer_id", "key", name=op.f("pk_aml_customer_keys")
        ),
    )
    op.create_index(op.f("ix_aml_customer_keys_key"), "aml_customer_keys", ["key"], unique=False)
    op.create_table(
        "aml_suppressions",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("entry_key", sa.String(length=360), nullable=False),
        sa.Column("entry_digest", sa.String(length=64), nullable=False),
        sa.Column("customer_digest", sa.String(length=64), nullable=False),
        sa.Column("aml_check_id", sa.String(length=50), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_aml_suppressions_organization_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "customer_id", "entry_key", name=op.f("pk_aml_suppressions")
        ),
    )
    op.create_table(
        "aml_check_decisions",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("aml_check_id", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
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
            ["organization_id", "aml_check_id"],
            ["aml_checks.organization_id", "aml_checks.id"],
            name=op.f("fk_aml_check_decisions_organization_id_aml_checks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_aml_check_decisions")),
    )
    op.create_index(
        op.f("ix_aml_check_decisions_organization_id_aml_check_id_created_time"),
        "aml_check_decisions",
        ["organization_id", "aml_check_id", "created_time"],
        unique=False,
    )
    op.create_table(
        "aml_check_tags",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("aml_check_id", sa.String(length=50), nullable=False),
        sa.Column("tag_id", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "aml_check_id"],
            ["aml_checks.organization_id", "aml_checks.id"],
            name=op.f("fk_aml_check_tags_organization_id_aml_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "tag_id"],
            ["tags.organization_id", "tags.id"],
            name=op.f("fk_aml_check_tags_organization_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "aml_check_id", "tag_id", name=op.f("pk_aml_check_tags")
        ),
    )
    op.create_index(
        op.f("ix_aml_check_tags_organization_id_tag_id"),
        "aml_check_tags",
        ["organization_id", "tag_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
