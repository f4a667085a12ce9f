"""The storefront KYC API with a customer token: one customer, one request, their own
uploads, and nothing of the merchant's side."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.gatherer import i18n
from openkyc.storefront.service import consent_version
from tests.fixtures import kyc
from tests.fixtures.storefront import bearer, customer_token, customer_upload, link_token
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem

CUSTOMER_OPERATIONS = [
    "StorefrontGetKycRequest",
    "StorefrontPostKycDocument",
    "StorefrontGetKycDocument",
    "StorefrontPatchKycDocument",
    "StorefrontPostKycLivenessSession",
    "StorefrontGetKycLivenessSession",
    "StorefrontPostKycLivenessSessionFinish",
    "StorefrontPostKycLivenessSessionFrame",
    "StorefrontPostKycConsent",
    "PostFile",
]


@pytest.fixture
def customer_id(api: TestClient) -> str:
    return kyc.customer(api)


@pytest.fixture
def request_(api: TestClient, customer_id: str) -> dict[str, Any]:
    return kyc.kyc_request(
        api, customer_id, "identity-proof", "address-proof", redirectUrl="https://shop.example/x"
    )


@pytest.fixture
def token(api: TestClient, request_: dict[str, Any]) -> str:
    return customer_token(api, request_)


def identity_files(client: TestClient, token: str) -> list[str]:
    return [
        customer_upload(client, token, ["kyc", "id-front"], seed=1),
        customer_upload(client, token, ["kyc", "face-proof"], seed=2),
    ]


def test_the_link_is_exchanged_for_a_customer_token_of_that_request(
    api: TestClient, request_: dict[str, Any], tenant: Tenant
) -> None:
    response = api.post(f"/authentication-tokens/{link_token(request_)}/exchange", json={})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["type"] == "customer" and body["token"].count(".") == 2
    assert body["customerId"] == request_["customerId"]
    assert body["customClaims"] == {
        "kycRequestId": request_["id"],
        "documents": ["identity-proof", "address-proof"],
        "redirectUrl": "https://shop.example/x",
    }
    assert body["acl"] == [
        {"scope": {"organizationId": [tenant.organization_id]}, "permissions": CUSTOMER_OPERATIONS}
    ]
    assert body["expiredTime"] == request_["expirationTime"]
    assert response.headers["location"].endswith(f"/customers/{request_['customerId']}")


def test_an_exchange_takes_a_credential_of_the_links_organization(
    client: TestClient, request_: dict[str, Any], other_tenant: Tenant
) -> None:
    path = f"/authentication-tokens/{link_token(request_)}/exchange"
    assert_problem(client.post(path, json={}), 401)
    assert_problem(client.post(path, json={}, headers=other_tenant.headers), 404)
    forged = link_token(request_)[:-3] + "abc"
    assert_problem(
        client.post(
            f"/authentication-tokens/{forged}/exchange", json={}, headers=other_tenant.headers
        ),
        404,
    )


def test_a_deleted_request_gives_no_more_tokens(api: TestClient, request_: dict[str, Any]) -> None:
    assert api.delete(f"/kyc-requests/{request_['id']}").status_code == 204
    path = f"/authentication-tokens/{link_token(request_)}/exchange"
    assert "expired" in assert_problem(api.post(path, json={}), 401)["detail"]


def test_the_customer_reads_their_request_and_nothing_else(
    api: TestClient, client: TestClient, customer_id: str, request_: dict[str, Any], token: str
) -> None:
    response = client.get(f"/storefront/kyc-requests/{request_['id']}", headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["status"], body["redirectUrl"]) == (
        request_["id"],
        "gathering",
        "https://shop.example/x",
    )
    assert [d["type"] for d in body["documents"]] == ["identity-proof", "address-proof"]
    assert body["_links"] == [
        {"rel": "self", "href": f"http://openkyc.test/storefront/kyc-requests/{request_['id']}"}
    ]
    # The same customer's other request is not this token's.
    other = kyc.kyc_request(api, customer_id, "address-proof")
    assert_problem(
        client.get(f"/storefront/kyc-requests/{other['id']}", headers=bearer(token)), 404
    )
    # Merchant operations are out of reach, and a merchant key is no customer token.
    assert_problem(client.get("/customers", headers=bearer(token)), 403)
    assert_problem(client.get(f"/kyc-requests/{request_['id']}", headers=bearer(token)), 403)
    assert_problem(api.get(f"/storefront/kyc-requests/{request_['id']}"), 401)


def test_a_document_is_made_from_the_customers_own_uploads(
    api: TestClient, client: TestClient, request_: dict[str, Any], token: str
) -> None:
    files = identity_files(client, token)
    body = {"documentType": "identity-proof", "documentSubtype": "passport", "fileIds": files}
    response = client.post("/storefront/kyc-documents", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["requestId"], created["status"], created["fileIds"]) == (
        request_["id"],
        "pending",
        files,
    )
    assert response.headers["location"].endswith(f"/storefront/kyc-documents/{created['id']}")
    assert set(created) == {
        "id",
        "fileIds",
        "documentType",
        "documentSubtype",
        "status",
        "rejectionReason",
        "requestId",
        "createdTime",
        "updatedTime",
        "processedTime",
        "documentMatches",
        "_links",
    }
    merchant_view = api.get(f"/kyc-documents/{created['id']}").json()
    assert merchant_view["customerId"] == request_["customerId"]
    assert kyc.status_of(api, request_["id"]) == "pending-review"


def test_files_the_customer_did_not_upload_are_refused(
    api: TestClient, client: TestClient, customer_id: str, request_: dict[str, Any], token: str
) -> None:
    merchants = kyc.upload(api, ["kyc"])
    someone_else = customer_token(api, kyc.kyc_request(api, kyc.customer(api), "address-proof"))
    theirs = customer_upload(client, someone_else, ["kyc"])
    body = {"documentType": "address-proof", "fileIds": [merchants, theirs]}
    problem = assert_problem(
        client.post("/storefront/kyc-documents", json=body, headers=bearer(token)), 422
    )
    assert [f["field"] for f in problem["invalidFields"]] == ["fileIds.0", "fileIds.1"]
    listed = api.get("/kyc-documents", params={"filter": f"requestId:{request_['id']}"})
    assert listed.json() == []


def test_the_rules_of_the_request_still_hold(
    api: TestClient, client: TestClient, customer_id: str
) -> None:
    request = kyc.kyc_request(api, customer_id, "address-proof", maxAttempts=1)
    token = customer_token(api, request)

    def send(document_type: str) -> Any:
        body = {"documentType": document_type, "fileIds": [customer_upload(client, token, ["kyc"])]}
        return client.post("/storefront/kyc-documents", json=body, headers=bearer(token))

    assert_problem(send("funds-proof"), 422)
    assert_problem(send("credit-file-proof"), 422)
    assert send("address-proof").status_code == 201
    assert "No attempts left" in assert_problem(send("address-proof"), 409)["detail"]


def test_another_customers_document_is_not_found(
    api: TestClient, client: TestClient, token: str
) -> None:
    theirs = kyc.document(api, kyc.customer(api, first="Grace"), "address-proof")
    assert_problem(
        client.get(f"/storefront/kyc-documents/{theirs['id']}", headers=bearer(token)), 404
    )
    patch = {"documentSubtype": "bank-statement"}
    assert_problem(
        client.patch(
            f"/storefront/kyc-documents/{theirs['id']}", json=patch, headers=bearer(token)
        ),
        404,
    )


def test_a_waiting_document_may_change_and_a_decided_one_may_not(
    api: TestClient, client: TestClient, request_: dict[str, Any], token: str
) -> None:
    first = customer_upload(client, token, ["kyc"], seed=1)
    body = {"documentType": "address-proof", "fileIds": [first]}
    created = client.post("/storefront/kyc-documents", json=body, headers=bearer(token)).json()
    second = customer_upload(client, token, ["kyc"], seed=2)
    path = f"/storefront/kyc-documents/{created['id']}"
    changed = client.patch(
        path, json={"fileIds": [second], "documentSubtype": "bank-statement"}, headers=bearer(token)
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["fileIds"], changed.json()["documentSubtype"]) == (
        [second],
        "bank-statement",
    )
    kyc.reject(api, created["id"], "document-expired")
    assert_problem(client.patch(path, json={"fileIds": [first]}, headers=bearer(token)), 409)
    assert api.get(f"/kyc-documents/{created['id']}").json()["fileIds"] == [second]


def test_results_show_the_reason_but_not_the_merchants_side(
    api: TestClient, client: TestClient, request_: dict[str, Any], token: str
) -> None:
    body = {"documentType": "address-proof", "fileIds": [customer_upload(client, token, ["kyc"])]}
    created = client.post("/storefront/kyc-documents", json=body, headers=bearer(token)).json()
    api.put(
        f"/kyc-documents/{created['id']}",
        json={**body, "customerId": request_["customerId"], "notes": "looks odd"},
    )
    kyc.reject(api, created["id"], "document-expired")
    response = client.get(
        f"/storefront/kyc-requests/{request_['id']}?expand=documents", headers=bearer(token)
    )
    embedded = response.json()["_embedded"]["documents"]
    assert [(d["id"], d["status"]) for d in embedded] == [(created["id"], "rejected")]
    assert embedded[0]["rejectionReason"] == {"type": "document-expired", "message": "Too blurry"}
    assert not {"notes", "settings", "reviewerName", "customerId"} & set(embedded[0])


def test_a_request_asking_for_liveness_wants_a_live_selfie(
    api: TestClient, client: TestClient, customer_id: str
) -> None:
    documents = [{"type": "identity-proof", "faceLivenessRequired": True}]
    response = api.post("/kyc-requests", json={"customerId": customer_id, "documents": documents})
    token = customer_token(api, response.json())
    body = {"documentType": "identity-proof", "fileIds": identity_files(client, token)}
    problem = assert_problem(
        client.post("/storefront/kyc-documents", json=body, headers=bearer(token)), 422
    )
    assert "liveness" in problem["invalidFields"][0]["message"]


def test_customer_uploads_are_private(client: TestClient, token: str) -> None:
    body = {"file": "aGVsbG8=", "isPublic": True}
    assert_problem(client.post("/files", json=body, headers=bearer(token)), 403)


def test_the_customers_consent_is_recorded_on_their_timeline(
    api: TestClient, client: TestClient, request_: dict[str, Any], token: str
) -> None:
    french = i18n.messages("fr")["consent"]["text"]
    path = f"/storefront/kyc-requests/{request_['id']}/consents"
    body = {"language": "fr", "textVersion": consent_version(french)}
    stale = {"language": "fr", "textVersion": consent_version("Older words")}
    assert_problem(client.post(path, json=stale, headers=bearer(token)), 409)
    given = client.post(path, json=body, headers=bearer(token))
    assert given.status_code == 201, given.text
    out = given.json()
    assert (out["requestId"], out["customerId"], out["textVersion"], out["language"]) == (
        request_["id"],
        request_["customerId"],
        body["textVersion"],
        "fr",
    )
    entries = api.get(f"/customers/{request_['customerId']}/timeline").json()
    [entry] = [e for e in entries if e["type"] == "kyc-consent-given"]
    assert entry["id"] == out["id"] and entry["occurredTime"] == out["givenTime"]
    assert entry["extraData"]["author"]["userFullName"] == "Customer"
    rows = {row["attribute"]: row["value"] for row in entry["extraData"]["tables"][0]["data"]}
    assert rows == {
        "KYC request": request_["id"],
        "Language": "fr",
        "Text version": body["textVersion"],
        "Text": french,
        "Privacy notice": "(none)",
    }
    # The merchant's own words, once set, are the ones agreed to.
    words = "Acme compares your face with your document's photo."
    assert api.put("/kyc-settings", json={"gatherer": {"consentText": words}}).status_code == 200
    assert_problem(client.post(path, json=body, headers=bearer(token)), 409)
    mine = {"language": "en", "textVersion": consent_version(words)}
    assert client.post(path, json=mine, headers=bearer(token)).status_code == 201
    # Another request's consent, or a merchant's key: not this token's to give.
    other = kyc.kyc_request(api, request_["customerId"], "identity-proof")
    elsewhere = f"/storefront/kyc-requests/{other['id']}/consents"
    assert_problem(client.post(elsewhere, json=mine, headers=bearer(token)), 404)
    assert_problem(api.post(path, json=mine), 401)
    assert_problem(client.post(path, json={**mine, "language": "de"}, headers=bearer(token)), 422)
