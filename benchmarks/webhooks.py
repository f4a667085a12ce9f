"""Webhook deliveries per second to a local receiver, with one and with three workers.

    python benchmarks/webhooks.py [--events 5000] [--workers 1,3] [--concurrency 16]

Each round records the events for a fresh organization in one transaction (one webhook, so
one delivery per event), then times `openkyc worker` processes (already started and idle)
from the commit until every delivery is recorded as delivered. The receiver is a separate
process answering 200 at once. Needs PostgreSQL (OPENKYC_BENCH_DATABASE_URL, default the
test database); everything happens in a schema of its own, dropped at the end."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import func, select, text

from openkyc.api_keys import service as api_keys
from openkyc.db.migrate import upgrade
from openkyc.db.models import WebhookDelivery
from openkyc.db.session import Database, make_engine
from openkyc.events import service as events
from openkyc.flows import webhooks as subscriptions
from openkyc.organizations.service import create_organization
from openkyc.sealing import Sealer
from openkyc.service_credentials import service as credentials
from openkyc.service_credentials.schemas import WebhookCredentialIn
from openkyc.webhooks import service as webhooks
from openkyc.webhooks.enums import HttpMethod
from openkyc.webhooks.schemas import WebhookIn, WebhookSettingsIn

DATABASE_URL = os.environ.get(
    "OPENKYC_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

SECRET_KEY = "benchmark-" + "x" * 32
SEALER = Sealer(SECRET_KEY)  # the worker processes open the secrets with the same key


def receive(port: int) -> None:
    """The receiver process: 200 for everything, as fast as uvicorn goes."""
    import uvicorn

    async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        more = True
        while more:
            message = await receive()  # type: ignore[operator]
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def receiver(port: int) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, __file__, "--receive", str(port)])
    try:
        time.sleep(1.5)
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def schema() -> Iterator[tuple[Database, str]]:
    name = f"openkyc_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = make_engine(DATABASE_URL, connect_args={"options": f"-csearch_path={name}"})
    try:
        upgrade(engine)
        yield Database.from_engine(engine), name
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def subscribed_organization(database: Database, url: str) -> str:
    with database.write_sessionmaker.begin() as session:
        organization = create_organization(session, "Benchmark")
        api_keys.create_initial_key(session, organization.id)
        credential, _ = credentials.create(
            session, organization.id, WebhookCredentialIn(host="127.0.0.1"), SEALER
        )
        webhooks.put_settings(
            session, organization.id, WebhookSettingsIn(allowPrivateNetworks=True), True
        )
        hook = WebhookIn(method=HttpMethod.POST, url=url, credentialHash=credential.id)
        subscriptions.create(session, organization.id, hook, SEALER)
        return organization.id


def delivered(database: Database, organization_id: str) -> int:
    with database.sessionmaker() as session:
        statement = select(func.count()).where(
            WebhookDelivery.organization_id == organization_id,
            WebhookDelivery.status == "delivered",
        )
        return int(session.scalar(statement) or 0)


@contextmanager
def workers(count: int, schema_name: str, data_dir: Path, concurrency: int) -> Iterator[None]:
    environment = {
        **os.environ,
        "OPENKYC_DATABASE_URL": f"{DATABASE_URL}?options=-csearch_path%3D{schema_name}",
        "OPENKYC_DATA_DIR": str(data_dir),
        "OPENKYC_SECRET_KEY": SECRET_KEY,
        "OPENKYC_ANALYSIS_PROCESSES": "0",
        "OPENKYC_WORKER_THREADS": "1",
        "OPENKYC_EXPIRY_INTERVAL_SECONDS": "0",
        "OPENKYC_WEBHOOK_POLL_SECONDS": "0.05",
        "OPENKYC_WEBHOOK_CONCURRENCY": str(concurrency),
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "openkyc", "worker"],
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for process in processes:
            assert process.stdout is not None and "is running" in process.stdout.readline()
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


def one_round(
    database: Database, schema_name: str, url: str, count: int, events_count: int, concurrency: int
) -> float:
    """Deliveries per second with ``count`` worker processes."""
    organization_id = subscribed_organization(database, url)
    with TemporaryDirectory() as data_dir, workers(count, schema_name, Path(data_dir), concurrency):
        with database.write_sessionmaker.begin() as session:
            for n in range(events_count):
                events.record(
                    session,
                    organization_id,
                    "customer-updated",
                    "customer",
                    f"cus_{n}",
                    partial(dict, n=n),
                )
        began = time.monotonic()
        while delivered(database, organization_id) < events_count:
            time.sleep(0.05)
        return events_count / (time.monotonic() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--workers", default="1,3")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--receive", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.receive:
        receive(options.receive)
        return
    counts = [int(part) for part in options.workers.split(",")]
    print(
        f"{options.events} events, one webhook, receiver on 127.0.0.1, "
        f"{options.concurrency} deliveries in flight per worker, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    rates: dict[int, float] = {}
    with receiver(options.port) as url, schema() as (database, schema_name):
        for count in counts:
            rates[count] = one_round(
                database, schema_name, url, count, options.events, options.concurrency
            )
            print(f"{count} worker process(es): {rates[count]:7.0f} deliveries/s")
    if len(counts) > 1:
        first, last = counts[0], counts[-1]
        print(f"ratio {last} to {first}: {rates[last] / rates[first]:.2f}x")


if __name__ == "__main__":
    main()
