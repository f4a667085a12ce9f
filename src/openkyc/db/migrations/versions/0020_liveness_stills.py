"""kyc_liveness_sessions: stills

A still of each pose of a liveness challenge is kept as a file of the customer, for the
people who review the customer's identity document.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kyc_liveness_sessions", sa.Column("stills", JSONType, nullable=True))


def downgrade() -> None:
    op.drop_column("kyc_liveness_sessions", "stills")
