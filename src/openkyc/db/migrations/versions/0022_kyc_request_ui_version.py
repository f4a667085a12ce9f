"""kyc_requests: ui_version

The gatherer's design chosen for one request (``"1"`` classic, ``"2"`` mobile-first); null
takes the organization's ``uiVersion`` from its KYC settings.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kyc_requests", sa.Column("ui_version", sa.String(1), nullable=True))


def downgrade() -> None:
    op.drop_column("kyc_requests", "ui_version")
