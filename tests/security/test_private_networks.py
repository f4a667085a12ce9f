"""In production, an organization can let its webhooks reach private networks only where
the operator allowed it; the embedded development mode keeps it easy."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


def _production(**update: Any) -> Settings:
    return Settings(
        environment="production",
        secret_key="p" * 40,
        public_url="http://openkyc.test",
        embedded_worker=False,
        expiry_interval_seconds=0,
        retention_interval_seconds=0,
        storage_sweep_interval_seconds=0,
        **update,
    )


@pytest.mark.parametrize("update", [{}, {"webhook_private_networks_opt_in": False}])
def test_production_refuses_private_networks_unless_the_operator_allows(
    database: Database, storage: LocalStorage, tenant: Tenant, update: dict[str, Any]
) -> None:
    settings = _production(**update)
    assert settings.webhook_private_networks_opt_in is False
    with TestClient(
        create_app(settings, database, storage),
        base_url="http://openkyc.test",
        raise_server_exceptions=False,
        headers=tenant.headers,
    ) as client:
        assert_problem(client.put("/webhook-settings", json={"allowPrivateNetworks": True}), 403)
        assert client.get("/webhook-settings").json()["allowPrivateNetworks"] is False


def test_an_operator_can_allow_private_networks_in_production(
    database: Database, storage: LocalStorage, tenant: Tenant
) -> None:
    settings = _production(webhook_private_networks_opt_in=True)
    with TestClient(
        create_app(settings, database, storage),
        base_url="http://openkyc.test",
        raise_server_exceptions=False,
        headers=tenant.headers,
    ) as client:
        put = client.put("/webhook-settings", json={"allowPrivateNetworks": True})
        assert put.status_code == 200, put.text


def test_development_keeps_it_easy(api: TestClient, settings: Settings) -> None:
    assert settings.webhook_private_networks_opt_in is True
    put = api.put("/webhook-settings", json={"allowPrivateNetworks": True})
    assert put.status_code == 200 and put.json()["allowPrivateNetworks"] is True


def test_the_environment_variable_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENKYC_ENVIRONMENT", "production")
    monkeypatch.setenv("OPENKYC_SECRET_KEY", "s" * 40)
    assert Settings().webhook_private_networks_opt_in is False
    monkeypatch.setenv("OPENKYC_WEBHOOK_PRIVATE_NETWORKS_OPT_IN", "true")
    assert Settings().webhook_private_networks_opt_in is True
