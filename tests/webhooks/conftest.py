"""A running openkyc (its delivery worker included) on committed transactions, for the tests
that deliver to real receivers, on a stopped clock: the retry schedule is the production one,
and a test moves the clock to the next attempt instead of waiting for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from openkyc.clock import FrozenClock
from openkyc.config import Settings
from openkyc.db.models import WebhookDelivery
from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from openkyc.webhooks.enums import DeliveryStatus
from tests.fixtures import webhooks
from tests.fixtures.tenants import Tenant, make_tenant
from tests.fixtures.waiting import until

# How the worker meets the receivers on this machine: it looks for due deliveries every 50 ms
# of real time (an idle worker's cadence, not a schedule) and gives a receiver 1 s to accept
# the connection and 2 s to answer. The schedule (retries, giving up, deactivation) is the
# production one, on the test's clock.
LOCAL_DELIVERY = {
    "webhook_poll_seconds": 0.05,
    "webhook_connect_timeout": 1.0,
    "webhook_timeout": 2.0,
}
# How many times a test may move the clock to the next attempt before it gives up.
MOVES = 60


@dataclass
class Live:
    api: TestClient
    database: Database
    tenant: Tenant
    settings: Settings
    clock: FrozenClock

    def _deliveries(self) -> list[WebhookDelivery]:
        with self.database.sessionmaker() as session:
            statement = select(WebhookDelivery).where(
                WebhookDelivery.organization_id == self.tenant.organization_id
            )
            return list(session.scalars(statement))

    def _next_attempt(self) -> datetime | None:
        """When the next attempt is due, once the worker has nothing to do before then (no
        attempt under way, none due now); None while it has."""
        now, scheduled = self.clock.now(), []
        for delivery in self._deliveries():
            if delivery.status == DeliveryStatus.SENDING:
                return None
            if delivery.status == DeliveryStatus.PENDING:
                if delivery.run_after <= now:
                    return None
                scheduled.append(delivery.run_after)
        return min(scheduled, default=now)

    def until(self, fact: Callable[[], bool], what: str) -> None:
        """Wait for ``fact``, moving the clock to the next scheduled attempt each time the
        worker is left with nothing to do before it (never while an attempt is under way, so
        no lease lapses)."""
        for _ in range(MOVES):
            due = until(lambda: fact() or self._next_attempt(), what=what)
            if fact():
                return
            assert isinstance(due, datetime)
            if due <= self.clock.now():
                raise AssertionError(f"nothing more is scheduled, and still not {what}")
            self.clock.set(due)
        raise AssertionError(f"still not {what} after {MOVES} moves of the clock")


def live_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 32,
        allowed_hosts=("openkyc.test",),
        expiry_interval_seconds=0,
        auto_analysis=False,
        analysis_processes=0,
        worker_threads=1,
        **{**LOCAL_DELIVERY, **overrides},
    )


@pytest.fixture
def live(
    engines: dict[str, Engine], backend: str, tmp_path: Path, clock: FrozenClock
) -> Callable[..., AbstractContextManager[Live]]:
    """``with live(**settings) as app:`` a served openkyc on the test's stopped clock, with a
    tenant that lets its webhooks reach 127.0.0.1; its webhooks (and their deliveries) are
    deleted afterwards."""

    @contextmanager
    def running(**overrides: Any) -> Iterator[Live]:
        database = Database.from_engine(engines[backend])
        settings = live_settings(tmp_path, **overrides)
        app = create_app(settings, database, LocalStorage(tmp_path / "files"))
        tenant = make_tenant(database, "Live Merchant")
        with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as api:
            webhooks.allow_private_networks(api)
            try:
                yield Live(api, database, tenant, settings, clock)
            finally:
                for hook in api.get("/webhooks", params={"limit": 1000}).json():
                    api.delete(f"/webhooks/{hook['id']}")

    return running
