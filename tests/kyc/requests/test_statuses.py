"""Every status of the request machine, reached through the API on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openkyc.clock import FrozenClock
from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.flows.kyc_requests import expire_due
from openkyc.web.app import create_app
from openkyc.web.links import links_for_settings
from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant, make_tenant
from tests.fixtures.waiting import until


@pytest.mark.usefixtures("listening")
def test_gathering_attempted_pending_review_partial_fulfilled(
    api: TestClient, database, tenant: Tenant
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "identity-proof", "address-proof")
    assert request["status"] == "gathering"
    first = kyc.document(api, customer_id, "identity-proof", request_id=request["id"])
    assert kyc.status_of(api, request["id"]) == "pending-review"
    kyc.reject(api, first["id"])
    assert kyc.status_of(api, request["id"]) == "attempted"
    second = kyc.document(api, customer_id, "identity-proof", request_id=request["id"])
    kyc.accept(api, second["id"])
    assert kyc.status_of(api, request["id"]) == "partial"
    address = kyc.document(api, customer_id, "address-proof", request_id=request["id"])
    assert kyc.status_of(api, request["id"]) == "partial"
    kyc.accept(api, address["id"])
    final = api.get(f"/kyc-requests/{request['id']}").json()
    assert final["status"] == "fulfilled"
    assert kyc.event_types_for(database, tenant.organization_id, request["id"]) == [
        "kyc-request-created",
        "kyc-request-modified",  # pending-review
        "kyc-request-attempted",
        "kyc-request-modified",  # pending-review again: the second identity document
        "kyc-request-partially-fulfilled",
        "kyc-request-fulfilled",
    ]
    assert final["revision"] == 5


@pytest.mark.usefixtures("listening")
def test_failed_when_a_type_uses_up_its_attempts(api: TestClient, database, tenant: Tenant) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof", maxAttempts=2)
    for _ in range(2):
        kyc.reject(
            api, kyc.document(api, customer_id, "address-proof", request_id=request["id"])["id"]
        )
    assert kyc.status_of(api, request["id"]) == "failed"
    assert (
        kyc.event_types_for(database, tenant.organization_id, request["id"])[-1]
        == "kyc-request-failed"
    )
    # A permanent status stays, whatever happens to its documents later.
    documents = api.get("/kyc-documents", params={"filter": f"requestId:{request['id']}"}).json()
    kyc.accept(api, documents[0]["id"])
    assert kyc.status_of(api, request["id"]) == "failed"
    refused = api.post(
        "/kyc-documents",
        json={
            "customerId": customer_id,
            "documentType": "address-proof",
            "requestId": request["id"],
            "fileIds": [kyc.upload(api, ["kyc"])],
        },
    )
    assert refused.status_code == 409


def test_no_attempts_left_is_a_conflict_before_the_request_fails(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof", maxAttempts=1)
    kyc.document(api, customer_id, "address-proof", request_id=request["id"])
    second = api.post(
        "/kyc-documents",
        json={
            "customerId": customer_id,
            "documentType": "address-proof",
            "requestId": request["id"],
            "fileIds": [kyc.upload(api, ["kyc"])],
        },
    )
    assert second.status_code == 409
    assert "No attempts left" in second.json()["detail"]
    assert kyc.status_of(api, request["id"]) == "pending-review"


def test_expiry_abandons_or_expires_and_nothing_moves_after(
    api: TestClient, database, tenant: Tenant, settings: Settings, clock: FrozenClock
) -> None:
    customer_id = kyc.customer(api)
    untouched = kyc.kyc_request(api, customer_id, "identity-proof")
    started = kyc.kyc_request(api, customer_id, "address-proof")
    document = kyc.document(api, customer_id, "address-proof", request_id=started["id"])
    links = links_for_settings(settings)
    with database.write_sessionmaker.begin() as session:
        assert expire_due(session, links, now=clock.advance(minutes=30)) == 0
    with database.write_sessionmaker.begin() as session:
        assert expire_due(session, links, now=clock.advance(minutes=31)) >= 2
    assert kyc.status_of(api, untouched["id"]) == "expired"
    assert kyc.status_of(api, started["id"]) == "abandoned"
    kyc.accept(api, document["id"])
    assert kyc.status_of(api, started["id"]) == "abandoned"
    with database.write_sessionmaker.begin() as session:
        assert expire_due(session, links, now=clock.advance(hours=2)) == 0


def _wait_for_status(client: TestClient, request_id: str, status: str, seconds: float) -> str:
    def current() -> str | None:
        found = str(client.get(f"/kyc-requests/{request_id}").json()["status"])
        return found if found == status else None

    return until(current, seconds, f"{request_id} to be {status}")


def test_the_running_service_expires_requests_and_catches_up_after_a_restart(
    engines: dict[str, Engine], backend: str, settings: Settings, storage, clock: FrozenClock
) -> None:
    """A real database (not rolled back): the periodic job works in its own transactions."""
    database = Database.from_engine(engines[backend])
    tenant = make_tenant(database, "Expiry Ltd")
    stopped = create_app(settings, database, storage)
    with TestClient(stopped, headers=tenant.headers) as client:
        customer_id = kyc.customer(client)
        soon = (clock.now() + timedelta(seconds=1)).isoformat()
        request = kyc.kyc_request(client, customer_id, "identity-proof", expirationTime=soon)
        running_request = kyc.kyc_request(client, customer_id, "address-proof", expirationTime=soon)
    clock.advance(seconds=2)
    # Expired while no job ran: the next service to start catches up.
    restarted = create_app(
        settings.model_copy(update={"expiry_interval_seconds": 0.2}), database, storage
    )
    with TestClient(restarted, headers=tenant.headers) as client:
        assert _wait_for_status(client, request["id"], "expired", 5) == "expired"
        assert _wait_for_status(client, running_request["id"], "expired", 5) == "expired"
        later = kyc.kyc_request(
            client,
            customer_id,
            "identity-proof",
            expirationTime=(clock.now() + timedelta(seconds=1)).isoformat(),
        )
        clock.advance(seconds=2)
        assert _wait_for_status(client, later["id"], "expired", 5) == "expired"
