"""foundation: organizations, api keys, customers, files

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("jwt_secret", sa.String(length=128), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_table(
        "api_keys",
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("api_user", sa.String(length=255), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("secret_hint", sa.String(length=8), nullable=False),
        sa.Column("acl", JSONType, nullable=True),
        sa.Column("allowed_ips", JSONType, nullable=True),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_api_keys_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_keys_secret_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_keys_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )

    op.create_table(
        "customers",
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("first_name", sa.String(length=45), nullable=True),
        sa.Column("last_name", sa.String(length=45), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=45), nullable=True),
        sa.Column("city", sa.String(length=45), nullable=True),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("dob", sa.String(length=10), nullable=True),
        sa.Column("website_id", sa.String(length=50), nullable=True),
        sa.Column("person_id", sa.String(length=50), nullable=True),
        sa.Column("locale", sa.String(length=20), nullable=True),
        sa.Column("preferred_payout_instrument_id", sa.String(length=50), nullable=True),
        sa.Column("has_fulfilled_kyc", sa.Boolean(), nullable=False),
        sa.Column("primary_address", JSONType, nullable=True),
        sa.Column("custom_fields", JSONType, nullable=False),
        sa.Column("tax_numbers", JSONType, nullable=True),
        sa.Column("notification_emails", JSONType, nullable=False),
        sa.Column("lead_source", JSONType, nullable=True),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_organization_id_country"),
            ["organization_id", "country"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_customers_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_customers_organization_id_dob"), ["organization_id", "dob"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customers_organization_id_has_fulfilled_kyc"),
            ["organization_id", "has_fulfilled_kyc"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_customers_organization_id_postal_code"),
            ["organization_id", "postal_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_customers_organization_id_updated_time"),
            ["organization_id", "updated_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_customers_organization_id_website_id"),
            ["organization_id", "website_id"],
            unique=False,
        )
    for column in ("email", "first_name", "last_name", "city", "region"):
        op.create_index(
            "ix_customers_org_" + column,
            "customers",
            [sa.text("organization_id"), sa.text(f"lower({column})")],
        )

    op.create_table(
        "files",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("extension", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=True),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("exif", JSONType, nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_files_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_files")),
    )
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_files_organization_id_created_time"),
            ["organization_id", "created_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_files_organization_id_mime"), ["organization_id", "mime"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_files_organization_id_sha1"), ["organization_id", "sha1"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_files_organization_id_size"), ["organization_id", "size"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_files_organization_id_updated_time"),
            ["organization_id", "updated_time"],
            unique=False,
        )

    op.create_table(
        "file_tags",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("file_id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "file_id"],
            ["files.organization_id", "files.id"],
            name=op.f("fk_file_tags_organization_id_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "file_id", "name", name=op.f("pk_file_tags")),
    )
    with op.batch_alter_table("file_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_file_tags_organization_id_name"),
            ["organization_id", "name"],
            unique=False,
        )


def downgrade() -> None:
    for table in ("file_tags", "files", "customers", "api_keys", "organizations"):
        op.drop_table(table)
