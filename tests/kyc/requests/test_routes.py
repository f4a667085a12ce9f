from __future__ import annotations

from datetime import datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


def test_a_request_with_defaults_and_links(
    api: TestClient, tenant: Tenant, settings, clock: FrozenClock
) -> None:
    customer_id = kyc.customer(api)
    response = api.post(
        f"/organizations/{tenant.organization_id}/kyc-requests",
        json={
            "customerId": customer_id,
            "documents": [{"type": "identity-proof", "faceProofRequired": True}],
            "redirectUrl": "https://shop.example/kyc-done",
            "reason": "registration",
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"].startswith("kyc_req_")
    assert (
        created["status"] == "gathering" and created["matchLevel"] == 2 and created["revision"] == 0
    )
    assert created["documents"] == [
        {
            "type": "identity-proof",
            "subtypes": None,
            "maxAttempts": 3,
            "faceProofRequired": True,
            "faceLivenessRequired": False,
        }
    ]
    expires = datetime.fromisoformat(created["expirationTime"].replace("Z", "+00:00"))
    assert expires - clock.now() == timedelta(hours=1)
    links = {link["rel"]: link["href"] for link in created["_links"]}
    base = f"http://openkyc.test/organizations/{tenant.organization_id}"
    assert links["self"] == f"{base}/kyc-requests/{created['id']}"
    assert links["documents"] == f"{base}/kyc-documents?filter=requestId:{created['id']}"
    assert links["gatherer"].startswith("http://openkyc.test/gatherer?token=")
    token = links["gatherer"].split("token=")[1]
    claims = jwt.decode(token, settings.resolved_secret_key, algorithms=["HS256"])
    assert (claims["req"], claims["org"], claims["exp"]) == (
        created["id"],
        tenant.organization_id,
        int(expires.timestamp()),
    )
    assert response.headers["location"] == links["self"]
    assert (
        api.get(f"/organizations/{tenant.organization_id}/kyc-requests/{created['id']}").json()
        == created
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customerId": "cus_nobody"}, "customerId"),
        ({"documents": []}, "documents"),
        ({"documents": [{"type": "selfie"}]}, "documents.0.type"),
        (
            {"documents": [{"type": "identity-proof", "subtypes": ["pasport"]}]},
            "documents.0.subtypes.0",
        ),
        (
            {"documents": [{"type": "identity-proof", "maxAttempts": 101}]},
            "documents.0.maxAttempts",
        ),
        ({"documents": [{"type": "identity-proof"}, {"type": "identity-proof"}]}, "documents"),
        ({"documents": [{"type": "address-proof", "faceProofRequired": True}]}, "documents.0"),
        ({"matchLevel": 4}, "matchLevel"),
        ({"expirationTime": "2020-01-01T00:00:00Z"}, "expirationTime"),
        ({"expirationTime": "tomorrow"}, "expirationTime"),
        ({"redirectUrl": "/relative/path"}, "redirectUrl"),
        ({"redirectUrl": "javascript:alert(1)"}, "redirectUrl"),
        ({"redirectUrl": "http://shop[.example/"}, "redirectUrl"),
        ({"redirectUrl": "https://shop.example\uff0fpath"}, "redirectUrl"),
    ],
)
def test_invalid_requests_name_the_field_and_store_nothing(
    api: TestClient, change: dict, field: str
) -> None:
    body = {"customerId": kyc.customer(api), "documents": [{"type": "identity-proof"}], **change}
    problem = assert_problem(api.post("/kyc-requests", json=body), 422)
    assert field in [f["field"] for f in problem["invalidFields"]]
    assert api.get("/kyc-requests").headers["pagination-total"] == "0"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/done",
        "HTTPS://shop.example",
        "https://user@xn--bcher-kva.example:8443/kyc?step=2#top",
        "https://shop.example/caf\u00e9/[draft]",
    ],
)
def test_redirect_urls_a_merchant_uses_are_kept(api: TestClient, url: str) -> None:
    body = {"customerId": kyc.customer(api), "documents": [{"type": "identity-proof"}]}
    response = api.post("/kyc-requests", json={**body, "redirectUrl": url})
    assert response.status_code == 201, response.text
    assert response.json()["redirectUrl"] == url


