"""Work that one process at a time must do: migrating a fresh database (a deploy starts several
servers at once) and the periodic tasks every worker runs."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from openkyc.db import locks
from openkyc.db.session import Database, make_engine
from tests.conftest import POSTGRES_URL
from tests.fixtures.waiting import reachable, until

OPENKYC = [sys.executable, "-m", "openkyc"]


@pytest.fixture
def fresh_schema_url() -> Iterator[str]:
    schema = f"openkyc_deploy_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(port: int, seconds: float) -> int:
    """The status /health answers once the server listens (0 if it never does)."""
    health = reachable(
        lambda: httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code,
        httpx.TransportError,
    )
    try:
        return until(health, seconds, f"the server on port {port} to listen")
    except AssertionError:
        return 0


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_three_servers_started_at_once_on_a_fresh_database_all_serve(
    fresh_schema_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "OPENKYC_DATABASE_URL": fresh_schema_url,
        "OPENKYC_SECRET_KEY": "deploy-secret-" + "d" * 32,
        "OPENKYC_EMBEDDED_WORKER": "false",
    }
    ports = [_free_port() for _ in range(3)]
    servers = [
        subprocess.Popen(
            [*OPENKYC, "serve", "--port", str(port), "--data-dir", str(tmp_path / str(port))],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for port in ports
    ]
    try:
        statuses = [_healthy(port, 240) for port in ports]
        alive = [server.poll() is None for server in servers]
    finally:
        for server in servers:
            server.terminate()
        outputs = [server.communicate(timeout=20)[0] for server in servers]
    assert alive == [True, True, True], "\n----\n".join(outputs)
    assert statuses == [200, 200, 200]
    # The first to hold the lock migrated and made the organization; the others found both.
    keys = [re.findall(r"Secret API key:\s+(sk_\S+)", output) for output in outputs]
    assert sorted(len(found) for found in keys) == [0, 0, 1]
    engine = make_engine(fresh_schema_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM organizations")).scalar() == 1
    engine.dispose()


def test_a_transaction_lock_is_held_by_one_process_until_its_transaction_ends() -> None:
    database = Database.from_url(POSTGRES_URL)
    name = f"test-{uuid.uuid4().hex}"
    try:
        with database.sessionmaker() as first, database.sessionmaker() as second:
            assert locks.try_for_transaction(first, name)
            assert not locks.try_for_transaction(second, name)
            assert locks.try_for_transaction(first, name)  # its own again
            first.commit()
            assert locks.try_for_transaction(second, name)
            # The same name in another schema is another lock.
            with database.sessionmaker() as third:
                third.execute(text("SET LOCAL search_path TO information_schema"))
                assert locks.try_for_transaction(third, name)
    finally:
        database.dispose()
