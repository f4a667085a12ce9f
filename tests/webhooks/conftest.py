"""A running openkyc (its delivery worker included) on committed transactions, for the tests
that deliver to real receivers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.fixtures import webhooks
from tests.fixtures.tenants import Tenant, make_tenant

# Seconds, not hours: the same schedule, shrunk.
FAST_DELIVERY = {
    "webhook_poll_seconds": 0.05,
    "webhook_retry_base_seconds": 0.05,
    "webhook_retry_max_delay_seconds": 0.2,
    "webhook_max_attempts": 30,
    "webhook_connect_timeout": 1.0,
    "webhook_timeout": 2.0,
    "webhook_lease_seconds": 5.0,
}


@dataclass
class Live:
    api: TestClient
    database: Database
    tenant: Tenant
    settings: Settings


def live_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 32,
        allowed_hosts=("openkyc.test",),
        expiry_interval_seconds=0,
        auto_analysis=False,
        analysis_processes=0,
        worker_threads=1,
        **{**FAST_DELIVERY, **overrides},
    )


@pytest.fixture
def live(
    engines: dict[str, Engine], backend: str, tmp_path: Path
) -> Callable[..., AbstractContextManager[Live]]:
    """``with live(**settings) as app:`` a served openkyc with a tenant that lets its webhooks
    reach 127.0.0.1; its webhooks (and their deliveries) are deleted afterwards."""

    @contextmanager
    def running(**overrides: Any) -> Iterator[Live]:
        database = Database.from_engine(engines[backend])
        settings = live_settings(tmp_path, **overrides)
        app = create_app(settings, database, LocalStorage(tmp_path / "files"))
        tenant = make_tenant(database, "Live Merchant")
        with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as api:
            webhooks.allow_private_networks(api)
            try:
                yield Live(api, database, tenant, settings)
            finally:
                for hook in api.get("/webhooks", params={"limit": 1000}).json():
                    api.delete(f"/webhooks/{hook['id']}")

    return running
