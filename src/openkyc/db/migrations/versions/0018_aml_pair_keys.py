"""aml: pair keys in the watchlists' index

Each name of a list entry is also indexed by pairs of its tokens' keys, so a customer's
candidates are found without reading every entry that shares a common first name. The
entries loaded before get theirs from the tokens they keep.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from openkyc.aml.matching import pair_keys

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 1000
entries = sa.table("aml_list_entries", sa.column("id", sa.Integer), sa.column("names"))
keys = sa.table("aml_list_keys", sa.column("key", sa.String), sa.column("entry_id", sa.Integer))


def upgrade() -> None:
    connection = op.get_bind()
    last = 0
    while True:
        batch = connection.execute(
            sa.select(entries.c.id, entries.c.names)
            .where(entries.c.id > last)
            .order_by(entries.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        rows = []
        for entry_id, names in batch:
            found: set[str] = set()
            for name in json.loads(names) if isinstance(names, str) else names:
                found |= pair_keys(name["tokens"])
            rows += [{"key": key, "entry_id": entry_id} for key in sorted(found)]
        if rows:
            connection.execute(sa.insert(keys), rows)
        last = batch[-1][0]


def downgrade() -> None:
    op.execute(sa.delete(keys).where(keys.c.key.like("p:%")))
