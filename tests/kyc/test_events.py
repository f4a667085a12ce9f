"""Every change writes its event, with the contract's payload, in the same transaction, when a
webhook takes it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import kyc, webhooks
from tests.fixtures.tenants import Tenant


@pytest.mark.usefixtures("listening")
def test_each_document_action_writes_its_event(api: TestClient, database, tenant: Tenant) -> None:
    customer_id = kyc.customer(api)
    document = kyc.document(api, customer_id, "identity-proof")
    doc_id = document["id"]
    api.post(f"/kyc-documents/{doc_id}/start-review")
    api.post(f"/kyc-documents/{doc_id}/stop-review")
    api.post(
        f"/kyc-documents/{doc_id}/matches", json={"type": "identity-proof", "firstName": "Ada"}
    )
    kyc.reject(api, doc_id)
    kyc.accept(api, doc_id)
    api.post(f"/kyc-documents/{doc_id}/review")
    api.post(f"/tags/vip/kyc-documents/{doc_id}")
    assert kyc.event_types_for(database, tenant.organization_id, doc_id) == [
        "kyc-document-created",
        "kyc-document-modified",
        "kyc-document-modified",
        "kyc-document-modified",
        "kyc-document-rejected",
        "kyc-document-accepted",
        "kyc-document-reviewed",
        "kyc-document-modified",
    ]


@pytest.mark.usefixtures("listening")
def test_document_event_payload_has_the_contracts_shape(
    api: TestClient, database, tenant: Tenant
) -> None:
    customer_id = kyc.customer(api)
    document = kyc.accept(api, kyc.document(api, customer_id, "address-proof")["id"])
    accepted = kyc.events_for(database, tenant.organization_id, document["id"])[-1]
    payload = accepted.payload
    assert payload["eventType"] == "kyc-document-accepted"
    assert (payload["customerId"], payload["kycDocumentId"], payload["fileId"]) == (
        customer_id,
        document["id"],
        document["fileIds"][0],
    )
    assert payload["_embedded"]["kycDocument"] == document
    assert payload["_embedded"]["customer"]["id"] == customer_id
    assert {link["rel"] for link in payload["_links"]} == {"customer", "kycDocument", "file"}


@pytest.mark.usefixtures("listening")
def test_request_event_payload_has_the_contracts_shape(
    api: TestClient, database, tenant: Tenant
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof")
    kyc.accept(api, kyc.document(api, customer_id, "address-proof", request_id=request["id"])["id"])
    fulfilled = kyc.events_for(database, tenant.organization_id, request["id"])[-1]
    assert fulfilled.event_type == "kyc-request-fulfilled"
    payload = fulfilled.payload
    assert (payload["customerId"], payload["kycRequestId"]) == (customer_id, request["id"])
    assert payload["_embedded"]["kycRequest"]["status"] == "fulfilled"
    assert (
        payload["_embedded"]["kycRequest"]["revision"]
        == api.get(f"/kyc-requests/{request['id']}").json()["revision"]
    )
    assert [link["rel"] for link in payload["_links"]] == ["customer", "kycRequest"]


@pytest.mark.usefixtures("listening")
def test_customer_events_and_has_fulfilled_kyc(api: TestClient, database, tenant: Tenant) -> None:
    customer_id = kyc.customer(api)
    identity = kyc.accept(api, kyc.document(api, customer_id, "identity-proof")["id"])
    address = kyc.document(api, customer_id, "address-proof")
    assert api.get(f"/customers/{customer_id}").json()["hasFulfilledKyc"] is False
    kyc.accept(api, address["id"])
    customer = api.get(f"/customers/{customer_id}").json()
    # A person accepted both (acceptance is a review): the customer has fulfilled KYC.
    assert customer["hasFulfilledKyc"] is True and customer["revision"] == 1
    assert identity["reviewTime"] is not None
    assert kyc.event_types_for(database, tenant.organization_id, customer_id) == [
        "customer-created",
        "customer-updated",
    ]
    kyc.reject(api, address["id"])
    assert api.get(f"/customers/{customer_id}").json()["hasFulfilledKyc"] is False


@pytest.mark.usefixtures("listening")
def test_a_refused_action_writes_no_event(api: TestClient, database, tenant: Tenant) -> None:
    document = kyc.accept(api, kyc.document(api, kyc.customer(api), "address-proof")["id"])
    before = kyc.event_types_for(database, tenant.organization_id, document["id"])
    assert api.post(f"/kyc-documents/{document['id']}/acceptance").status_code == 409
    assert (
        api.post(
            f"/kyc-documents/{document['id']}/matches", json={"type": "funds-proof"}
        ).status_code
        == 422
    )
    assert kyc.event_types_for(database, tenant.organization_id, document["id"]) == before


def test_events_no_webhook_takes_are_not_stored_but_decisions_are(
    api: TestClient, database, tenant: Tenant
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof")
    document = kyc.accept(
        api, kyc.document(api, customer_id, "address-proof", request_id=request["id"])["id"]
    )
    assert kyc.event_types_for(database, tenant.organization_id, customer_id) == []
    assert kyc.event_types_for(database, tenant.organization_id, request["id"]) == []
    # The reports read the machine's and people's decisions back from their events.
    assert kyc.event_types_for(database, tenant.organization_id, document["id"]) == [
        "kyc-document-accepted"
    ]
    webhooks.subscribe(api, webhooks.LISTENER, eventsFilter=["kyc-request-created"])
    second = kyc.kyc_request(api, kyc.customer(api), "address-proof")
    assert kyc.event_types_for(database, tenant.organization_id, second["id"]) == [
        "kyc-request-created"
    ]
    assert kyc.event_types_for(database, tenant.organization_id, second["customerId"]) == []
