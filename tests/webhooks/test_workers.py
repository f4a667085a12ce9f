"""Scale-out on PostgreSQL: `openkyc worker` processes share the deliveries of one database,
none is sent twice at the same time, and a worker killed mid-delivery loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from openkyc.db.models import WebhookDelivery
from openkyc.db.session import Database
from openkyc.events import service as events
from openkyc.flows import webhooks as subscriptions
from openkyc.sealing import Sealer
from openkyc.service_credentials import service as credentials
from openkyc.service_credentials.schemas import WebhookCredentialIn
from openkyc.webhooks import service as webhooks
from openkyc.webhooks.enums import HttpMethod
from openkyc.webhooks.schemas import WebhookIn, WebhookSettingsIn
from tests.conftest import POSTGRES_URL
from tests.fixtures.tenants import make_tenant
from tests.webhooks.receivers import answering, running, wait_for

pytestmark = pytest.mark.slow

SECRET_KEY = "test-secret-" + "x" * 32
# What the worker processes open the stored secrets with.
SEALER = Sealer(SECRET_KEY)


@pytest.fixture
def postgres(engines: dict[str, Engine]) -> Database:
    return Database.from_engine(engines["postgresql"])


def _schema(database: Database) -> str:
    with database.engine.connect() as connection:
        return str(connection.execute(text("select current_schema()")).scalar_one())


def subscribed_tenant(database: Database, url: str) -> str:
    """A tenant with one webhook to ``url``, allowed to reach 127.0.0.1."""
    organization_id = make_tenant(database, "Busy Merchant").organization_id
    with database.write_sessionmaker.begin() as session:
        credential, _ = credentials.create(
            session, organization_id, WebhookCredentialIn(host="127.0.0.1"), SEALER
        )
        webhooks.put_settings(
            session, organization_id, WebhookSettingsIn(allowPrivateNetworks=True), True
        )
        hook = WebhookIn(method=HttpMethod.POST, url=url, credentialHash=credential.id)
        subscriptions.create(session, organization_id, hook, SEALER)
    return organization_id


def record_events(database: Database, organization_id: str, count: int) -> None:
    with database.write_sessionmaker.begin() as session:
        for n in range(count):
            events.record(
                session,
                organization_id,
                "customer-updated",
                "customer",
                f"cus_{n}",
                partial(dict, n=n),
            )


def delivered(database: Database, organization_id: str) -> int:
    with database.sessionmaker() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    WebhookDelivery.organization_id == organization_id,
                    WebhookDelivery.status == "delivered",
                )
            )
            or 0
        )


def deliveries(database: Database, organization_id: str) -> list[WebhookDelivery]:
    with database.sessionmaker() as session:
        statement = select(WebhookDelivery).where(
            WebhookDelivery.organization_id == organization_id
        )
        return list(session.scalars(statement))


class Workers:
    """`openkyc worker` processes on the test's PostgreSQL schema."""

    def __init__(self, database: Database, data_dir: Path, **settings: Any) -> None:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{_schema(database)}"
        self.environment = {
            **os.environ,
            "OPENKYC_DATABASE_URL": url,
            "OPENKYC_DATA_DIR": str(data_dir),
            "OPENKYC_SECRET_KEY": SECRET_KEY,
            "OPENKYC_ANALYSIS_PROCESSES": "0",
            "OPENKYC_WORKER_THREADS": "1",
            "OPENKYC_EXPIRY_INTERVAL_SECONDS": "0",
            "OPENKYC_WEBHOOK_POLL_SECONDS": "0.1",
            **{f"OPENKYC_{name.upper()}": str(value) for name, value in settings.items()},
        }
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, count: int = 1) -> list[subprocess.Popen[str]]:
        started = [
            subprocess.Popen(
                [sys.executable, "-m", "openkyc", "worker"],
                env=self.environment,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]
        for process in started:
            assert process.stdout is not None
            assert "is running" in process.stdout.readline(), "the worker did not start"
        self.processes.extend(started)
        return started

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=30)


@pytest.fixture
def workers(postgres: Database, tmp_path: Path) -> Iterator[Any]:
    made: list[Workers] = []

    def make(**settings: Any) -> Workers:
        made.append(Workers(postgres, tmp_path, **settings))
        return made[-1]

    yield make
    for group in made:
        group.stop()


def test_three_worker_processes_deliver_10000_events_once_each(
    postgres: Database, workers: Any
) -> None:
    with running(answering(delay=0.002)) as receiver:
        organization_id = subscribed_tenant(postgres, receiver.url())
        pool = workers()
        pool.start(3)
        record_events(postgres, organization_id, 10_000)
        wait_for(lambda: delivered(postgres, organization_id) == 10_000, seconds=120)

        copies = Counter(r.headers["webhook-id"] for r in receiver.received)
        assert len(copies) == 10_000 and set(copies.values()) == {1}
        rows = deliveries(postgres, organization_id)
        assert {(row.status, row.attempt) for row in rows} == {("delivered", 1)}
        shares = Counter(row.worker_id for row in rows)
        assert len(shares) == 3 and min(shares.values()) > 0


def test_a_worker_killed_mid_delivery_loses_nothing(postgres: Database, workers: Any) -> None:
    with running(answering(delay=0.5)) as receiver:
        organization_id = subscribed_tenant(postgres, receiver.url())
        pool = workers(webhook_concurrency=8, webhook_timeout=2, webhook_lease_seconds=3)
        [doomed] = pool.start(1)
        record_events(postgres, organization_id, 40)
        wait_for(lambda: len(receiver.arrived) > 8, what="deliveries under way")
        doomed.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.wait(timeout=10)
        in_flight = {
            row.event_id for row in deliveries(postgres, organization_id) if row.status == "sending"
        }
        assert in_flight  # the kill interrupted deliveries
        pool.start(1)
        wait_for(lambda: delivered(postgres, organization_id) == 40, seconds=60)

        rows = {row.event_id: row for row in deliveries(postgres, organization_id)}
        assert {row.status for row in rows.values()} == {"delivered"}
        retried = {event_id for event_id, row in rows.items() if row.attempt == 2}
        assert retried == in_flight
        receptions = defaultdict(list)
        for received in receiver.received:
            receptions[received.headers["webhook-id"]].append(received)
        assert set(receptions) == set(rows)
        # Taken over only after the lease: the copies never overlapped.
        for event_id in retried:
            first, *later = sorted(receptions[event_id], key=lambda r: r.started)
            assert all(copy.started >= first.ended for copy in later)
            assert all(copy.started - killed_at > 0 for copy in later)
        assert all(len(copies) == 1 for e, copies in receptions.items() if e not in retried)
