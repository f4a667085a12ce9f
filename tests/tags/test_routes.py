from __future__ import annotations

from fastapi.testclient import TestClient

from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


def test_tags_are_unique_whatever_the_case(api: TestClient) -> None:
    created = api.post("/tags", json={"name": "High Risk", "type": "kyc-document"})
    assert created.status_code == 201
    assert created.json()["_links"][0]["href"] == "http://openkyc.test/tags/High%20Risk"
    assert_problem(api.post("/tags", json={"name": "high risk", "type": "customer"}), 409)
    assert api.get("/tags/HIGH RISK").json()["name"] == "High Risk"
    renamed = api.patch("/tags/high risk", json={"name": "Elevated"})
    assert renamed.json()["name"] == "Elevated"
    assert_problem(api.get("/tags/High Risk"), 404)
    assert_problem(api.post("/tags", json={"name": "bad/name", "type": "customer"}), 422)


def test_tagging_documents_one_or_many(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    first, second = (kyc.document(api, customer_id, "address-proof") for _ in range(2))
    assert (
        api.post(
            "/tags/vip/kyc-documents", json={"kycDocumentIds": [first["id"], second["id"]]}
        ).status_code
        == 204
    )
    assert api.post(f"/tags/vip/kyc-documents/{first['id']}").status_code == 204
    tagged = api.get(f"/kyc-documents/{first['id']}").json()
    assert [t["name"] for t in tagged["tags"]] == ["vip"] and tagged["revision"] == 1
    listed = api.get("/kyc-documents", params={"filter": "tags:VIP", "sort": "createdTime"}).json()
    assert [d["id"] for d in listed] == [first["id"], second["id"]]
    assert (
        api.request(
            "DELETE", "/tags/vip/kyc-documents", json={"kycDocumentIds": [second["id"]]}
        ).status_code
        == 204
    )
    assert [d["id"] for d in api.get("/kyc-documents", params={"filter": "tags:vip"}).json()] == [
        first["id"]
    ]
    assert api.get("/tags/vip").json()["type"] == "kyc-document"
    problem = assert_problem(
        api.post(
            "/tags/vip/kyc-documents", json={"kycDocumentIds": [first["id"], "kyc_doc_missing"]}
        ),
        422,
    )
    assert problem["invalidFields"][0]["field"] == "kycDocumentIds.1"
    assert_problem(api.post("/tags/vip/kyc-documents/kyc_doc_missing"), 404)


def test_a_tag_keeps_to_its_type(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    document = kyc.document(api, customer_id, "address-proof")
    api.post("/tags", json={"name": "loyal", "type": "customer"})
    assert api.post(f"/tags/loyal/customers/{customer_id}").status_code == 204
    assert [t["name"] for t in api.get(f"/customers/{customer_id}").json()["tags"]] == ["loyal"]
    assert_problem(api.post(f"/tags/loyal/kyc-documents/{document['id']}"), 422)
    assert api.delete("/tags/loyal").status_code == 204
    assert api.get(f"/customers/{customer_id}").json()["tags"] == []


def test_tags_of_another_tenant_are_invisible(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    api.post("/tags", json={"name": "secret", "type": "customer"})
    assert_problem(client.get("/tags/secret", headers=other_tenant.headers), 404)
    assert client.get("/tags", headers=other_tenant.headers).json() == []
