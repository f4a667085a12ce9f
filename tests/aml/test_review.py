"""People review AML checks as they review KYC documents: holds, decisions, reversals, four
eyes, the timeline; a false positive is not raised again for a year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from openkyc.db.session import Database
from tests.fixtures import watchlists
from tests.fixtures.payloads import customer_body
from tests.fixtures.people import Person, Team, make_team
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


@pytest.fixture
def check(database: Database, api: TestClient, tmp_path: Path) -> dict[str, Any]:
    return watchlists.waiting_check(database, api, tmp_path)


def act(
    team: Team, person: Person, check_id: str, action: str, body: Any = None, **params: Any
) -> Any:
    return team.client.post(
        f"/aml-checks/{check_id}/{action}", json=body, params=params, headers=person.headers
    )


def test_a_hold_belongs_to_one_person(team: Team, check: dict[str, Any]) -> None:
    started = act(team, team.rita, check["id"], "start-review")
    assert started.status_code == 201, started.text
    held = started.json()
    assert (held["status"], held["reviewerId"], held["reviewerName"]) == (
        "in-review",
        team.rita.id,
        "Rita Levi",
    )
    assert held["reviewerType"] == "human" and held["reviewStartTime"] is not None
    refused = act(team, team.bob, check["id"], "review", {"status": "false-positive"})
    assert_problem(refused, 409)
    assert "Rita Levi is reviewing" in refused.json()["detail"]
    assert_problem(act(team, team.bob, check["id"], "stop-review"), 409)
    # A reviewer may not override; an admin may, and it is recorded.
    assert_problem(act(team, team.bob, check["id"], "start-review", override=True), 403)
    taken = act(team, team.admin, check["id"], "start-review", override=True)
    assert taken.json()["reviewerName"] == "Ada Admin"
    stopped = act(team, team.admin, check["id"], "stop-review")
    assert stopped.status_code == 201
    assert (stopped.json()["status"], stopped.json()["reviewerId"]) == ("pending-review", None)
    assert_problem(act(team, team.admin, check["id"], "stop-review"), 422)


def test_a_hold_lapses_after_thirty_minutes(
    team: Team, check: dict[str, Any], clock: FrozenClock
) -> None:
    act(team, team.rita, check["id"], "start-review")
    clock.advance(seconds=31 * 60)
    assert act(team, team.bob, check["id"], "start-review").json()["reviewerName"] == "Bob Marley"


def test_a_decision_and_its_reversal_are_both_kept(
    team: Team, check: dict[str, Any], api: TestClient
) -> None:
    confirmed = act(team, team.rita, check["id"], "review", {"status": "confirmed-match"})
    assert confirmed.status_code == 201, confirmed.text
    body = confirmed.json()
    assert (body["status"], body["reviewerName"], body["reviewStartTime"]) == (
        "confirmed-match",
        "Rita Levi",
        None,
    )
    assert body["reviewTime"] is not None
    again = act(team, team.bob, check["id"], "review", {"status": "confirmed-match"})
    assert_problem(again, 409)
    assert_problem(act(team, team.rita, check["id"], "start-review"), 422)
    reversed_ = act(team, team.bob, check["id"], "review", {"status": "false-positive"})
    assert reversed_.json()["status"] == "false-positive"
    decisions = api.get(f"/aml-checks/{check['id']}/decisions").json()
    assert [(d["status"], d["authorName"], d["state"]) for d in decisions] == [
        ("confirmed-match", "Rita Levi", "effective"),
        ("false-positive", "Bob Marley", "effective"),
    ]
    assert decisions[1]["reverses"] == decisions[0]["id"]
    timeline = api.get(
        f"/customers/{check['customer']['id']}/timeline", params={"sort": "occurredTime"}
    ).json()
    reviewed = [e["message"] for e in timeline if e["type"] == "aml-check-reviewed"]
    assert reviewed == [
        f"Rita Levi reviewed AML check {check['id']}: confirmed-match",
        f"Bob Marley reviewed AML check {check['id']}: false-positive, reversing the "
        "confirmed-match decision of Rita Levi",
    ]


def test_four_eyes_wait_for_a_second_person(
    team: Team, check: dict[str, Any], api: TestClient
) -> None:
    settings = api.get("/kyc-settings").json()
    assert api.put("/kyc-settings", json={**settings, "fourEyes": True}).status_code == 200
    proposed = act(team, team.rita, check["id"], "review", {"status": "false-positive"})
    assert proposed.json()["status"] == "pending-review"
    assert_problem(act(team, team.rita, check["id"], "review", {"status": "false-positive"}), 409)
    confirmed = act(team, team.bob, check["id"], "review", {"status": "false-positive"})
    assert confirmed.json()["status"] == "false-positive"
    states = [
        (d["state"], d["authorName"])
        for d in api.get(f"/aml-checks/{check['id']}/decisions").json()
    ]
    assert states == [("proposed", "Rita Levi"), ("effective", "Bob Marley")]


def test_a_viewer_may_not_review(team: Team, check: dict[str, Any], client: TestClient) -> None:
    from tests.fixtures.people import add_person

    viewer = add_person(client, team.admin, "Vera", "Viewer", role="viewer")
    assert_problem(act(team, viewer, check["id"], "review", {"status": "false-positive"}), 403)
    assert client.get(f"/aml-checks/{check['id']}", headers=viewer.headers).json()["status"] == (
        "pending-review"
    )


def test_a_check_without_hits_has_nothing_to_review(api: TestClient) -> None:
    customer = api.post("/customers", json=customer_body(first="Nobody", last="Listed")).json()
    [check] = api.get("/aml-checks", params={"filter": f"customerId:{customer['id']}"}).json()
    assert_problem(
        api.post(f"/aml-checks/{check['id']}/review", json={"status": "false-positive"}), 422
    )
    assert_problem(api.post(f"/aml-checks/{check['id']}/start-review"), 422)
    assert_problem(api.post(f"/aml-checks/{check['id']}/review", json={"status": "no-match"}), 422)
    assert api.get(f"/aml-checks/{check['id']}").json()["status"] == "no-match"


def test_a_false_positive_is_not_raised_again_for_a_year(
    api: TestClient, check: dict[str, Any], clock: FrozenClock
) -> None:
    customer_id = check["customer"]["id"]
    reviewed = api.post(f"/aml-checks/{check['id']}/review", json={"status": "false-positive"})
    assert reviewed.status_code == 201
    again = api.post("/aml-checks", json={"customerId": customer_id}).json()
    assert (again["status"], again["hits"]) == ("no-match", [])
    assert again["noMatchDetails"] == ["hits_suppressed_as_false_positives"]
    # A change of what is screened (here the address) raises it again.
    body = customer_body(first="Ivan", last="Petrov", dob="1970-03-15", country="RU", city="Tver")
    assert api.put(f"/customers/{customer_id}", json=body).status_code == 200
    changed = api.get(
        "/aml-checks", params={"filter": f"customerId:{customer_id}", "sort": "-id"}
    ).json()[0]
    assert changed["status"] == "pending-review"
    api.post(f"/aml-checks/{changed['id']}/review", json={"status": "false-positive"})
    clock.advance(seconds=364 * 86400)
    assert api.post("/aml-checks", json={"customerId": customer_id}).json()["hits"] == []
    clock.advance(seconds=2 * 86400)
    assert api.post("/aml-checks", json={"customerId": customer_id}).json()["status"] == (
        "pending-review"
    )


def test_a_false_positive_reversed_raises_its_entries_again(
    api: TestClient, check: dict[str, Any]
) -> None:
    customer_id = check["customer"]["id"]
    api.post(f"/aml-checks/{check['id']}/review", json={"status": "false-positive"})
    assert api.post("/aml-checks", json={"customerId": customer_id}).json()["hits"] == []
    reversed_ = api.post(f"/aml-checks/{check['id']}/review", json={"status": "confirmed-match"})
    assert reversed_.json()["status"] == "confirmed-match"
    again = api.post("/aml-checks", json={"customerId": customer_id}).json()
    assert [h["entityId"] for h in again["hits"]] == ["ivan"]
    # The person's confirmation stands for the same data screened again.
    assert (again["status"], again["provenance"]["inheritedFromAmlCheckId"]) == (
        "confirmed-match",
        check["id"],
    )
