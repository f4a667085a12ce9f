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
_LOCK = text(f"SELECT pg_advisory_lock({_KEY})")
_UNLOCK = text(f"SELECT pg_advisory_unlock({_KEY})")
_TRY = text(f"SELECT pg_try_advisory_lock({_KEY})")
_TRY_FOR_TRANSACTION = text(f"SELECT pg_try_advisory_xact_lock({_KEY})")


def _is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


@contextmanager
def held(engine: Engine, name: str) -> Iterator[None]:
    """Hold the named lock for the block, waiting while another process holds it."""
    if not _is_postgresql(engine):
        yield
        return
    with engine.connect() as plain:
        connection = plain.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(_LOCK, {"name": name})
        try:
            yield
        finally:
            connection.execute(_UNLOCK, {"name": name})


@contextmanager
def held_if_free(bind: Engine | Connection, name: str) -> Iterator[bool]:
    """Hold the named lock for the block if no other process holds it; yields whether this one
    does (if not, that other process is doing the work). The lock lives on a connection of its
    own, so the block may run any number of transactions."""
    if not _is_postgresql(bind):
        yield True
        return
    if isinstance(bind, Connection):  # a test's single connection: lock on it
        yield from _held_if_free_on(bind, name)
        return
    with bind.connect() as connection:
        # Outside any transaction: the lock is held across the block's own transactions.
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        yield from _held_if_free_on(autocommit, name)


def _held_if_free_on(connection: Connection, name: str) -> Iterator[bool]:
    ours = bool(connection.execute(_TRY, {"name": name}).scalar())
    try:
        yield ours
    finally:
        if ours:
            connection.execute(_UNLOCK, {"name": name})


def try_for_transaction(session: Session, name: str) -> bool:
    """Take the named lock until the session's transaction ends, unless another process holds
    it (then False at once: that process is doing the work)."""
    connection = session.connection()
    if not _is_postgresql(connection):
        return True
    return bool(connection.execute(_TRY_FOR_TRANSACTION, {"name": name}).scalar())
