"""What an operator watches: request ids, Prometheus metrics at /metrics, JSON logs."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from openkyc.config import Settings
from openkyc.db.models import Job
from openkyc.db.session import Database, make_engine
from openkyc.kyc.documents.service import ANALYZE_DOCUMENT
from openkyc.logs import configure_logging
from openkyc.metrics import registry_for
from openkyc.storage import Storage
from openkyc.web.app import create_app
from tests.fixtures.kyc import customer, document
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant

ANALYSIS_QUEUE = f"jobs:{ANALYZE_DOCUMENT}"


def _sample(client: TestClient, name: str, **labels: str) -> float:
    """The value of one sample of /metrics (0 when it is not there yet)."""
    text = client.get("/metrics").text
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if match and match[1] == name and ",".join(sorted((match[2] or "").split(","))) == wanted:
            return float(match[3])
    return 0.0


def test_request_id_is_kept_or_made_and_always_answered(api: TestClient) -> None:
    given = api.get("/customers", headers={"X-Request-Id": "edge-7f3a.1"})
    assert given.headers["x-request-id"] == "edge-7f3a.1"
    made = api.get("/customers")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    assert api.get("/customers").headers["x-request-id"] != made.headers["x-request-id"]
    hostile = api.get("/customers", headers={"X-Request-Id": "a\tb" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])
    # Errors carry it too.
    missing = api.get("/customers/cus_missing", headers={"X-Request-Id": "lost-1"})
    assert (missing.status_code, missing.headers["x-request-id"]) == (404, "lost-1")


def test_latency_is_counted_by_route_template_and_status(api: TestClient) -> None:
    customer_id = api.post("/customers", json=customer_body()).json()["id"]
    labels = {"method": "GET", "route": "/customers/{id}", "status": "200"}
    before = _sample(api, "openkyc_http_request_duration_seconds_count", **labels)
    api.get(f"/customers/{customer_id}")
    organization = api.get(f"/customers/{customer_id}").json()["organizationId"]
    api.get(f"/organizations/{organization}/customers/{customer_id}/")
    after = _sample(api, "openkyc_http_request_duration_seconds_count", **labels)
    assert after - before == 3
    missing = {"method": "GET", "route": "/customers/{id}", "status": "404"}
    before = _sample(api, "openkyc_http_request_duration_seconds_count", **missing)
    api.get("/customers/cus_nobody")
    assert _sample(api, "openkyc_http_request_duration_seconds_count", **missing) == before + 1
    # A path no route matches is one label, not one series per path.
    api.get("/no/such/path/1")
    api.get("/no/such/path/2")
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert _sample(api, "openkyc_http_request_duration_seconds_count", **unmatched) >= 2
    assert "/no/such/path" not in api.get("/metrics").text


def test_rate_limit_refusals_are_counted(
    settings: Settings, database: Database, storage: Storage, tenant: Tenant
) -> None:
    app = create_app(settings.model_copy(update={"rate_limit": "2/minute"}), database, storage)
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as client:
        before = _sample(client, "openkyc_rate_limit_refusals_total")
        statuses = [client.post("/customers", json=customer_body()).status_code for _ in range(4)]
        assert statuses == [201, 201, 429, 429]
        assert _sample(client, "openkyc_rate_limit_refusals_total") == before + 2


def test_queue_depth_and_age_come_from_the_database(
    settings: Settings, database: Database, storage: Storage, tenant: Tenant
) -> None:
    analysing = settings.model_copy(update={"auto_analysis": True})
    app = create_app(analysing, database, storage)
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as client:
        assert _sample(client, "openkyc_queue_depth", queue=ANALYSIS_QUEUE) == 0
        owner = customer(client)
        document(client, owner)
        document(client, owner)
        assert _sample(client, "openkyc_queue_depth", queue=ANALYSIS_QUEUE) == 2
        assert _sample(client, "openkyc_queue_oldest_age_seconds", queue=ANALYSIS_QUEUE) >= 0
        assert 'openkyc_queue_depth{queue="webhooks"}' in client.get("/metrics").text


def test_jobs_carry_the_id_of_the_request_that_started_them(
    settings: Settings, database: Database, storage: Storage, tenant: Tenant
) -> None:
    app = create_app(settings.model_copy(update={"auto_analysis": True}), database, storage)
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as client:
        owner = customer(client)
        client.headers["X-Request-Id"] = "merchant-42"
        created = document(client, owner)
    with database.sessionmaker() as session:
        jobs = session.scalars(select(Job).where(Job.organization_id == tenant.organization_id))
        payloads = [job.payload for job in jobs]
    assert [p["documentId"] for p in payloads] == [created["id"]]
    assert payloads[0]["httpRequestId"] == "merchant-42"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_logs_carry_the_request_id(
    api: TestClient, restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json")  # on the stderr capsys captures now
    api.get("/customers", headers={"X-Request-Id": "trace-9"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    access = [line for line in lines if line["logger"] == "openkyc.access"]
    assert len(access) == 1
    assert access[0]["requestId"] == "trace-9"
    assert access[0]["route"] == "/customers"
    assert access[0]["status"] == 200
    assert access[0]["level"] == "info"
    assert access[0]["message"].startswith("GET /customers 200")


def test_metrics_are_served_while_the_database_is_away() -> None:
    unreachable = make_engine("postgresql://nobody@127.0.0.1:1/none")
    registry = registry_for(sessionmaker(unreachable))
    text = generate_latest(registry).decode()
    assert "openkyc_http_request_duration_seconds" in text
    assert 'openkyc_queue_depth{queue="webhooks"}' not in text
    unreachable.dispose()
