"""webhooks: subscriptions, host credentials, delivery settings, deliveries

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _resource_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
    ]


def _organization_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=op.f(f"fk_{table}_organization_id_organizations"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "service_credentials",
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("auth_type", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("password", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("deactivation_time", UTCDateTime(), nullable=True),
        *_resource_columns(),
        _organization_fk("service_credentials"),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_service_credentials")),
    )
    with op.batch_alter_table("service_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_credentials_organization_id_type_created_time"),
            ["organization_id", "type", "created_time"],
        )
        batch_op.create_index(
            batch_op.f("ix_service_credentials_organization_id_type_host"),
            ["organization_id", "type", "host"],
        )

    op.create_table(
        "webhook_settings",
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("allow_private_networks", sa.Boolean(), nullable=False),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        _organization_fk("webhook_settings"),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_webhook_settings")),
    )

    op.create_table(
        "webhooks",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("events_filter", JSONType, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("headers", JSONType, nullable=False),
        sa.Column("credential_id", sa.String(length=50), nullable=False),
        sa.Column("body_template", sa.Text(), nullable=True),
        sa.Column("filter", sa.Text(), nullable=True),
        sa.Column("signing_secret", sa.String(length=120), nullable=False),
        sa.Column("failing_since", UTCDateTime(), nullable=True),
        sa.Column("deactivation_time", UTCDateTime(), nullable=True),
        sa.Column("deactivation_reason", sa.Text(), nullable=True),
        *_resource_columns(),
        sa.ForeignKeyConstraint(
            ["organization_id", "credential_id"],
            ["service_credentials.organization_id", "service_credentials.id"],
            name=op.f("fk_webhooks_organization_id_service_credentials"),
        ),
        _organization_fk("webhooks"),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_webhooks")),
    )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        for columns in (["created_time"], ["credential_id"], ["status"]):
            batch_op.create_index(
                batch_op.f(f"ix_webhooks_organization_id_{columns[0]}"),
                ["organization_id", *columns],
            )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.String(length=50), nullable=False),
        sa.Column("webhook_id", sa.String(length=50), nullable=False),
        sa.Column("event_id", sa.String(length=50), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("run_after", UTCDateTime(), nullable=False),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("worker_id", sa.String(length=100), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("request_body", sa.Text(), nullable=True),
        sa.Column("request_headers", JSONType, nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_headers", JSONType, nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_time", UTCDateTime(), nullable=True),
        sa.Column("created_time", UTCDateTime(), nullable=False),
        sa.Column("updated_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "webhook_id"],
            ["webhooks.organization_id", "webhooks.id"],
            name=op.f("fk_webhook_deliveries_organization_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "organization_id",
            "event_id",
            "webhook_id",
            name=op.f("uq_webhook_deliveries_organization_id_event_id_webhook_id"),
        ),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        for name, column, status in (
            ("due", "run_after", "pending"),
            ("leased", "lease_expires_at", "sending"),
        ):
            where = sa.text(f"status = '{status}'")
            batch_op.create_index(
                f"ix_webhook_deliveries_{name}",
                [column],
                postgresql_where=where,
                sqlite_where=where,
            )
        for columns in (
            ["created_time"],
            ["entity_id"],
            ["event_type"],
            ["status"],
            ["webhook_id", "status"],
        ):
            batch_op.create_index(
                batch_op.f(f"ix_webhook_deliveries_organization_id_{'_'.join(columns)}"),
                ["organization_id", *columns],
            )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_table("webhook_settings")
    op.drop_table("service_credentials")
