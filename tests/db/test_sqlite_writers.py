"""Writers of one process on an embedded SQLite database queue on a lock of the process before
SQLite's own; the lock must be free again however a write transaction ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from openkyc.db.session import Database, begin_for_writing, sqlite_writer_lock


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'writers.db'}")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE entries (n INTEGER PRIMARY KEY)"))
    yield database
    database.dispose()


def _lock(database: Database) -> threading.Lock:
    lock = sqlite_writer_lock(database.engine)
    assert lock is not None
    return lock


def test_the_lock_is_held_for_the_write_transaction_only(embedded: Database) -> None:
    lock = _lock(embedded)
    with embedded.write_sessionmaker() as session:
        session.execute(text("INSERT INTO entries (n) VALUES (1)"))
        assert lock.locked()
        session.commit()
        assert not lock.locked()
    with embedded.write_sessionmaker() as session:
        session.execute(text("INSERT INTO entries (n) VALUES (2)"))
        session.rollback()
    assert not lock.locked()
    with embedded.write_sessionmaker() as session:
        session.execute(text("INSERT INTO entries (n) VALUES (3)"))
    # Closed without commit or rollback: closing rolls back and frees the lock.
    assert not lock.locked()
    with (
        embedded.write_sessionmaker() as session,
        pytest.raises(IntegrityError, match="UNIQUE"),
    ):
        session.execute(text("INSERT INTO entries (n) VALUES (1)"))
    assert not lock.locked()
    with embedded.sessionmaker() as session:
        assert session.execute(text("SELECT n FROM entries")).scalars().all() == [1]
        assert not lock.locked(), "readers do not queue with the writers"


def test_a_reader_made_writer_queues_too(embedded: Database) -> None:
    lock = _lock(embedded)
    with embedded.sessionmaker() as session:
        begin_for_writing(session)
        assert lock.locked()
        session.execute(text("INSERT INTO entries (n) VALUES (9)"))
        session.commit()
    assert not lock.locked()


def test_concurrent_writers_all_land(embedded: Database) -> None:
    failures: list[BaseException] = []

    def write(start: int) -> None:
        try:
            for n in range(start, start + 25):
                with embedded.write_sessionmaker.begin() as session:
                    session.execute(text("INSERT INTO entries (n) VALUES (:n)"), {"n": n})
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(i * 100,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with embedded.sessionmaker() as session:
        assert session.execute(text("SELECT count(*) FROM entries")).scalar_one() == 200
    assert not _lock(embedded).locked()


def test_other_databases_have_no_process_lock() -> None:
    database = Database.from_url("postgresql://postgres@127.0.0.1:5432/test")
    try:
        assert sqlite_writer_lock(database.engine) is None
    finally:
        database.dispose()
