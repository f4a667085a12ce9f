"""Merging a duplicate customer into another (DELETE /customers/{id}?targetCustomerId=…):
everything moves, the duplicate is gone, and a refused merge leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from openkyc.db.models import (
    Customer,
    File,
    KycDocumentFingerprint,
    KycLivenessSession,
    KycRequest,
    OutboxEvent,
)
from openkyc.db.session import Database
from tests.fixtures import kyc
from tests.fixtures.storefront import bearer, customer_token, customer_upload
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem

LIVE_IDENTITY = [
    {"type": "identity-proof", "faceProofRequired": True, "faceLivenessRequired": True}
]


@pytest.fixture
def other_api(app: FastAPI, other_tenant: Tenant) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://openkyc.test", headers=other_tenant.headers) as c:
        yield c


def _tag(api: TestClient, name: str, *customer_ids: str) -> None:
    api.post("/tags", json={"name": name, "type": "customer"})
    response = api.post(f"/tags/{name}/customers", json={"customerIds": list(customer_ids)})
    assert response.status_code == 204, response.text


def _merge(api: TestClient, customer_id: str, target_id: str | None, prefix: str = "") -> Any:
    params = {"targetCustomerId": target_id} if target_id is not None else {}
    return api.delete(f"{prefix}/customers/{customer_id}", params=params)


def _fingerprint(database: Database, organization_id: str, document_id: str, customer_id: str):
    with database.write_sessionmaker() as session:
        session.add(
            KycDocumentFingerprint(
                organization_id=organization_id,
                kyc_document_id=document_id,
                kind="document",
                value="f" * 64,
                customer_id=customer_id,
            )
        )
        session.commit()


def _rows(database: Database, statement: Any) -> list[Any]:
    with database.sessionmaker() as session:
        return list(session.scalars(statement))


def _events(database: Database, organization_id: str, event_type: str) -> list[OutboxEvent]:
    return _rows(
        database,
        select(OutboxEvent)
        .where(OutboxEvent.organization_id == organization_id, OutboxEvent.event_type == event_type)
        .order_by(OutboxEvent.created_time),
    )


class Duplicate:
    """A customer with something of every kind that names a customer."""

    def __init__(self, api: TestClient, client: TestClient, database: Database, org: str) -> None:
        self.id = kyc.customer(api, first="Ada", last="Dup")
        _tag(api, "vip", self.id)
        _tag(api, "late", self.id)
        live = api.post("/kyc-requests", json={"customerId": self.id, "documents": LIVE_IDENTITY})
        assert live.status_code == 201, live.text
        self.live_request = live.json()
        token = customer_token(api, self.live_request)
        self.upload = customer_upload(client, token, ["kyc", "id-front"])
        session = client.post(
            "/storefront/kyc-liveness-sessions",
            json={"kycRequestId": self.live_request["id"]},
            headers=bearer(token),
        )
        assert session.status_code == 201, session.text
        self.liveness = session.json()["id"]
        attached = api.post(
            "/attachments",
            json={"fileId": self.upload, "relatedType": "customer", "relatedId": self.id},
        )
        assert attached.status_code == 201, attached.text
        self.attachment = attached.json()
        self.request = kyc.kyc_request(api, self.id, "address-proof")
        self.document = kyc.document(api, self.id, "address-proof", request_id=self.request["id"])
        kyc.accept(api, self.document["id"])
        self.loose = kyc.document(api, self.id, "identity-proof")
        kyc.accept(api, self.loose["id"])
        withdrawn = kyc.kyc_request(api, self.id, "identity-proof")
        self.archived = kyc.document(api, self.id, request_id=withdrawn["id"])
        assert api.delete(f"/kyc-requests/{withdrawn['id']}").status_code == 204
        self.withdrawn = withdrawn["id"]
        _fingerprint(database, org, self.loose["id"], self.id)
        self.documents = {
            d["id"]: api.get(f"/kyc-documents/{d['id']}").json()
            for d in (self.document, self.loose, self.archived)
        }
        self.requests = {
            r["id"]: api.get(f"/kyc-requests/{r['id']}").json()
            for r in (self.live_request, self.request)
        }


@pytest.fixture
def duplicate(api: TestClient, client: TestClient, database: Database, tenant: Tenant) -> Duplicate:
    return Duplicate(api, client, database, tenant.organization_id)


@pytest.fixture
def target_id(api: TestClient) -> str:
    return kyc.customer(api, first="Ada", last="Kept")


def test_a_merge_moves_everything_to_the_target_and_deletes_the_duplicate(
    api: TestClient, database: Database, tenant: Tenant, duplicate: Duplicate, target_id: str
) -> None:
    org = tenant.organization_id
    _tag(api, "vip", target_id)
    _tag(api, "early", target_id)
    target_before = api.get(f"/customers/{target_id}").json()
    assert target_before["hasFulfilledKyc"] is False

    assert _merge(api, duplicate.id, target_id).status_code == 204

    assert_problem(api.get(f"/customers/{duplicate.id}"), 404)
    target = api.get(f"/customers/{target_id}").json()
    assert [t["name"] for t in target["tags"]] == ["early", "late", "vip"]
    # The accepted identity and address proof it gained fulfil its KYC.
    assert target["hasFulfilledKyc"] is True
    assert target["revision"] > target_before["revision"]
    assert target["updatedTime"] >= target_before["updatedTime"]

    requests = api.get("/kyc-requests", params={"filter": f"customerId:{target_id}"}).json()
    assert {r["id"] for r in requests} == set(duplicate.requests)
    for request in requests:
        before = duplicate.requests[request["id"]]
        assert (request["customerId"], request["revision"]) == (target_id, before["revision"] + 1)
        assert request["status"] == before["status"]
    documents = api.get("/kyc-documents", params={"filter": f"customerId:{target_id}"}).json()
    assert {d["id"] for d in documents} == set(duplicate.documents)
    for document in documents:
        before = duplicate.documents[document["id"]]
        assert (document["customerId"], document["revision"]) == (target_id, before["revision"] + 1)
        assert document["status"] == before["status"]
    for path in ("/kyc-requests", "/kyc-documents"):
        assert api.get(path, params={"filter": f"customerId:{duplicate.id}"}).json() == []

    def customer_of(model: Any, resource_id: str) -> str:
        row = _rows(database, select(model).where(model.id == resource_id))[0]
        return str(row.customer_id)

    assert customer_of(File, duplicate.upload) == target_id
    attachment = api.get(f"/attachments/{duplicate.attachment['id']}").json()
    assert (attachment["relatedId"], attachment["revision"]) == (
        target_id,
        duplicate.attachment["revision"] + 1,
    )
    assert customer_of(KycLivenessSession, duplicate.liveness) == target_id
    fingerprints = _rows(
        database,
        select(KycDocumentFingerprint.customer_id).where(
            KycDocumentFingerprint.organization_id == org
        ),
    )
    assert fingerprints == [target_id]
    assert _rows(database, select(Customer).where(Customer.id == duplicate.id)) == []
    with database.sessionmaker() as session:
        withdrawn = session.get(KycRequest, (org, duplicate.withdrawn))
        assert withdrawn is not None and withdrawn.customer_id == target_id


@pytest.mark.usefixtures("listening")
def test_a_merge_tells_the_merchant_what_moved(
    api: TestClient, database: Database, tenant: Tenant, duplicate: Duplicate, target_id: str
) -> None:
    org = tenant.organization_id
    assert _merge(api, duplicate.id, target_id).status_code == 204

    (merged,) = _events(database, org, "customer-merged")
    assert merged.resource_id == target_id
    assert merged.payload["customerId"] == target_id
    assert merged.payload["mergedCustomerId"] == duplicate.id
    assert merged.payload["_embedded"]["customer"]["id"] == target_id
    modified = {e.resource_id for e in _events(database, org, "kyc-document-modified")}
    assert set(duplicate.documents) <= modified
    moved_requests = [
        e.resource_id
        for e in _events(database, org, "kyc-request-modified")
        if e.payload["customerId"] == target_id
    ]
    assert sorted(moved_requests) == sorted(duplicate.requests)


def test_the_moved_request_opens_with_a_new_link_only(
    api: TestClient, client: TestClient, duplicate: Duplicate, target_id: str
) -> None:
    old_token = customer_token(api, duplicate.live_request)
    assert _merge(api, duplicate.id, target_id).status_code == 204
    path = f"/storefront/kyc-requests/{duplicate.live_request['id']}"
    # A token issued for the deleted customer speaks for nobody now.
    assert_problem(client.get(path, headers=bearer(old_token)), 404)
    request = api.get(f"/kyc-requests/{duplicate.live_request['id']}").json()
    response = client.get(path, headers=bearer(customer_token(api, request)))
    assert response.status_code == 200, response.text


@pytest.mark.usefixtures("listening")
@pytest.mark.parametrize(
    ("target", "message"),
    [("same", "another customer"), ("missing", "no customer"), ("other-tenant", "no customer")],
)
def test_an_invalid_target_is_refused_and_nothing_changes(
    api: TestClient,
    other_api: TestClient,
    database: Database,
    duplicate: Duplicate,
    target: str,
    message: str,
) -> None:
    target_id = {
        "same": duplicate.id,
        "missing": "cus_nobody",
        "other-tenant": kyc.customer(other_api),
    }[target]
    customer_before = api.get(f"/customers/{duplicate.id}").json()
    events_before = len(_rows(database, select(OutboxEvent.id)))

    problem = assert_problem(_merge(api, duplicate.id, target_id), 422)
    assert [f["field"] for f in problem["invalidFields"]] == ["targetCustomerId"]
    assert message in problem["invalidFields"][0]["message"]

    assert api.get(f"/customers/{duplicate.id}").json() == customer_before
    for document_id, before in duplicate.documents.items():
        assert api.get(f"/kyc-documents/{document_id}").json() == before
    for request_id, before in duplicate.requests.items():
        assert api.get(f"/kyc-requests/{request_id}").json() == before
    assert len(_rows(database, select(OutboxEvent.id))) == events_before


def test_the_target_is_required(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    problem = assert_problem(_merge(api, customer_id, None), 422)
    assert [f["field"] for f in problem["invalidFields"]] == ["targetCustomerId"]
    assert api.get(f"/customers/{customer_id}").status_code == 200


def test_an_unknown_or_foreign_duplicate_is_not_found(
    api: TestClient, other_api: TestClient
) -> None:
    target_id = kyc.customer(api)
    assert_problem(_merge(api, "cus_nobody", target_id), 404)
    assert_problem(_merge(api, "cus_nobody", "cus_nobody"), 404)
    foreign = kyc.customer(other_api)
    assert_problem(_merge(api, foreign, target_id), 404)
    # The other organization cannot merge into this one's customers either.
    assert_problem(_merge(other_api, foreign, target_id), 422)
    assert other_api.get(f"/customers/{foreign}").status_code == 200


def test_a_merge_is_served_under_the_organization_too(api: TestClient, tenant: Tenant) -> None:
    duplicate, target = kyc.customer(api), kyc.customer(api)
    prefix = f"/organizations/{tenant.organization_id}"
    assert _merge(api, duplicate, target, prefix).status_code == 204
    assert_problem(api.get(f"/customers/{duplicate}"), 404)
