"""kyc requests, documents, settings, tags, outbox

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kyc_settings",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("settings", JSONType, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_kyc_settings")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("resource_type", sa.String(length=30), nullable=False),
        sa.Column("resource_id", sa.String(length=50), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_events_created_time"), ["created_time"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_events_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_events_organization_id_resource_id"),
            ["organization_id", "resource_id"],
            unique=False,
        )

    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_tags_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_tags")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tags_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )

    op.create_table(
        "customer_tags",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("tag_id", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_customer_tags_organization_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "tag_id"],
            ["tags.organization_id", "tags.id"],
            name=op.f("fk_customer_tags_organization_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "customer_id", "tag_id", name=op.f("pk_customer_tags")
        ),
    )
    with op.batch_alter_table("customer_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_tags_organization_id_tag_id"),
            ["organization_id", "tag_id"],
            unique=False,
        )

    op.create_table(
        "kyc_documents",
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("request_id", sa.String(length=50), nullable=True),
        sa.Column("document_type", sa.String(length=30), nullable=False),
        sa.Column("document_subtype", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("file_ids", JSONType, nullable=False),
        sa.Column("rejection_reason", JSONType, nullable=True),
        sa.Column("processed_time", UTCDateTime(), nullable=True),
        sa.Column("reviewer_id", sa.String(length=50), nullable=True),
        sa.Column("reviewer_name", sa.String(length=255), nullable=True),
        sa.Column("review_start_time", UTCDateTime(), nullable=True),
        sa.Column("review_time", UTCDateTime(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("match_level", sa.Integer(), nullable=False),
        sa.Column("document_matches", JSONType, nullable=True),
        sa.Column("parsed_data", JSONType, nullable=True),
        sa.Column("settings", JSONType, nullable=True),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_kyc_documents_organization_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_kyc_documents_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_kyc_documents")),
    )
    with op.batch_alter_table("kyc_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kyc_documents_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_documents_organization_id_customer_id"),
            ["organization_id", "customer_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_documents_organization_id_document_type"),
            ["organization_id", "document_type"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_documents_organization_id_request_id"),
            ["organization_id", "request_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_documents_organization_id_status"),
            ["organization_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_documents_organization_id_updated_time"),
            ["organization_id", "updated_time"],
            unique=False,
        )

    op.create_table(
        "kyc_requests",
        sa.Column("customer_id", sa.String(length=50), nullable=False),
        sa.Column("documents", JSONType, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("redirect_url", sa.String(length=2048), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("match_level", sa.Integer(), nullable=False),
        sa.Column("expiration_time", UTCDateTime(), nullable=False),
        sa.Column("deleted_time", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_kyc_requests_organization_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_kyc_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_kyc_requests")),
    )
    with op.batch_alter_table("kyc_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kyc_requests_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_requests_organization_id_customer_id"),
            ["organization_id", "customer_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_requests_organization_id_expiration_time"),
            ["organization_id", "expiration_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_requests_organization_id_status"),
            ["organization_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_requests_organization_id_updated_time"),
            ["organization_id", "updated_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kyc_requests_status_expiration_time"),
            ["status", "expiration_time"],
            unique=False,
        )

    op.create_index(
        "uq_tags_org_name",
        "tags",
        [sa.text("organization_id"), sa.text("lower(name)")],
        unique=True,
    )
    op.create_table(
        "kyc_document_tags",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("kyc_document_id", sa.String(length=50), nullable=False),
        sa.Column("tag_id", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "kyc_document_id"],
            ["kyc_documents.organization_id", "kyc_documents.id"],
            name=op.f("fk_kyc_document_tags_organization_id_kyc_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "tag_id"],
            ["tags.organization_id", "tags.id"],
            name=op.f("fk_kyc_document_tags_organization_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "kyc_document_id", "tag_id", name=op.f("pk_kyc_document_tags")
        ),
    )
    with op.batch_alter_table("kyc_document_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kyc_document_tags_organization_id_tag_id"),
            ["organization_id", "tag_id"],
            unique=False,
        )


def downgrade() -> None:
    for table in (
        "customer_tags",
        "kyc_document_tags",
        "tags",
        "kyc_documents",
        "kyc_requests",
        "kyc_settings",
        "outbox_events",
    ):
        op.drop_table(table)
