"""users: sessions_not_before

Signing out ends every session of the person: tokens issued before this instant no longer act
for them.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("sessions_not_before", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "sessions_not_before")
