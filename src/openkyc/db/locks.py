"""Locks that span processes and machines: PostgreSQL advisory locks, named by what they guard.

A name is hashed together with the connection's schema, so deployments that share a server
in different schemas never wait for each other. SQLite needs none of this: one process writes
at a time, and its write lock already serialises what these locks guard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

_KEY = "hashtextextended('openkyc:' || :name || ':' || current_schema(), 0)"
_WAIT_FOR_TRANSACTION = text(f"SELECT pg_advisory_xact_lock({_KEY})")
_TRY_FOR_TRANSACTION = text(f"SELECT pg_try_advisory_xact_lock({_KEY})")

# Every lock here lasts for a transaction, never for a session: it is released however the
# holder ends, and it works through PgBouncer in transaction pooling mode.


def _is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def wait_for_transaction(connection: Connection, name: str) -> None:
    """Take the named lock until the connection's transaction ends, waiting while another
    process holds it."""
    if _is_postgresql(connection):
        connection.execute(_WAIT_FOR_TRANSACTION, {"name": name})


def try_for_transaction(session: Session, name: str) -> bool:
    """Take the named lock until the session's transaction ends, unless another process holds
    it (then False at once: that process is doing the work)."""
    connection = session.connection()
    if not _is_postgresql(connection):
        return True
    return bool(connection.execute(_TRY_FOR_TRANSACTION, {"name": name}).scalar())


@contextmanager
def held_if_free(bind: Engine | Connection, name: str) -> Iterator[bool]:
    """Hold the named lock for the block if no other process holds it; yields whether this one
    does (if not, that other process is doing the work). The lock lives in a transaction on a
    connection of its own, open while the block runs its own transactions."""
    if not _is_postgresql(bind):
        yield True
        return
    if isinstance(bind, Connection):  # a test's single connection, already in a transaction
        yield bool(bind.execute(_TRY_FOR_TRANSACTION, {"name": name}).scalar())
        return
    with bind.connect() as connection, connection.begin():
        yield bool(connection.execute(_TRY_FOR_TRANSACTION, {"name": name}).scalar())
