"""Retention: finished deliveries, the events behind them and finished jobs are forgotten after
the deployment's retention; anything still owed or recent stays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from openkyc.background import periodic_tasks
from openkyc.config import Settings
from openkyc.db.models import Job, OutboxEvent, WebhookDelivery
from openkyc.db.session import Database
from openkyc.jobs.enums import JobStatus
from openkyc.jobs.queue import enqueue
from openkyc.retention import Pruned, prune_history
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from openkyc.webhooks.enums import DeliveryStatus
from tests.fixtures import kyc, webhooks
from tests.fixtures.tenants import Tenant, make_tenant
from tests.fixtures.waiting import until

LONG_AGO = datetime.now(UTC) - timedelta(days=100)


def _age(database: Database, delivery_id: str, status: DeliveryStatus) -> str:
    """Make a delivery ``status`` and its event 100 days old; returns the event id."""
    with database.write_sessionmaker.begin() as session:
        delivery = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
        ).one()
        delivery.status, delivery.created_time, delivery.updated_time = status, LONG_AGO, LONG_AGO
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == delivery.event_id)
            .values(created_time=LONG_AGO)
        )
        return delivery.event_id


def _events(database: Database, ids: list[str]) -> set[str]:
    with database.sessionmaker() as session:
        return set(session.scalars(select(OutboxEvent.id).where(OutboxEvent.id.in_(ids))))


def _jobs(database: Database, ids: list[str]) -> set[str]:
    with database.sessionmaker() as session:
        return set(session.scalars(select(Job.id).where(Job.id.in_(ids))))


def test_what_is_finished_and_old_is_forgotten_and_nothing_else(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    webhooks.subscribe(api, "https://hooks.example/kyc", eventsFilter=["customer-created"])
    for first in ("Delivered", "Failed", "Pending", "Recent"):
        kyc.customer(api, first=first)
    delivered, failed, pending, recent = sorted(webhooks.log(api), key=lambda d: d["createdTime"])
    delivered_event = _age(database, delivered["id"], DeliveryStatus("delivered"))
    failed_event = _age(database, failed["id"], DeliveryStatus("failed"))
    pending_event = _age(database, pending["id"], DeliveryStatus("pending"))
    with database.write_sessionmaker.begin() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == recent["id"])
            .values(status="delivered")
        )
    with database.write_sessionmaker.begin() as session:
        old_done, old_queued, new_done = (
            enqueue(session, tenant.organization_id, "test-job", {}) for _ in range(3)
        )
        old_done.status, old_done.updated_time = JobStatus.DONE, LONG_AGO
        old_queued.updated_time = LONG_AGO
        new_done.status = JobStatus.DONE
        job_ids = [old_done.id, old_queued.id, new_done.id]

    with database.write_sessionmaker.begin() as session:
        assert prune_history(session, timedelta(days=101)) == Pruned(0, 0, 0)
    with database.write_sessionmaker.begin() as session:
        pruned = prune_history(session, timedelta(days=90))

    assert (pruned.deliveries, pruned.events, pruned.jobs) == (2, 2, 1)
    assert [d["id"] for d in webhooks.log(api, sort="createdTime")] == [pending["id"], recent["id"]]
    for gone in (delivered, failed):
        assert api.get(f"/tracking/webhooks/{gone['id']}").status_code == 404
    # A pending delivery keeps its event however old, so it can still be sent.
    assert _events(database, [delivered_event, failed_event, pending_event]) == {pending_event}
    assert _jobs(database, job_ids) == {old_queued.id, new_done.id}
    with database.write_sessionmaker.begin() as session:
        assert prune_history(session, timedelta(days=90)) == Pruned(0, 0, 0)


def test_a_retention_of_zero_days_runs_no_pruning(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="s" * 40, expiry_interval_seconds=0)
    assert [task.name for task in periodic_tasks(settings)] == ["prune-history"]
    kept = settings.model_copy(update={"retention_days": 0})
    assert periodic_tasks(kept) == []


def _log_ids(client: TestClient) -> list[str]:
    return [d["id"] for d in webhooks.log(client)]


def test_the_running_service_prunes_on_its_own(
    engines: dict[str, Engine], backend: str, tmp_path: Path
) -> None:
    """Committed transactions: the periodic task works in a thread and a session of its own."""
    database = Database.from_engine(engines[backend])
    tenant = make_tenant(database, f"Retention {uuid.uuid4().hex[:6]}")
    settings: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "secret_key": "test-secret-" + "x" * 32,
        "expiry_interval_seconds": 0,
        "storage_sweep_interval_seconds": 0,
        "auto_analysis": False,
        "embedded_worker": False,
        "allowed_hosts": ("testserver",),
    }
    storage = LocalStorage(tmp_path / "files")
    idle = create_app(Settings(**settings, retention_interval_seconds=0), database, storage)
    with TestClient(idle, headers=tenant.headers) as client:
        webhooks.subscribe(client, "https://hooks.example/kyc", eventsFilter=["customer-created"])
        kyc.customer(client)
        kyc.customer(client)
        old, new = sorted(webhooks.log(client), key=lambda d: d["createdTime"])
        _age(database, old["id"], DeliveryStatus("delivered"))
    pruning = create_app(Settings(**settings, retention_interval_seconds=0.2), database, storage)
    with TestClient(pruning, headers=tenant.headers) as client:
        until(lambda: old["id"] not in _log_ids(client), 10, "the periodic pruning")
        assert _log_ids(client) == [new["id"]]
