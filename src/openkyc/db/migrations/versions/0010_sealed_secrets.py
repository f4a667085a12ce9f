"""webhooks, service credentials: room for sealed secrets

Signing secrets and passwords are stored sealed (openkyc.sealing), which makes them longer.
PostgreSQL gets text columns; SQLite enforces no length, so its tables stay as they are (a type
change there would rebuild them).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = (("webhooks", "signing_secret", 120), ("service_credentials", "password", 255))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, length in COLUMNS:
        op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, length in COLUMNS:
        op.alter_column(table, column, type_=sa.String(length), existing_type=sa.Text())
