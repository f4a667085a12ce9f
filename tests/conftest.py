"""Fixtures shared by the whole suite.

Every test that touches the database runs twice, on SQLite and on PostgreSQL
(``OPENKYC_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``), against
the real app through HTTP; each test's writes are rolled back when it ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from openkyc.clock import FrozenClock
from openkyc.clock import use as use_clock
from openkyc.config import Settings
from openkyc.db.migrate import upgrade
from openkyc.db.session import Database, make_engine
from openkyc.storage import Storage
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.fixtures.live import Live, LiveServer, live_server
from tests.fixtures.seaweedfs import SeaweedFS, seaweedfs
from tests.fixtures.tenants import Tenant, make_tenant
from tests.fixtures.tools import in_ci
from tests.fixtures.waiting import until
from tests.fixtures.webhooks import LISTENER, subscribe
from tests.security.processes import command_line, descendants

POSTGRES_URL = os.environ.get(
    "OPENKYC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("OPENKYC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BACKENDS = ["sqlite", "postgresql"]
# Tests of stored bytes run on both storages: `pytestmark = STORAGES` in their module.
STORAGES = pytest.mark.parametrize("storage_kind", ["local", "s3"], indirect=True)


def _postgres_engine(schema: str) -> Engine:
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


SLOW_TEST_TIMEOUT = 900


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow (thousands of events, worker processes, browsers) get a longer budget
    than the default of pyproject.toml, unless they name their own."""
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    """One migrated database per backend for the whole run (a schema of its own on PostgreSQL)."""
    sqlite = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'openkyc.db'}")
    upgrade(sqlite)
    schema = f"openkyc_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    postgres = _postgres_engine(schema)
    upgrade(postgres)
    yield {"sqlite": sqlite, "postgresql": postgres}
    sqlite.dispose()
    postgres.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(engines: dict[str, Engine], backend: str) -> Iterator[Database]:
    """A database whose every session joins one transaction, rolled back after the test."""
    connection = engines[backend].connect()
    transaction = connection.begin()
    try:
        yield Database.on_connection(connection)
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # No background work: these tests share one connection and decide documents by hand;
    # the periodic tasks and the analyser have tests of their own.
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 32,
        # The host the test clients name (and Starlette's default one).
        allowed_hosts=("openkyc.test", "testserver"),
        expiry_interval_seconds=0,
        retention_interval_seconds=0,
        storage_sweep_interval_seconds=0,
        auto_analysis=False,
        embedded_worker=False,
    )


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """A real S3-compatible server for the run (SeaweedFS on loopback ports)."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis of the machine (``OPENKYC_TEST_REDIS_URL``); CI has one."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL}: {error}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """A stopped clock for the test (and the app it drives, whose threads share it), started at
    a whole second; ``clock.advance(seconds=2)`` moves time instead of sleeping."""
    with use_clock(FrozenClock(datetime.now(UTC).replace(microsecond=0))) as frozen:
        yield frozen


@pytest.fixture
def storage_kind(request: pytest.FixtureRequest) -> str:
    """Local disk unless a test module parametrizes it (``STORAGES``) to run on S3 too."""
    return str(getattr(request, "param", "local"))


@pytest.fixture
def storage(tmp_path: Path, storage_kind: str, request: pytest.FixtureRequest) -> Storage:
    if storage_kind == "s3":
        server: SeaweedFS = request.getfixturevalue("seaweed")
        return server.storage(f"test-{uuid.uuid4().hex}")
    return LocalStorage(tmp_path / "files")


@pytest.fixture
def app(settings: Settings, database: Database, storage: Storage) -> FastAPI:
    return create_app(settings, database, storage)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://openkyc.test", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tenant(database: Database) -> Tenant:
    """An organization with a secret API key."""
    return make_tenant(database, "Acme Gaming")


@pytest.fixture
def other_tenant(database: Database) -> Tenant:
    return make_tenant(database, "Other Merchant")


@pytest.fixture
def api(app: FastAPI, tenant: Tenant) -> Iterator[TestClient]:
    """A second client of the same app, authenticated as ``tenant`` (``client`` stays anonymous)."""
    with TestClient(
        app, base_url="http://openkyc.test", raise_server_exceptions=False, headers=tenant.headers
    ) as c:
        yield c


@pytest.fixture
def listening(api: TestClient) -> dict[str, object]:
    """A webhook of ``tenant`` that takes every event: events are stored only when a webhook
    listens (and the decisions always), so tests that read the events subscribe first."""
    return subscribe(api, LISTENER)


@pytest.fixture(scope="session", params=BACKENDS)
def live_server_of_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A real server on loopback per backend, shared by the run (see tests/fixtures/live.py)."""
    folder = tmp_path_factory.mktemp(f"live-{request.param}")
    with live_server(request.param, folder, POSTGRES_URL) as server:
        yield server


@pytest.fixture
def live(live_server_of_backend: LiveServer, request: pytest.FixtureRequest) -> Live:
    """The live server with an organization and secret key of this test's own."""
    tenant = live_server_of_backend.new_tenant(f"live {request.node.name}"[:255])
    return Live(live_server_of_backend, tenant.organization_id, tenant.api_key)


@pytest.fixture(scope="session", autouse=True)
def no_stray_child_processes() -> Iterator[None]:
    """After the run, no openkyc process the suite started (an analysis pool, a server, a
    worker) is left: every test stops what it starts. (multiprocessing's resource tracker
    lives as long as this process and ends with it.)"""
    yield
    try:
        until(lambda: not _openkyc_children(), 10, "the suite's processes to end")
    except AssertionError:
        stray = _openkyc_children()
        raise AssertionError(f"openkyc processes left running after the tests: {stray}") from None


def _openkyc_children() -> dict[int, str]:
    found = {}
    for pid in descendants(os.getpid()):
        line = command_line(pid)
        if ("openkyc" in line or "multiprocessing" in line) and "resource_tracker" not in line:
            found[pid] = line
    return found
