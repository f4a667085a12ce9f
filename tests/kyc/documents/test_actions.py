"""The manual actions on a document: what each records, and when each is refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem

EMPTY_BODIES = [
    {},
    {"content": b"", "headers": {"content-type": "application/x-www-form-urlencoded"}},
    {"content": b"", "headers": {"content-type": "application/json"}},
    {"content": b"", "headers": {"content-type": "text/plain"}},
]


@pytest.mark.parametrize("empty", EMPTY_BODIES)
def test_acceptance_records_the_reviewer_whatever_the_empty_body(
    api: TestClient, tenant: Tenant, empty: dict
) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    response = api.post(f"/kyc-documents/{document['id']}/acceptance", **empty)
    assert response.status_code == 201, response.text
    accepted = response.json()
    assert accepted["status"] == "accepted" and accepted["revision"] == 1
    assert accepted["reviewerName"] == "Initial key" and accepted["reviewerId"].startswith(
        "api_key_"
    )
    assert accepted["reviewTime"] == accepted["processedTime"] is not None
    assert response.headers["location"].endswith(f"/kyc-documents/{document['id']}")


def test_rejection_needs_a_known_reason(api: TestClient) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    problem = assert_problem(
        api.post(f"/kyc-documents/{document['id']}/rejection", json={"type": "ugly"}), 422
    )
    assert problem["invalidFields"][0]["field"] == "type"
    long = {"type": "other", "message": "x" * 256}
    assert (
        assert_problem(api.post(f"/kyc-documents/{document['id']}/rejection", json=long), 422)[
            "invalidFields"
        ][0]["field"]
        == "message"
    )
    rejected = kyc.reject(api, document["id"], "document-expired")
    assert rejected["rejectionReason"] == {"type": "document-expired", "message": "Too blurry"}
    assert rejected["status"] == "rejected"
    # A person may overturn a rejection; the reason goes with it.
    assert kyc.accept(api, document["id"])["rejectionReason"] is None


def test_review_marks_who_looked_and_when(api: TestClient) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    reviewed = api.post(f"/kyc-documents/{document['id']}/review").json()
    assert reviewed["status"] == "pending" and reviewed["reviewTime"] is not None
    assert reviewed["reviewerName"] == "Initial key"


def test_a_review_held_by_one_reviewer_is_a_conflict_for_another(
    api: TestClient, client: TestClient
) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    other_key = api.post("/api-keys", json={"description": "Second reviewer"}).json()["secretKey"]
    second = {"REB-APIKEY": other_key}
    started = api.post(
        f"/kyc-documents/{document['id']}/start-review",
        content=b"",
        headers={"content-type": "text/plain"},
    )
    assert started.status_code == 201
    assert (
        started.json()["reviewStartTime"] is not None
        and started.json()["reviewerName"] == "Initial key"
    )
    for action in ("start-review", "stop-review", "acceptance", "review"):
        assert_problem(
            client.post(f"/kyc-documents/{document['id']}/{action}", headers=second), 409
        )
    assert_problem(
        client.post(
            f"/kyc-documents/{document['id']}/rejection", json={"type": "other"}, headers=second
        ),
        409,
    )
    # The holder may start again (idempotent) and stop; then the other reviewer may take it.
    assert api.post(f"/kyc-documents/{document['id']}/start-review").status_code == 201
    stopped = api.post(f"/kyc-documents/{document['id']}/stop-review").json()
    assert (stopped["reviewerId"], stopped["reviewerName"], stopped["reviewStartTime"]) == (
        None,
        None,
        None,
    )
    assert_problem(api.post(f"/kyc-documents/{document['id']}/stop-review"), 422)
    taken = client.post(f"/kyc-documents/{document['id']}/start-review", headers=second).json()
    assert taken["reviewerName"] == "Second reviewer"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("acceptance", None),
        ("rejection", {"type": "other"}),
        ("review", None),
        ("start-review", None),
        ("stop-review", None),
        ("matches", {"type": "address-proof", "city": "Paris"}),
    ],
)
def test_an_archived_document_takes_no_action(
    api: TestClient, action: str, body: dict | None
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof")
    document = kyc.document(api, customer_id, "address-proof", request_id=request["id"])
    api.delete(f"/kyc-requests/{request['id']}")
    before = api.get(f"/kyc-documents/{document['id']}").json()
    assert before["status"] == "archived"
    response = (
        api.post(f"/kyc-documents/{document['id']}/{action}", json=body)
        if body
        else api.post(f"/kyc-documents/{document['id']}/{action}")
    )
    problem = assert_problem(response, 409)
    assert "archived" in problem["detail"]
    assert api.get(f"/kyc-documents/{document['id']}").json() == before


def test_decisions_are_not_repeated(api: TestClient) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    kyc.accept(api, document["id"])
    assert (
        "already accepted"
        in assert_problem(api.post(f"/kyc-documents/{document['id']}/acceptance"), 409)["detail"]
    )
    kyc.reject(api, document["id"])
    assert_problem(
        api.post(f"/kyc-documents/{document['id']}/rejection", json={"type": "other"}), 409
    )


def test_matches_overwrite_is_typed_and_strict(api: TestClient) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    path = f"/kyc-documents/{document['id']}/matches"
    wrong_type = assert_problem(
        api.post(path, json={"type": "identity-proof", "firstName": "Ada"}), 422
    )
    assert wrong_type["invalidFields"][0]["field"] == "type"
    unknown = assert_problem(
        api.post(path, json={"type": "address-proof", "favouriteColour": "blue"}), 422
    )
    assert unknown["invalidFields"][0]["field"] == "favouriteColour"
    response = api.post(
        path, json={"type": "address-proof", "line1": "12 St James's Square", "city": "London"}
    )
    assert response.status_code == 204 and response.content == b""
    updated = api.get(f"/kyc-documents/{document['id']}").json()
    assert updated["documentMatches"]["data"] == {"line1": "12 St James's Square", "city": "London"}
    assert updated["documentMatches"]["version"] == "2.0" and updated["revision"] == 1


def test_actions_on_unknown_or_foreign_documents_are_404(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    for action in ("acceptance", "review", "start-review", "stop-review"):
        assert_problem(api.post(f"/kyc-documents/kyc_doc_missing/{action}"), 404)
        assert_problem(
            client.post(f"/kyc-documents/{document['id']}/{action}", headers=other_tenant.headers),
            404,
        )
    assert api.get(f"/kyc-documents/{document['id']}").json()["revision"] == 0
