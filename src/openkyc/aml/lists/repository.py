"""Every query of the watchlists. The lists are the operator's and shared by every
organization, so these queries take no organization; the customers they return carry theirs."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from openkyc.db.models import AmlCustomerKey, AmlListEntry, AmlListKey

# Entries compared with one customer at most: the ones sharing the most keys with them.
CANDIDATES = 50
# How deep one token key's entries are read; how many entries all pair keys read together,
# shared out among them (each reads at least PER_PAIR_LEAST).
PER_KEY = 200
PAIR_POSTINGS = 3000
PER_PAIR_LEAST = 100
# An entry sharing two tokens with the name outranks any sharing single tokens. A pair key
# read to its end weighs PAIR_WEIGHT and up to as much again the fewer entries it has; one
# with more entries than its share (a first name with a surname's first two letters, in a
# large list) half: the share read of it is only the first entries, not the best.
PAIR_WEIGHT = 100
# Ids named in one IN (…): well under SQLite's limit of bound values.
IN_BATCH = 5000


class Stored(NamedTuple):
    id: int
    digest: str


# What an index key is made of (name tokens are lower-case ASCII letters and digits; the
# keys add a kind, metaphone's capitals and a pair's separators).
_KEY = re.compile(r"[A-Za-z0-9:|<>]{1,40}")


def _quoted(key: str) -> str:
    """A key as an SQL literal; anything but a key's characters is refused."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not an index key: {key!r}")
    return f"'{key}'"


class ListRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stored(self, source: str, entity_ids: Collection[str]) -> dict[str, Stored]:
        """The id and digest of the source's entries of these entity ids (what a load
        compares its entities with; the rest of an entry is not read)."""
        statement = select(AmlListEntry.entity_id, AmlListEntry.id, AmlListEntry.digest).where(
            AmlListEntry.source == source, AmlListEntry.entity_id.in_(list(entity_ids))
        )
        return {e: Stored(i, d) for e, i, d in self.session.execute(statement)}

    def add_many(
        self, source: str, entries: Sequence[tuple[dict[str, Any], Collection[str]]]
    ) -> None:
        """New entries of the source (their columns) and their keys, written set by set
        (COPY on PostgreSQL): a load writes a million of them, and a statement a row would
        cost more than the database's work."""
        if not entries:
            return
        self._write(AmlListEntry.__table__, [{"source": source, **row} for row, _ in entries])
        ids = self.stored(source, [row["entity_id"] for row, _ in entries])
        self._insert_keys(
            [(k, ids[row["entity_id"]].id) for row, keys in entries for k in sorted(keys)]
        )

    def change_many(self, entries: Sequence[tuple[int, dict[str, Any], Collection[str]]]) -> None:
        """Entries that changed (id, new columns, new keys): their columns rewritten and
        their keys replaced, in a statement for all of them each."""
        if not entries:
            return
        # By primary key, one prepared UPDATE for all.
        self.session.execute(update(AmlListEntry), [{"id": i, **row} for i, row, _ in entries])
        ids = [i for i, _, _ in entries]
        self.session.execute(delete(AmlListKey).where(AmlListKey.entry_id.in_(ids)))
        self._insert_keys([(k, i) for i, _, keys in entries for k in sorted(keys)])

    def _copies(self) -> bool:
        """Whether rows can be written with PostgreSQL's COPY (psycopg's)."""
        dialect = self.session.connection().dialect
        return dialect.name == "postgresql" and dialect.driver == "psycopg"

    def _write(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """Rows into a table straight through the driver, each value as its column's type
        binds it: COPY on PostgreSQL, one prepared INSERT on SQLite."""
        connection = self.session.connection()
        dialect = connection.dialect
        names = list(rows[0])
        processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
        columns = list(zip(names, processors, strict=True))
        values = [tuple(row[n] if p is None else p(row[n]) for n, p in columns) for row in rows]
        self._rows(table.name, names, values)

    def _rows(self, table: str, names: list[str], values: Sequence[Sequence[Any]]) -> None:
        connection = self.session.connection()
        quoted = ", ".join(connection.dialect.identifier_preparer.quote(n) for n in names)
        if self._copies():
            driver = connection.connection.driver_connection
            assert driver is not None, "a connection of the session is open"
            with driver.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join(mark for _ in names)
        connection.exec_driver_sql(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", values)

    def _insert_keys(self, rows: list[tuple[str, int]]) -> None:
        """Index rows, some fifteen a name, in the order of the index."""
        if rows:
            rows.sort()
            self._rows(AmlListKey.__tablename__, ["key", "entry_id"], rows)

    def analyse(self) -> None:
        """Fresh planner statistics of the lists' tables, on PostgreSQL (SQLite's planner
        needs none to use a unique index). A first load is one transaction, and on tables it
        has grown from nothing, a plan made without statistics reads the whole source for
        each batch's lookup of the entries it holds: every batch costs more than the one
        before. ANALYZE samples, and counts the transaction's own rows."""
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            for table in (AmlListEntry.__tablename__, AmlListKey.__tablename__):
                connection.exec_driver_sql(f"ANALYZE {table}")

    def keys_by_entry(self, entry_ids: Sequence[int]) -> set[frozenset[str]]:
        """The key set of each of these entries."""
        grouped: dict[int, set[str]] = {}
        for start in range(0, len(entry_ids), IN_BATCH):
            statement = select(AmlListKey.entry_id, AmlListKey.key).where(
                AmlListKey.entry_id.in_(entry_ids[start : start + IN_BATCH])
            )
            for entry_id, key in self.session.execute(statement):
                grouped.setdefault(entry_id, set()).add(key)
        return {frozenset(keys) for keys in grouped.values()}

    def remove(self, entry_ids: Sequence[int]) -> None:
        for start in range(0, len(entry_ids), IN_BATCH):
            part = entry_ids[start : start + IN_BATCH]
            self.session.execute(delete(AmlListKey).where(AmlListKey.entry_id.in_(part)))
            self.session.execute(delete(AmlListEntry).where(AmlListEntry.id.in_(part)))

    def not_written(self, source: str, load_id: str) -> list[int]:
        """Entries of the source that a load did not write (those it saw unchanged
        included: the caller knows them)."""
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
        sharing the most pairs of its tokens (``pairs``) first, through the rarest pairs
        first, then those sharing the most token keys. A token key as common as a first name
        is read only ``PER_KEY`` entries deep, and each pair key its share of
        ``PAIR_POSTINGS``, so the work stays the same however long the list grows; a pair
        as common as a first name with a surname's first two letters does not crowd out the
        rarer pairs that find the entry. What matching reads of them (not the hit shown to
        reviewers, read for the few that match)."""
        if not keys and not pairs:
            return []
        # The keys are written into the statement: a plan made for one customer's keys
        # (PostgreSQL's generic plan of a prepared statement) reads the whole index for a
        # rarer or commoner key. The statement is written as text: building it with the
        # expression language and compiling it anew for every customer cost more than the
        # database's work.
        table = AmlListKey.__tablename__
        parts = []
        depth = max(PAIR_POSTINGS // max(len(pairs), 1), PER_PAIR_LEAST)
        weight = (
            f"CASE WHEN count(*) OVER () < {depth}"
            f" THEN {PAIR_WEIGHT} * ({2 * depth} - count(*) OVER ()) / {depth}"
            f" ELSE {PAIR_WEIGHT // 2} END"
        )
        for number, key in enumerate(sorted(pairs)):
            parts.append(
                f"SELECT entry_id, {weight} AS weight FROM (SELECT entry_id FROM {table}"
                f" WHERE key = {_quoted(key)} LIMIT {depth}) AS pair{number}"
            )
        for number, key in enumerate(sorted(keys)):
            parts.append(
                f"SELECT entry_id, 1 AS weight FROM (SELECT entry_id FROM {table}"
                f" WHERE key = {_quoted(key)} LIMIT {PER_KEY}) AS key{number}"
            )
        entries = AmlListEntry.__tablename__
        statement = text(
            "SELECT e.id, e.source, e.entity_id, e.names, e.birth_dates, e.places, e.digest"
            " FROM (SELECT entry_id, sum(weight) AS shared"
            f" FROM ({' UNION ALL '.join(parts)}) AS postings"
            f" GROUP BY entry_id ORDER BY shared DESC, entry_id LIMIT {int(limit)}) AS best"
            f" JOIN {entries} AS e ON e.id = best.entry_id"
            " ORDER BY best.shared DESC, e.id"
        ).columns(
            AmlListEntry.id,
            AmlListEntry.source,
            AmlListEntry.entity_id,
            AmlListEntry.names,
            AmlListEntry.birth_dates,
            AmlListEntry.places,
            AmlListEntry.digest,
        )
        return list(self.session.execute(statement))

    def hits_of(self, entry_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        if not entry_ids:
            return {}
        statement = select(AmlListEntry.id, AmlListEntry.hit).where(
            AmlListEntry.id.in_(list(entry_ids))
        )
        return {entry_id: hit for entry_id, hit in self.session.execute(statement)}

    def customers_sharing(
        self, names: Sequence[tuple[Collection[str], int]]
    ) -> set[tuple[str, str]]:
        """(organization, customer) of every screened customer whose keys hold at least
        ``need`` of one of these key sets (``names``: (keys, need) each), in a statement for
        many names at once.

        A customer holding ``need`` of a name's ``n`` keys holds one of any ``n - need + 1``
        of them, so the rarest keys among customers find the candidates (a first name as
        common as James finds none alone) and only those are counted."""
        keys = sorted({k for found, _ in names for k in found})
        held = self._customer_key_counts(keys)
        found: set[tuple[str, str]] = set()
        driving: list[tuple[int, str]] = []
        wanted: list[tuple[int, str, int]] = []
        for number, (name_keys, need) in enumerate(names):
            present = sorted((k for k in name_keys if k in held), key=lambda k: (held[k], k))
            if len(present) < need:
                continue
            driving += [(number, k) for k in present[: len(present) - need + 1]]
            wanted += [(number, k, need) for k in present]
            if 2 * len(driving) + 3 * len(wanted) > IN_BATCH:
                found |= self._customers_counted(driving, wanted)
                driving, wanted = [], []
        if driving:
            found |= self._customers_counted(driving, wanted)
        return found

    def _customer_key_counts(self, keys: Sequence[str]) -> dict[str, int]:
        """How many customers hold each of these keys (the ones none holds left out)."""
        counts: dict[str, int] = {}
        for start in range(0, len(keys), IN_BATCH):
            statement = (
                select(AmlCustomerKey.key, func.count())
                .where(AmlCustomerKey.key.in_(keys[start : start + IN_BATCH]))
                .group_by(AmlCustomerKey.key)
            )
            counts.update({key: int(n) for key, n in self.session.execute(statement)})
        return counts

    def _customers_counted(
        self, driving: list[tuple[int, str]], wanted: list[tuple[int, str, int]]
    ) -> set[tuple[str, str]]:
        """The customers one of a name's ``driving`` keys finds that hold ``need`` of its
        ``wanted`` keys. The names and their keys are rows of the statement (VALUES)."""
        params: dict[str, Any] = {}
        driving_rows, wanted_rows = [], []
        for i, (name, key) in enumerate(driving):
            params |= {f"dn{i}": name, f"dk{i}": key}
            driving_rows.append(f"(:dn{i}, :dk{i})")
        for i, (name, key, need) in enumerate(wanted):
            params |= {f"wn{i}": name, f"wk{i}": key, f"wq{i}": need}
            wanted_rows.append(f"(:wn{i}, :wk{i}, :wq{i})")
        table = AmlCustomerKey.__tablename__
        statement = text(
            f"WITH driving (name, key) AS (VALUES {', '.join(driving_rows)}), "
            f"wanted (name, key, need) AS (VALUES {', '.join(wanted_rows)}), "
            "candidate AS ("
            " SELECT DISTINCT driving.name, held.organization_id, held.customer_id"
            f" FROM driving JOIN {table} AS held ON held.key = driving.key) "
            "SELECT DISTINCT candidate.organization_id, candidate.customer_id"
            " FROM candidate"
            " JOIN wanted ON wanted.name = candidate.name"
            f" JOIN {table} AS held ON held.organization_id = candidate.organization_id"
            " AND held.customer_id = candidate.customer_id AND held.key = wanted.key"
            " GROUP BY candidate.name, candidate.organization_id, candidate.customer_id,"
            " wanted.need"
            " HAVING count(*) >= wanted.need"
        )
        return {(o, c) for o, c in self.session.execute(statement, params)}
