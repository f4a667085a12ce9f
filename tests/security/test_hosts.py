"""Links come from the configured public URL or an allowed host: a request naming any other
host is refused before it can reach a link, a redirect or a webhook."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem

EVIL_HOSTS = [
    "evil.example",
    "evil.example:8000",
    "openkyc.test.evil.example",
    "evilopenkyc.test",
    "[2001:db8::1]:8000",
    "203.0.113.9",
    "localhost.evil.example",
    "",
]


def _client(
    settings: Settings, database: Database, storage: LocalStorage, tenant: Tenant, **update: Any
) -> TestClient:
    app = create_app(settings.model_copy(update=update), database, storage)
    return TestClient(app, raise_server_exceptions=False, headers=tenant.headers)


@pytest.mark.parametrize("host", EVIL_HOSTS)
@pytest.mark.parametrize(
    "configured",
    [
        {},
        {"allowed_hosts": ()},
        {"allowed_hosts": ("kyc.shop.example",), "environment": "production"},
        {"public_url": "https://kyc.shop.example", "allowed_hosts": ()},
    ],
)
def test_an_unknown_host_is_refused_and_nothing_is_stored(
    settings: Settings,
    database: Database,
    storage: LocalStorage,
    tenant: Tenant,
    api: TestClient,
    host: str,
    configured: dict[str, Any],
) -> None:
    with _client(settings, database, storage, tenant, **configured) as client:
        created = client.post("/customers", json=customer_body(), headers={"Host": host})
        problem = assert_problem(created, 400)
        assert "host" in problem["detail"]
        assert "location" not in created.headers
        assert_problem(client.get("/customers", headers={"Host": host}), 400)
        assert_problem(client.get("/docs", headers={"Host": host}), 400)
    assert api.get("/customers").json() == []


@pytest.mark.parametrize(
    ("configured", "host", "root"),
    [
        ({"allowed_hosts": ()}, "localhost:8000", "http://localhost:8000"),
        ({"allowed_hosts": ()}, "127.0.0.1:8000", "http://127.0.0.1:8000"),
        ({"allowed_hosts": ()}, "[::1]:8000", "http://[::1]:8000"),
        ({"allowed_hosts": ("*.shop.example",)}, "kyc.shop.example", "http://kyc.shop.example"),
        ({"allowed_hosts": ("KYC.Shop.Example",)}, "kyc.shop.example", "http://kyc.shop.example"),
        (
            {"public_url": "https://kyc.shop.example", "allowed_hosts": ("internal.example",)},
            "internal.example",
            "https://kyc.shop.example",
        ),
    ],
)
def test_allowed_hosts_are_served_and_links_use_them(
    settings: Settings,
    database: Database,
    storage: LocalStorage,
    tenant: Tenant,
    configured: dict[str, Any],
    host: str,
    root: str,
) -> None:
    with _client(settings, database, storage, tenant, **configured) as client:
        created = client.post(
            f"http://{host}/customers", json=customer_body(), headers={"Host": host}
        )
        assert created.status_code == 201, created.text
        assert created.headers["location"] == f"{root}/customers/{created.json()['id']}"


def test_production_serves_only_what_the_operator_names(
    settings: Settings, database: Database, storage: LocalStorage, tenant: Tenant
) -> None:
    production = {"environment": "production", "allowed_hosts": ("kyc.shop.example",)}
    with _client(settings, database, storage, tenant, **production) as client:
        assert_problem(client.get("/customers", headers={"Host": "localhost"}), 400)
        served = client.get("/customers", headers={"Host": "kyc.shop.example"})
        assert served.status_code == 200


def test_hosts_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENKYC_ALLOWED_HOSTS", "kyc.shop.example, *.internal.example")
    monkeypatch.setenv("OPENKYC_ENVIRONMENT", "production")
    monkeypatch.setenv("OPENKYC_SECRET_KEY", "s" * 40)
    assert Settings().accepted_hosts == {"kyc.shop.example", "*.internal.example"}
