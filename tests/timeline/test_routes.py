"""The customer timeline through HTTP: every step of a review with the right names, and
what people may add and delete."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.db.session import Database
from tests.fixtures import kyc
from tests.fixtures.people import Team, make_team
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem

REJECTION = {"type": "document-unreadable", "message": "The photo is blurred"}


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


def timeline(api: TestClient, customer_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/customers/{customer_id}/timeline", params={"sort": "occurredTime"})
    assert response.status_code == 200, response.text
    assert response.headers["pagination-total"] == str(len(response.json()))
    return list(response.json())


def _author(entry: dict[str, Any]) -> tuple[str, str]:
    author = entry["extraData"]["author"]
    return author["userId"], author["userFullName"]


def _changes(entry: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    [table] = entry["extraData"]["tables"]
    assert table["type"] == "three-columns"
    return {row["attribute"]: (row["previousValue"], row["newValue"]) for row in table["data"]}


def test_each_step_of_a_review_is_on_the_timeline_with_its_person(
    api: TestClient, team: Team
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof")
    doc = kyc.document(api, customer_id, "address-proof", request_id=request["id"])["id"]
    before = timeline(api, customer_id)
    assert [e["type"] for e in before] == [
        "kyc-request-created",
        "kyc-document-created",
        "kyc-request-modified",
    ]
    assert {e["triggeredBy"] for e in before} == {"direct-api"}
    assert _author(before[1])[1] == "Initial key"
    assert before[1]["extraData"]["links"] == [
        {"resourceType": "kyc-document", "resourceId": doc, "placeholder": "KYC document"}
    ]

    team.act(team.rita, doc, "start-review")
    assert_problem(team.act(team.bob, doc, "rejection", REJECTION), 409)
    team.act(team.admin, doc, "rejection", REJECTION, override="true")
    team.act(team.bob, doc, "acceptance")
    comment = team.client.post(
        f"/customers/{customer_id}/timeline",
        json={"message": "Called the customer"},
        headers=team.rita.headers,
    )
    assert comment.status_code == 201, comment.text

    steps = timeline(api, customer_id)[len(before) :]
    assert [(e["type"], _author(e)) for e in steps] == [
        ("kyc-document-modified", (team.rita.id, "Rita Levi")),
        ("kyc-document-rejected", (team.admin.id, "Ada Admin")),
        ("kyc-request-modified", (team.admin.id, "Ada Admin")),
        ("kyc-document-accepted", (team.bob.id, "Bob Marley")),
        ("kyc-request-fulfilled", (team.bob.id, "Bob Marley")),
        ("customer-comment-created", (team.rita.id, "Rita Levi")),
    ]
    held, overridden, _, reversal, fulfilled, said = steps
    assert held["message"] == f"Rita Levi started reviewing KYC document {doc}"
    assert _changes(held)["reviewerName"] == ("", "Rita Levi")
    assert held["triggeredBy"] == "app"
    assert overridden["message"] == (
        f"Ada Admin rejected KYC document {doc}, overriding the review hold of Rita Levi "
        "(document-unreadable: The photo is blurred)"
    )
    assert _changes(overridden)["status"] == ("pending", "rejected")
    assert _changes(overridden)["reviewerName"] == ("Rita Levi", "Ada Admin")
    assert reversal["message"] == (
        f"Bob Marley accepted KYC document {doc}, reversing the rejected decision of Ada Admin"
    )
    assert _changes(reversal)["status"] == ("rejected", "accepted")
    assert _changes(fulfilled)["status"] == ("attempted", "fulfilled")
    assert (said["message"], said["extraData"]["tables"]) == ("Called the customer", [])


def test_four_eyes_and_releases_are_on_the_timeline(api: TestClient, team: Team) -> None:
    settings = api.get("/kyc-settings").json()
    api.put("/kyc-settings", json={**settings, "fourEyes": True})
    customer_id = kyc.customer(api)
    doc = kyc.document(api, customer_id, "address-proof")["id"]
    team.act(team.bob, doc, "start-review")
    team.act(team.bob, doc, "stop-review")
    team.act(team.rita, doc, "rejection", REJECTION)
    team.act(team.bob, doc, "rejection", REJECTION)
    messages = [e["message"] for e in timeline(api, customer_id)][1:]
    assert messages == [
        f"Bob Marley started reviewing KYC document {doc}",
        f"Bob Marley stopped reviewing KYC document {doc}",
        f"Rita Levi proposed to reject KYC document {doc}; it waits for a second, different "
        "person (document-unreadable: The photo is blurred)",
        f"Bob Marley confirmed the decision of Rita Levi: KYC document {doc} rejected "
        "(document-unreadable: The photo is blurred)",
    ]


def test_comments_are_deleted_and_system_entries_are_not(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    kyc.document(api, customer_id, "address-proof")
    [system] = timeline(api, customer_id)
    path = f"/customers/{customer_id}/timeline"
    comment = api.post(path, json={"message": "Looks fine"}).json()
    assert comment["type"] == "customer-comment-created"
    assert api.get(f"{path}/{comment['id']}").json() == comment
    problem = assert_problem(api.delete(f"{path}/{system['id']}"), 409)
    assert "cannot be deleted" in problem["detail"]
    assert api.delete(f"{path}/{comment['id']}").status_code == 204
    assert_problem(api.get(f"{path}/{comment['id']}"), 404)
    assert_problem(api.delete(f"{path}/{comment['id']}"), 404)
    assert timeline(api, customer_id) == [system]


def test_custom_events_have_defined_types(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    path = f"/customers/{customer_id}/timeline"
    unknown = {"type": "custom-event", "customEventType": "video-call", "customData": {"a": 1}}
    assert assert_problem(api.post(path, json=unknown), 422)["invalidFields"][0]["field"] == (
        "customEventType"
    )
    system_name = api.post("/customer-timeline-custom-events", json={"name": "custom-event"})
    assert assert_problem(system_name, 422)["invalidFields"][0]["field"] == "name"
    created = api.post("/customer-timeline-custom-events", json={"name": "video-call"})
    assert created.status_code == 201, created.text
    assert api.get(f"/customer-timeline-custom-events/{created.json()['id']}").json() == (
        created.json()
    )
    assert [e["name"] for e in api.get("/customer-timeline-custom-events").json()] == ["video-call"]
    entry = api.post(path, json={**unknown, "customData": {"minutes": 12, "agent": "Ann"}})
    assert entry.status_code == 201, entry.text
    assert (entry.json()["type"], entry.json()["customEventType"]) == ("custom-event", "video-call")
    [table] = entry.json()["extraData"]["tables"]
    assert table["type"] == "two-columns"
    assert table["data"] == [
        {"attribute": "minutes", "value": "12"},
        {"attribute": "agent", "value": "Ann"},
    ]
    for bad, field in (({"type": "kyc-document-accepted"}, "type"), ({}, "message")):
        assert assert_problem(api.post(path, json=bad), 422)["invalidFields"][0]["field"] == field
    assert len(timeline(api, customer_id)) == 1


def test_timelines_belong_to_their_customer_and_organization(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    customer_id = kyc.customer(api)
    api.post(f"/customers/{customer_id}/timeline", json={"message": "Mine"})
    assert_problem(api.get("/customers/cus_missing/timeline"), 404)
    assert_problem(
        client.get(f"/customers/{customer_id}/timeline", headers=other_tenant.headers), 404
    )
    [entry] = timeline(api, customer_id)
    other = kyc.customer(api, first="Bob")
    assert_problem(api.get(f"/customers/{other}/timeline/{entry['id']}"), 404)
    assert_problem(api.delete(f"/customers/{other}/timeline/{entry['id']}"), 404)
