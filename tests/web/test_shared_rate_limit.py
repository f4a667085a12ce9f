"""Several API nodes share one organization's rate limit through the real Redis."""

from __future__ import annotations

from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage import Storage
from openkyc.web.app import create_app
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant


def _node(settings: Settings, database: Database, storage: Storage, tenant: Tenant, url: str):
    shared = settings.model_copy(update={"rate_limit": "3/minute", "rate_limit_storage": url})
    client = TestClient(create_app(shared, database, storage), base_url="http://openkyc.test")
    client.headers.update(tenant.headers)
    return client


def test_two_nodes_share_one_limit(
    settings: Settings, database: Database, storage: Storage, tenant: Tenant, redis_url: str
) -> None:
    with (
        _node(settings, database, storage, tenant, redis_url) as first,
        _node(settings, database, storage, tenant, redis_url) as second,
    ):
        nodes = [first, second, first]
        remaining = [
            n.post("/customers", json=customer_body()).headers["x-ratelimit-remaining"]
            for n in nodes
        ]
        assert remaining == ["2", "1", "0"]
        for node in (second, first):
            refused = node.post("/customers", json=customer_body())
            assert refused.status_code == 429
            assert refused.headers["x-ratelimit-limit"] == "3"
        # Reads are not limited, and the refused writes stored nothing.
        assert second.get("/customers").headers["pagination-total"] == "3"


def test_organizations_have_limits_of_their_own(
    settings: Settings,
    database: Database,
    storage: Storage,
    tenant: Tenant,
    other_tenant: Tenant,
    redis_url: str,
) -> None:
    with (
        _node(settings, database, storage, tenant, redis_url) as mine,
        _node(settings, database, storage, other_tenant, redis_url) as theirs,
    ):
        for _ in range(3):
            assert mine.post("/customers", json=customer_body()).status_code == 201
        assert mine.post("/customers", json=customer_body()).status_code == 429
        assert theirs.post("/customers", json=customer_body()).status_code == 201
