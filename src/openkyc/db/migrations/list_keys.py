"""What the migrations that add keys to the watchlists' index share: every entry's names
read in batches and the keys of each name's tokens written beside its others. The keys
themselves each revision defines, so that a later change of the matcher cannot change
what it writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import sqlalchemy as sa

BATCH = 1000
entries = sa.table("aml_list_entries", sa.column("id", sa.Integer), sa.column("names"))
keys = sa.table("aml_list_keys", sa.column("key", sa.String), sa.column("entry_id", sa.Integer))


def add_keys(connection: sa.Connection, keys_of: Callable[[Sequence[str]], set[str]]) -> None:
    """Index every entry by ``keys_of`` the tokens of each of its names."""
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
                found |= keys_of(name["tokens"])
            rows += [{"key": key, "entry_id": entry_id} for key in sorted(found)]
        if rows:
            connection.execute(sa.insert(keys), rows)
        last = batch[-1][0]
