"""kyc_requests: short_code

The short link of a request's gatherer page (``/g/{code}``), typed on a phone when the QR
code cannot be scanned: random, unique over every organization, resolved to the request.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kyc_requests", sa.Column("short_code", sa.String(16), nullable=True))
    op.create_index("ix_kyc_requests_short_code", "kyc_requests", ["short_code"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_kyc_requests_short_code", table_name="kyc_requests")
    op.drop_column("kyc_requests", "short_code")
