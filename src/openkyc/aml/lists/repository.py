"""Every query of the watchlists. The lists are the operator's and shared by every
organization, so these queries take no organization; the customers they return carry theirs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from openkyc.db.models import AmlCustomerKey, AmlListEntry, AmlListKey

# Entries compared with one customer at most: the ones sharing the most keys with them.
CANDIDATES = 50
# How deep one token key's entries are read, and all pair keys' together.
PER_KEY = 200
PAIR_POSTINGS = 2000
# An entry sharing two tokens with the name outranks any sharing single tokens.
PAIR_WEIGHT = 100


def _inline(key: str) -> Any:
    return literal(key, literal_execute=True)


class ListRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_entity_ids(self, source: str, entity_ids: Collection[str]) -> dict[str, AmlListEntry]:
        statement = select(AmlListEntry).where(
            AmlListEntry.source == source, AmlListEntry.entity_id.in_(list(entity_ids))
        )
        return {e.entity_id: e for e in self.session.scalars(statement)}

    def add_many(self, entries: Sequence[tuple[dict[str, Any], Collection[str]]]) -> None:
        """New entries (their columns) and their keys, in one round trip each: a load
        writes a million of them, the unit of work would cost more than the database."""
        if not entries:
            return
        statement = insert(AmlListEntry).returning(AmlListEntry.id, sort_by_parameter_order=True)
        ids = list(self.session.scalars(statement, [row for row, _ in entries]))
        rows = [
            (k, entry_id)
            for entry_id, (_, keys) in zip(ids, entries, strict=True)
            for k in sorted(keys)
        ]
        self._insert_keys(rows)

    def _insert_keys(self, rows: list[tuple[str, int]]) -> None:
        """Index rows straight through the driver: a load writes some fifteen a name, and
        building a parameter dictionary for each costs more than the database's work."""
        if not rows:
            return
        connection = self.session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        table = AmlListKey.__tablename__
        connection.exec_driver_sql(
            f"INSERT INTO {table} (key, entry_id) VALUES ({mark}, {mark})", rows
        )

    def replace_keys(self, entry_id: int, keys: Collection[str]) -> None:
        self.session.execute(delete(AmlListKey).where(AmlListKey.entry_id == entry_id))
        self._insert_keys([(k, entry_id) for k in sorted(keys)])

    def keys_by_entry(self, entry_ids: Sequence[int]) -> set[frozenset[str]]:
        """The key set of each of these entries."""
        statement = select(AmlListKey.entry_id, AmlListKey.key).where(
            AmlListKey.entry_id.in_(entry_ids)
        )
        grouped: dict[int, set[str]] = {}
        for entry_id, key in self.session.execute(statement):
            grouped.setdefault(entry_id, set()).add(key)
        return {frozenset(keys) for keys in grouped.values()}

    def remove(self, entry_ids: Sequence[int]) -> None:
        if entry_ids:
            self.session.execute(delete(AmlListKey).where(AmlListKey.entry_id.in_(entry_ids)))
            self.session.execute(delete(AmlListEntry).where(AmlListEntry.id.in_(entry_ids)))

    def not_seen(self, source: str, load_id: str) -> list[int]:
        """Entries of the source that a full load did not see (gone from the list)."""
        statement = select(AmlListEntry.id).where(
            AmlListEntry.source == source, AmlListEntry.load_id != load_id
        )
        return list(self.session.scalars(statement))

    def count(self, source: str | None = None) -> int:
        statement = select(func.count()).select_from(AmlListEntry)
        if source is not None:
            statement = statement.where(AmlListEntry.source == source)
        return int(self.session.scalar(statement) or 0)

    def sources(self) -> list[tuple[str, int]]:
        statement = (
            select(AmlListEntry.source, func.count())
            .group_by(AmlListEntry.source)
            .order_by(AmlListEntry.source)
        )
        return [(source, int(n)) for source, n in self.session.execute(statement)]

    def candidates(
        self, keys: Collection[str], pairs: Collection[str], limit: int = CANDIDATES
    ) -> list[Any]:
        """The entries most worth comparing with a customer's name, in one query: those
        sharing a pair of its tokens (``pairs``) first, then those sharing the most token
        keys. A token key as common as a first name is read only ``PER_KEY`` entries deep,
        so the work stays the same however long the list grows. What matching reads of them
        (not the hit shown to reviewers, read for the few that match)."""
        if not keys and not pairs:
            return []
        # The keys are written into the statement: a plan made for one customer's keys
        # (PostgreSQL's generic plan of a prepared statement) reads the whole index for a
        # rarer or commoner key.
        parts = []
        if pairs:
            parts.append(
                select(AmlListKey.entry_id, literal(PAIR_WEIGHT).label("weight"))
                .where(AmlListKey.key.in_([_inline(k) for k in sorted(pairs)]))
                .limit(PAIR_POSTINGS)
                .subquery()
            )
        for key in sorted(keys):
            parts.append(
                select(AmlListKey.entry_id, literal(1).label("weight"))
                .where(AmlListKey.key == _inline(key))
                .limit(PER_KEY)
                .subquery()
            )
        postings = union_all(*[select(p.c.entry_id, p.c.weight) for p in parts]).subquery()
        shared = func.sum(postings.c.weight).label("shared")
        best = (
            select(postings.c.entry_id, shared)
            .group_by(postings.c.entry_id)
            .order_by(shared.desc(), postings.c.entry_id)
            .limit(limit)
            .subquery()
        )
        statement = (
            select(
                AmlListEntry.id,
                AmlListEntry.source,
                AmlListEntry.entity_id,
                AmlListEntry.names,
                AmlListEntry.birth_dates,
                AmlListEntry.places,
                AmlListEntry.digest,
            )
            .join(best, best.c.entry_id == AmlListEntry.id)
            .order_by(best.c.shared.desc(), AmlListEntry.id)
        )
        return list(self.session.execute(statement))

    def hits_of(self, entry_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        if not entry_ids:
            return {}
        statement = select(AmlListEntry.id, AmlListEntry.hit).where(
            AmlListEntry.id.in_(list(entry_ids))
        )
        return {entry_id: hit for entry_id, hit in self.session.execute(statement)}

    def customers_with_keys(
        self, keys: Collection[str], at_least: int = 1
    ) -> list[tuple[str, str]]:
        """(organization, customer) of every screened customer whose name shares at least
        ``at_least`` of these keys."""
        if not keys:
            return []
        statement = (
            select(AmlCustomerKey.organization_id, AmlCustomerKey.customer_id)
            .where(AmlCustomerKey.key.in_(sorted(keys)))
            .group_by(AmlCustomerKey.organization_id, AmlCustomerKey.customer_id)
            .having(func.count() >= at_least)
            .order_by(AmlCustomerKey.organization_id, AmlCustomerKey.customer_id)
        )
        return [(o, c) for o, c in self.session.execute(statement)]
