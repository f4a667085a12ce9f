from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


def test_create_a_document_of_the_customers_files(api: TestClient, tenant: Tenant) -> None:
    customer_id = kyc.customer(api)
    files = kyc.identity_files(api)
    response = api.post(
        "/kyc-documents",
        json={
            "customerId": customer_id,
            "documentType": "identity-proof",
            "documentSubtype": "passport",
            "fileIds": files,
            "notes": "sent by email",
        },
    )
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["id"].startswith("kyc_doc_")
    assert (document["status"], document["revision"], document["matchLevel"]) == ("pending", 0, 2)
    assert document["fileIds"] == files and document["requestId"] is None
    assert document["documentMatches"] is None and document["rejectionReason"] is None
    assert document["settings"]["weights"]["firstName"] == 30
    assert document["settings"]["thresholds"] == {"rejectBelow": 50, "acceptAbove": 90}
    assert {link["rel"]: link["href"] for link in document["_links"]} == {
        "self": f"http://openkyc.test/kyc-documents/{document['id']}",
        "customer": f"http://openkyc.test/customers/{customer_id}",
    }
    assert api.get(f"/kyc-documents/{document['id']}").json() == document


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (["id-front"], "kyc"),
        (["kyc"], "id-front"),
        (["kyc", "id-front", "id-back"], "one of"),
    ],
)
def test_identity_files_must_say_what_they_show(
    api: TestClient, tags: list[str], message: str
) -> None:
    customer_id = kyc.customer(api)
    body = {
        "customerId": customer_id,
        "documentType": "identity-proof",
        "fileIds": [kyc.upload(api, tags)],
    }
    problem = assert_problem(api.post("/kyc-documents", json=body), 422)
    assert problem["invalidFields"][0]["field"] == "fileIds.0"
    assert message in problem["invalidFields"][0]["message"]


def test_an_identity_document_needs_a_front(api: TestClient) -> None:
    body = {
        "customerId": kyc.customer(api),
        "documentType": "identity-proof",
        "fileIds": [kyc.upload(api, ["kyc", "face-proof"])],
    }
    assert (
        assert_problem(api.post("/kyc-documents", json=body), 422)["invalidFields"][0]["field"]
        == "fileIds"
    )


def test_files_and_customers_of_another_tenant_are_refused(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    customer_id = kyc.customer(api)
    their_file = kyc.upload(TestClient(client.app, headers=other_tenant.headers), ["kyc"])
    body = {
        "customerId": customer_id,
        "documentType": "address-proof",
        "fileIds": [kyc.upload(api, ["kyc"]), their_file],
    }
    problem = assert_problem(api.post("/kyc-documents", json=body), 422)
    assert problem["invalidFields"] == [
        {"field": "fileIds.1", "message": f"no file {their_file} in this organization"}
    ]
    their_customer = client.post("/customers", json={}, headers=other_tenant.headers).json()["id"]
    body = {
        "customerId": their_customer,
        "documentType": "address-proof",
        "fileIds": [kyc.upload(api, ["kyc"])],
    }
    assert (
        assert_problem(api.post("/kyc-documents", json=body), 422)["invalidFields"][0]["field"]
        == "customerId"
    )
    assert api.get("/kyc-documents").headers["pagination-total"] == "0"


def test_credit_files_are_not_uploaded(api: TestClient) -> None:
    body = {"customerId": kyc.customer(api), "documentType": "credit-file-proof", "fileIds": []}
    assert (
        assert_problem(api.post("/kyc-documents", json=body), 422)["invalidFields"][0]["field"]
        == "documentType"
    )


def test_attaching_to_a_request_follows_what_it_asks(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    other_customer = kyc.customer(api, first="Bob")
    request = api.post(
        "/kyc-requests",
        json={
            "customerId": customer_id,
            "documents": [
                {"type": "address-proof", "subtypes": ["utility-bill", "bank-statement"]}
            ],
        },
    ).json()

    def attach(**change: object) -> httpx.Response:
        body = {
            "customerId": customer_id,
            "documentType": "address-proof",
            "requestId": request["id"],
            "fileIds": [kyc.upload(api, ["kyc"])],
            **change,
        }
        return api.post("/kyc-documents", json=body)

    assert_problem(attach(documentType="funds-proof"), 422)
    assert_problem(attach(documentSubtype="lease-agreement"), 422)
    assert_problem(attach(customerId=other_customer), 422)
    assert_problem(attach(requestId="kyc_req_missing"), 422)
    attached = attach(documentSubtype="utility-bill")
    assert attached.status_code == 201
    assert attached.json()["requestId"] == request["id"]


def test_put_creates_or_updates_with_a_new_revision(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    file_id = kyc.upload(api, ["kyc"])
    body = {"customerId": customer_id, "documentType": "address-proof", "fileIds": [file_id]}
    created = api.put("/kyc-documents/merchant-doc-1", json=body)
    assert created.status_code == 201
    assert created.headers["location"].endswith("/kyc-documents/merchant-doc-1")
    updated = api.put(
        "/kyc-documents/merchant-doc-1",
        json={**body, "documentSubtype": "utility-bill", "notes": "checked"},
    )
    assert updated.status_code == 200
    assert (
        updated.json()["documentSubtype"],
        updated.json()["notes"],
        updated.json()["revision"],
    ) == ("utility-bill", "checked", 1)
    assert (
        api.put(
            "/kyc-documents/merchant-doc-1",
            json={**body, "documentSubtype": "utility-bill", "notes": "checked"},
        ).json()["revision"]
        == 1
    )
    problem = assert_problem(
        api.put("/kyc-documents/merchant-doc-1", json={**body, "documentType": "funds-proof"}), 422
    )
    assert problem["invalidFields"][0]["field"] == "documentType"


def test_filters_sorts_and_expands(api: TestClient) -> None:
    ada, bob = kyc.customer(api), kyc.customer(api, first="Bob")
    first = kyc.document(api, ada, "address-proof")
    second = kyc.document(api, bob, "identity-proof")
    kyc.accept(api, second["id"])

    def ids(**params: str) -> list[str]:
        response = api.get("/kyc-documents", params=params)
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()]

    assert ids(filter=f"customerId:{ada}") == [first["id"]]
    assert ids(filter="documentType:identity-proof;status:accepted") == [second["id"]]
    assert ids(filter="status:pending,accepted", sort="createdTime") == [first["id"], second["id"]]
    assert ids(filter=f"createdTime:..{kyc.in_future(-3600)}") == []
    expanded = api.get(f"/kyc-documents/{second['id']}", params={"expand": "customer,files"}).json()
    assert expanded["_embedded"]["customer"]["id"] == bob
    assert [f["id"] for f in expanded["_embedded"]["files"]] == second["fileIds"]
    assert all(f["tags"][0] == "kyc" for f in expanded["_embedded"]["files"])
    assert_problem(api.get("/kyc-documents", params={"filter": "status:maybe;nope:1"}), 422)
