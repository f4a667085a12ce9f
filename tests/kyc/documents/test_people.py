"""Two people, one key, one document: a review hold belongs to a person, a decision is never
taken over or erased, a reversal is a new record, and the four-eyes rule."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openkyc.db.session import Database
from tests.fixtures import kyc
from tests.fixtures.people import Team, make_team
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


REJECTION = {"type": "document-unreadable", "message": "The photo is blurred"}


def test_a_hold_belongs_to_one_person_and_only_an_admin_overrides_it(
    api: TestClient, team: Team
) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    doc = document["id"]
    held = team.act(team.rita, doc, "start-review").json()
    assert (held["reviewerId"], held["reviewerName"]) == (team.rita.id, "Rita Levi")
    assert held["reviewStartTime"] is not None
    for action, body in (
        ("rejection", REJECTION),
        ("acceptance", None),
        ("review", None),
        ("start-review", None),
        ("stop-review", None),
    ):
        problem = assert_problem(team.act(team.bob, doc, action, body), 409)
        assert "Rita Levi is reviewing" in problem["detail"]
    # Overriding is an admin's: a reviewer asking for it is refused.
    assert_problem(team.act(team.bob, doc, "rejection", REJECTION, override="true"), 403)
    assert_problem(team.act(team.admin, doc, "rejection", REJECTION), 409)
    assert api.get(f"/kyc-documents/{doc}").json() == held
    assert team.decisions(doc) == []
    overridden = team.act(team.admin, doc, "rejection", REJECTION, override="true")
    assert overridden.status_code == 201, overridden.text
    decided = overridden.json()
    assert (decided["status"], decided["reviewerName"], decided["reviewStartTime"]) == (
        "rejected",
        "Ada Admin",
        None,
    )
    [decision] = team.decisions(doc)
    assert (decision["authorId"], decision["status"], decision["state"]) == (
        team.admin.id,
        "rejected",
        "effective",
    )
    assert (decision["overrodeHolderId"], decision["overrodeHolderName"]) == (
        team.rita.id,
        "Rita Levi",
    )


def test_a_decision_keeps_its_author_whoever_holds_or_releases_later(
    api: TestClient, team: Team
) -> None:
    doc = kyc.document(api, kyc.customer(api), "address-proof")["id"]
    assert team.act(team.rita, doc, "start-review").status_code == 201
    rejected = team.act(team.rita, doc, "rejection", REJECTION).json()
    assert (rejected["status"], rejected["reviewerId"], rejected["reviewerName"]) == (
        "rejected",
        team.rita.id,
        "Rita Levi",
    )
    assert rejected["reviewStartTime"] is None
    problem = assert_problem(team.act(team.bob, doc, "start-review"), 422)
    assert problem["invalidFields"][0]["field"] == "status"
    assert "already rejected" in problem["detail"]
    assert_problem(team.act(team.bob, doc, "stop-review"), 422)
    assert_problem(team.act(team.rita, doc, "stop-review"), 422)
    # Bob's review of Rita's decision is recorded apart; her name stays on it.
    assert team.act(team.bob, doc, "review").status_code == 201
    after = api.get(f"/kyc-documents/{doc}").json()
    assert (after["status"], after["reviewerId"], after["reviewerName"]) == (
        "rejected",
        team.rita.id,
        "Rita Levi",
    )
    assert after["reviewTime"] == rejected["reviewTime"]
    assert after["rejectionReason"] == REJECTION


def test_stop_review_releases_the_hold_only(api: TestClient, team: Team) -> None:
    doc = kyc.document(api, kyc.customer(api), "address-proof")["id"]
    team.act(team.rita, doc, "start-review")
    released = team.act(team.rita, doc, "stop-review").json()
    assert (released["reviewerId"], released["reviewStartTime"], released["status"]) == (
        None,
        None,
        "pending",
    )
    taken = team.act(team.bob, doc, "start-review").json()
    assert taken["reviewerName"] == "Bob Marley"


@pytest.mark.usefixtures("listening")
def test_a_reversal_is_a_new_record_beside_the_decision_it_reverses(
    api: TestClient, team: Team, database: Database, tenant: Tenant
) -> None:
    doc = kyc.document(api, kyc.customer(api), "address-proof")["id"]
    team.act(team.rita, doc, "rejection", REJECTION)
    # The merchant's webhook carries the person's message for the customer.
    [rejected_event] = [
        e
        for e in kyc.events_for(database, tenant.organization_id, doc)
        if e.event_type == "kyc-document-rejected"
    ]
    sent = rejected_event.payload["_embedded"]["kycDocument"]
    assert (sent["rejectionReason"], sent["reviewerName"]) == (REJECTION, "Rita Levi")
    reversed_ = team.act(team.bob, doc, "acceptance")
    assert reversed_.status_code == 201, reversed_.text
    document = reversed_.json()
    assert (document["status"], document["reviewerName"], document["rejectionReason"]) == (
        "accepted",
        "Bob Marley",
        None,
    )
    first, second = team.decisions(doc)
    assert (first["authorName"], first["status"], first["rejectionReason"]) == (
        "Rita Levi",
        "rejected",
        REJECTION,
    )
    assert (second["authorName"], second["status"], second["reverses"]) == (
        "Bob Marley",
        "accepted",
        first["id"],
    )
    assert first["reverses"] is None
    # A decision is not repeated: accepting again is refused and adds nothing.
    assert (
        "already accepted" in assert_problem(team.act(team.rita, doc, "acceptance"), 409)["detail"]
    )
    assert len(team.decisions(doc)) == 2


def test_four_eyes_a_decision_waits_for_a_second_different_person(
    api: TestClient, team: Team
) -> None:
    settings = api.get("/kyc-settings").json()
    assert settings["fourEyes"] is False
    assert api.put("/kyc-settings", json={**settings, "fourEyes": True}).status_code == 200
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "address-proof")
    doc = kyc.document(api, customer_id, "address-proof", request_id=request["id"])["id"]
    proposed = team.act(team.rita, doc, "acceptance")
    assert proposed.status_code == 201, proposed.text
    assert (proposed.json()["status"], proposed.json()["reviewerName"]) == ("pending", "Rita Levi")
    assert kyc.status_of(api, request["id"]) == "pending-review"
    assert (
        "second, different person"
        in assert_problem(team.act(team.rita, doc, "acceptance"), 409)["detail"]
    )
    confirmed = team.act(team.bob, doc, "acceptance").json()
    assert (confirmed["status"], confirmed["reviewerName"]) == ("accepted", "Bob Marley")
    assert kyc.status_of(api, request["id"]) == "fulfilled"
    proposal, confirmation = team.decisions(doc)
    assert (proposal["state"], proposal["authorName"]) == ("proposed", "Rita Levi")
    assert (confirmation["state"], confirmation["confirms"]) == ("effective", proposal["id"])
    # A reversal needs two people too: one rejection proposes, the document stays accepted.
    team.act(team.bob, doc, "rejection", REJECTION)
    assert api.get(f"/kyc-documents/{doc}").json()["status"] == "accepted"
    reversed_ = team.act(team.admin, doc, "rejection", {**REJECTION, "message": "Cut off"}).json()
    assert reversed_["status"] == "rejected"
    assert reversed_["rejectionReason"] == {**REJECTION, "message": "Cut off"}
    assert [d["state"] for d in team.decisions(doc)] == [
        "proposed",
        "effective",
        "proposed",
        "effective",
    ]
    assert team.decisions(doc)[-1]["reverses"] == confirmation["id"]


def _session(api: TestClient, name: str) -> dict[str, str]:
    response = api.post("/sessions", json={"name": name, "permissions": ["*"]})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_two_sessions_of_one_key_are_two_people(api: TestClient, client: TestClient) -> None:
    document = kyc.document(api, kyc.customer(api), "address-proof")
    doc = document["id"]
    rita, bob = _session(api, "Rita"), _session(api, "Bob")
    held = client.post(f"/kyc-documents/{doc}/start-review", headers=rita)
    assert held.status_code == 201, held.text
    problem = assert_problem(
        client.post(f"/kyc-documents/{doc}/rejection", json=REJECTION, headers=bob), 409
    )
    assert "Rita is reviewing" in problem["detail"]
    rejected = client.post(f"/kyc-documents/{doc}/rejection", json=REJECTION, headers=rita)
    assert (rejected.json()["status"], rejected.json()["reviewerName"]) == ("rejected", "Rita")
    # Bob cannot take Rita's decision over, and releasing clears no decision.
    assert_problem(client.post(f"/kyc-documents/{doc}/start-review", headers=bob), 422)
    after = api.get(f"/kyc-documents/{doc}").json()
    assert (after["status"], after["reviewerName"], after["reviewerId"]) == (
        "rejected",
        "Rita",
        rejected.json()["reviewerId"],
    )