def test_another_tenants_customer_cannot_be_asked(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    theirs = client.post(
        "/customers", json={"primaryAddress": {"firstName": "B"}}, headers=other_tenant.headers
    ).json()["id"]
    problem = assert_problem(
        api.post(
            "/kyc-requests", json={"customerId": theirs, "documents": [{"type": "identity-proof"}]}
        ),
        422,
    )
    assert problem["invalidFields"][0]["field"] == "customerId"
    mine = kyc.kyc_request(api, kyc.customer(api))
    assert_problem(client.get(f"/kyc-requests/{mine['id']}", headers=other_tenant.headers), 404)
    assert_problem(
        client.patch(
            f"/kyc-requests/{mine['id']}", json={"reason": "x"}, headers=other_tenant.headers
        ),
        404,
    )
    assert_problem(client.delete(f"/kyc-requests/{mine['id']}", headers=other_tenant.headers), 404)


def test_list_filters_sorts_and_expands(api: TestClient) -> None:
    ada, bob = kyc.customer(api), kyc.customer(api, first="Bob")
    first = kyc.kyc_request(api, ada, "identity-proof")
    second = kyc.kyc_request(api, bob, "address-proof")
    third = kyc.kyc_request(api, ada, "address-proof")
    kyc.document(api, ada, "address-proof", request_id=third["id"])

    def ids(**params: str) -> list[str]:
        return [r["id"] for r in api.get("/kyc-requests", params=params).json()]

    assert ids(filter=f"customerId:{ada}", sort="createdTime") == [first["id"], third["id"]]
    assert ids(filter="status:pending-review") == [third["id"]]
    assert ids(filter="status:!pending-review", sort="-createdTime") == [second["id"], first["id"]]
    assert ids(filter=f"expirationTime:{kyc.in_future(7200)}..") == []
    expanded = api.get(f"/kyc-requests/{third['id']}", params={"expand": "documents"}).json()
    assert [d["documentType"] for d in expanded["_embedded"]["documents"]] == ["address-proof"]
    listed = api.get("/kyc-requests", params={"expand": "documents", "sort": "createdTime"}).json()
    assert [len(r["_embedded"]["documents"]) for r in listed] == [0, 0, 1]
    assert_problem(api.get("/kyc-requests", params={"expand": "customer"}), 422)


@pytest.mark.usefixtures("listening")
def test_patch_changes_an_open_request_with_a_new_revision(
    api: TestClient, database, tenant: Tenant
) -> None:
    request = kyc.kyc_request(api, kyc.customer(api))
    later = kyc.in_future(7200)
    patched = api.patch(
        f"/kyc-requests/{request['id']}",
        json={"expirationTime": later, "reason": "limit raise", "customerId": "cus_other"},
    )
    assert patched.status_code == 200
    body = patched.json()
    assert (body["expirationTime"], body["reason"], body["revision"]) == (later, "limit raise", 1)
    assert body["customerId"] == request["customerId"]
    assert kyc.event_types_for(database, tenant.organization_id, request["id"]) == [
        "kyc-request-created",
        "kyc-request-modified",
    ]
    problem = assert_problem(
        api.patch(
            f"/kyc-requests/{request['id']}", json={"expirationTime": "2001-01-01T00:00:00Z"}
        ),
        422,
    )
    assert problem["invalidFields"][0]["field"] == "expirationTime"


def test_a_permanent_request_cannot_be_patched(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof")
    kyc.accept(api, kyc.document(api, customer_id, "address-proof", request_id=request["id"])["id"])
    assert kyc.status_of(api, request["id"]) == "fulfilled"
    assert "gatherer" not in {
        link["rel"] for link in api.get(f"/kyc-requests/{request['id']}").json()["_links"]
    }
    assert_problem(api.patch(f"/kyc-requests/{request['id']}", json={"reason": "again"}), 409)


@pytest.mark.usefixtures("listening")
def test_delete_withdraws_the_request_and_archives_undecided_documents(
    api: TestClient, database, tenant: Tenant
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "identity-proof", "address-proof")
    pending = kyc.document(api, customer_id, "identity-proof", request_id=request["id"])
    decided = kyc.accept(
        api, kyc.document(api, customer_id, "address-proof", request_id=request["id"])["id"]
    )
    assert api.delete(f"/kyc-requests/{request['id']}").status_code == 204
    assert_problem(api.get(f"/kyc-requests/{request['id']}"), 404)
    assert api.get(f"/kyc-documents/{pending['id']}").json()["status"] == "archived"
    assert api.get(f"/kyc-documents/{decided['id']}").json()["status"] == "accepted"
    assert (
        kyc.event_types_for(database, tenant.organization_id, pending["id"])[-1]
        == "kyc-document-archived"
    )
    assert (
        kyc.event_types_for(database, tenant.organization_id, request["id"])[-1]
        == "kyc-request-deleted"
    )
    assert_problem(api.delete(f"/kyc-requests/{request['id']}"), 404)
