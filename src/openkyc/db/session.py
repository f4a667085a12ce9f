"""Engines and sessions. The HTTP request or the job owns the transaction."""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from collections.abc import Generator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy import (
    Connection,
    Engine,
    PrimaryKeyConstraint,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from openkyc.errors import Conflict

if TYPE_CHECKING:
    from openkyc.config import Settings

log = logging.getLogger(__name__)
SQLITE_BEGIN = "openkyc_sqlite_begin"
_HOLDS_WRITER_LOCK = "openkyc_holds_writer_lock"
# A writer that waited this long for the process's other writers goes on to SQLite's own
# busy timeout rather than failing.
WRITER_QUEUE_TIMEOUT = 30.0
_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


# Errors that mean the database could not be reached or used (connection lost, server gone,
# disk full): the API answers them with a 503 problem rather than a 500.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError,)


def begin_for_writing(session: Session) -> None:
    """Start the session's transaction as a writer (matters on SQLite only)."""
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Bound values are customers' names, e-mails and documents: no log line and no error
    # message of SQLAlchemy's shows them.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", 30)
    if url in ("sqlite://", "sqlite:///:memory:"):
        kwargs.setdefault("poolclass", StaticPool)
    else:
        # Keep a connection per request in flight. With the default 5, every connection
        # past the fifth was closed on return and reopened (four PRAGMAs) by the next request.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (savepoints work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # Writers of this process queue on a lock of their own before SQLite's: SQLite's busy
    # handler polls in growing sleeps (up to 100 ms), so a writer waiting on it kept sleeping
    # after the lock was free, while a waiter on this lock wakes the moment the holder ends.
    # The busy timeout still covers writers in other processes.
    writers = threading.Lock()
    _WRITER_LOCKS[engine] = writers

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the lock up front (IMMEDIATE) so that two writers queue on the busy
        # timeout instead of failing on the read-to-write upgrade; readers stay DEFERRED.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        if mode == "IMMEDIATE" and writers.acquire(timeout=WRITER_QUEUE_TIMEOUT):
            # Released by whichever thread ends the transaction (hence a Lock, not an RLock).
            connection.info[_HOLDS_WRITER_LOCK] = True
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            _release_writer(connection)
            raise

    def _release_writer(connection: Any) -> None:
        if connection.info.pop(_HOLDS_WRITER_LOCK, False):
            writers.release()

    event.listen(engine, "commit", _release_writer)
    event.listen(engine, "rollback", _release_writer)
    return engine


def sqlite_writer_lock(engine: Engine) -> threading.Lock | None:
    """The lock this process's writers of a SQLite engine queue on (None for other engines)."""
    return _WRITER_LOCKS.get(engine)


@cache
def _unique_keys() -> tuple[frozenset[str], frozenset[tuple[str, tuple[str, ...]]]]:
    """The unique keys of openkyc's tables: by name (what PostgreSQL reports) and by table and
    columns (what SQLite reports)."""
    from openkyc.db.base import Base
    from openkyc.db.models import Organization  # noqa: F401  (registers every model)

    names: set[str] = set()
    columns: set[tuple[str, tuple[str, ...]]] = set()
    for table in Base.metadata.tables.values():
        keys: list[Any] = [i for i in table.indexes if i.unique]
        keys += [
            c for c in table.constraints if isinstance(c, PrimaryKeyConstraint | UniqueConstraint)
        ]
        for key in keys:
            names.add(str(key.name))
            columns.add((table.name, tuple(c.name for c in key.columns)))
    return frozenset(names), frozenset(columns)


def collided_on(error: IntegrityError) -> str | None:
    """The unique key of ours that ``error`` says two writes both claimed, or None when it is
    another integrity error (a defect: openkyc checks what it is given before writing)."""
    names, columns = _unique_keys()
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg
        name = getattr(diag, "constraint_name", None)
        return name if getattr(original, "sqlstate", None) == "23505" and name in names else None
    message = str(original)
    prefix = "UNIQUE constraint failed: "
    if not message.startswith(prefix):
        return None
    failed = message.removeprefix(prefix)
    if failed.startswith("index '"):  # an index on expressions, named
        name = failed.removeprefix("index '").rstrip("'")
        return name if name in names else None
    qualified = [part.strip() for part in failed.split(",")]
    tables = {part.partition(".")[0] for part in qualified}
    key = (tables.pop(), tuple(part.partition(".")[2] for part in qualified))
    return f"{key[0]}({', '.join(key[1])})" if not tables and key in columns else None


def unit_of_work(maker: sessionmaker[Session]) -> Generator[Session]:
    """A session whose work commits when the caller is done, or rolls back if it failed.

    Work that collides with another's at the same instant (two PUTs creating one id) is rolled
    back whole and reported as a `Conflict`, to be sent again. Any other integrity error is
    rolled back and raised: a defect, never an answer to send again."""
    session = maker()
    try:
        yield session
        session.commit()
    except IntegrityError as error:
        session.rollback()
        key = collided_on(error)
        if key is None:
            log.error("a unit of work broke an integrity rule: %s", error.orig)
            raise
        log.warning("a unit of work collided with another on %s", key)
        raise Conflict(
            "Another request changed the same data at the same time; nothing of this one was "
            "stored. Send it again."
        ) from error
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


SessionFactory: TypeAlias = "sessionmaker[Session]"


class UnitOfWork:
    """A session and its transaction (``unit_of_work``), ended exactly once by whoever holds
    it (for a request: the endpoint's thread, see ``openkyc.web.routing``)."""

    def __init__(self, maker: SessionFactory) -> None:
        self._work: Generator[Session] = unit_of_work(maker)
        self.session = next(self._work)
        self.ended = False

    @property
    def idle(self) -> bool:
        """Nothing was read or written: ending it touches no database (no hand-off needed)."""
        session = self.session
        return not (session.in_transaction() or session.new or session.dirty or session.deleted)

    def commit(self) -> None:
        """Commit (a collision with another request's writes raises ``Conflict``)."""
        self.ended = True
        next(self._work, None)

    def roll_back(self, error: BaseException) -> None:
        """Roll back; raises ``error`` (or the error it stands for)."""
        self.ended = True
        with contextlib.suppress(StopIteration):
            self._work.throw(error)


@dataclass
class Database:
    """Where sessions come from: readers get a plain session, writers one that locks early."""

    engine: Engine
    sessionmaker: SessionFactory
    write_sessionmaker: SessionFactory

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls.from_engine(make_engine(url))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The deployment's database; on PostgreSQL with the pool the settings size."""
        url = settings.resolved_database_url
        if url.startswith("sqlite"):
            return cls.from_url(url)
        pool = {
            "pool_size": settings.database_pool_size,
            "max_overflow": settings.database_max_overflow,
        }
        return cls.from_engine(make_engine(url, **pool))

    @classmethod
    def from_engine(cls, engine: Engine) -> Database:
        writer = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        return cls(engine, make_sessionmaker(engine), make_sessionmaker(writer))

    @classmethod
    def on_connection(cls, connection: Connection) -> Database:
        """Every session joins the connection's open transaction through a savepoint, so a
        test can roll back all it did."""
        maker = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        return cls(connection.engine, maker, maker)

    def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
