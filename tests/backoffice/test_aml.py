"""The AML pages: the checks waiting for a person, a check's page with the customer beside
each hit and why it matched, and the review through the AML service (holds, four eyes, the
timeline); a viewer sees but cannot decide; another organization's checks are not found."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.db.session import Database
from tests.backoffice.screen import form_token, screen
from tests.fixtures import watchlists
from tests.fixtures.payloads import customer_body
from tests.fixtures.people import Team, add_person, make_team
from tests.fixtures.tenants import Tenant, make_tenant


@pytest.fixture
def check(database: Database, client: TestClient, api: TestClient, tmp_path: Path) -> Any:
    """A check of a customer who may be on a sanctions list, waiting for a person."""
    return watchlists.waiting_check(database, api, tmp_path, city="Moscow")


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


def _rows(page: str) -> list[tuple[str, str]]:
    """(state, field) of each row comparing a hit with the customer."""
    return re.findall(r'data-state="([a-z-]+)">\s*<th scope="row">([^<]+)<', page)


def test_a_check_page_shows_the_customer_beside_each_hit_and_why_it_matched(
    app: FastAPI, team: Team, check: dict[str, Any]
) -> None:
    hit = check["hits"][0]
    with screen(app, team.rita.email) as rita:
        listed = rita.get("/backoffice/aml-checks")
        page = rita.get(f"/backoffice/aml-checks/{check['id']}")
        customer = rita.get(f"/backoffice/customers/{check['customer']['id']}")
    assert listed.status_code == 200
    assert f'href="/backoffice/aml-checks/{check["id"]}" class="aml-check"' in listed.text
    assert page.status_code == 200, page.text
    assert ("same", "Name") in _rows(page.text)
    assert ("same", "Birth date") in _rows(page.text)
    # Every reason the API gives for the hit is on the page, with its words.
    reasons = hit["matchDetails"]["confidenceFactors"] + hit["matchDetails"]["matchCriteria"]
    assert reasons
    for reason in reasons:
        assert f'data-reason="{reason}"' in page.text
    assert "the birth date is the same <code>confidence_exact_dob</code>" in page.text
    assert f'class="confidence">{hit["confidence"]}<' in page.text
    assert f'href="/backoffice/aml-checks/{check["id"]}"' in customer.text


def test_a_reviewer_holds_and_decides_and_another_is_refused_while_held(
    app: FastAPI, api: TestClient, team: Team, check: dict[str, Any]
) -> None:
    page = f"/backoffice/aml-checks/{check['id']}"
    with screen(app, team.rita.email) as rita, screen(app, team.bob.email) as bob:
        held = rita.send(page, f"{page}/start-review")
        assert held.status_code == 303
        assert "Held for review by Rita Levi" in bob.get(page).text
        refused = bob.send(page, f"{page}/review", status="confirmed-match")
        decided = rita.send(page, f"{page}/review", status="false-positive")
        shown = rita.get(page).text
    assert refused.status_code == 409 and "Rita Levi is reviewing" in refused.text
    assert decided.status_code == 303
    found = api.get(f"/aml-checks/{check['id']}").json()
    assert (found["status"], found["reviewerName"]) == ("false-positive", "Rita Levi")
    assert 'id="status" class="status-false-positive">false-positive<' in shown
    assert "Rita Levi — false-positive" in shown
    assert "aml-check-reviewed · Rita Levi<" in shown
    # The timeline of the customer, as the API gives it, has the hold and the decision.
    timeline = api.get(f"/customers/{check['customer']['id']}/timeline").json()
    messages = [entry["message"] for entry in timeline]
    assert any("Rita Levi started reviewing AML check" in m for m in messages)
    for message in messages:
        if check["id"] in message:
            assert message in shown.replace("&#39;", "'")


def test_a_check_that_inherited_its_status_says_from_which_check(
    app: FastAPI, api: TestClient, team: Team, check: dict[str, Any]
) -> None:
    api.post(f"/aml-checks/{check['id']}/review", json={"status": "confirmed-match"})
    body = customer_body(first="Ivan", last="Petrov", dob="1970-03-15", country="RU")
    copy = api.post("/customers", json=body).json()
    [inherited] = api.get("/aml-checks", params={"filter": f"customerId:{copy['id']}"}).json()
    with screen(app, team.rita.email) as rita:
        shown = rita.get(f"/backoffice/aml-checks/{inherited['id']}").text
    assert 'id="status" class="status-confirmed-match">confirmed-match<' in shown
    notice = re.search(r'<p class="notice" id="inherited">(.*?)</p>', shown, re.S)
    assert notice is not None, shown
    assert f'href="/backoffice/aml-checks/{check["id"]}"' in notice.group(1)
    assert "customer_duplicated_by_person_exact_match" in notice.group(1)


def test_under_four_eyes_a_decision_waits_for_a_second_person(
    app: FastAPI, api: TestClient, team: Team, check: dict[str, Any]
) -> None:
    settings = api.get("/kyc-settings").json()
    assert api.put("/kyc-settings", json={**settings, "fourEyes": True}).status_code == 200
    page = f"/backoffice/aml-checks/{check['id']}"
    with screen(app, team.rita.email) as rita, screen(app, team.bob.email) as bob:
        rita.send(page, f"{page}/review", status="confirmed-match")
        proposed = api.get(f"/aml-checks/{check['id']}").json()["status"]
        assert "(waits for a second person)" in bob.get(page).text
        bob.send(page, f"{page}/review", status="confirmed-match")
    assert proposed == "pending-review"
    assert api.get(f"/aml-checks/{check['id']}").json()["status"] == "confirmed-match"


def test_a_viewer_sees_but_cannot_decide(
    app: FastAPI, api: TestClient, team: Team, check: dict[str, Any]
) -> None:
    viewer = add_person(team.client, team.admin, "Vera", "Viewer", role="viewer")
    page = f"/backoffice/aml-checks/{check['id']}"
    with screen(app, viewer.email) as vera:
        shown = vera.get(page)
        token = form_token(shown)
        sent = {
            action: vera.client.post(
                f"{page}/{action}",
                data={"csrf_token": token, "status": "false-positive"},
                follow_redirects=False,
            ).status_code
            for action in ("start-review", "review")
        }
    assert shown.status_code == 200 and 'id="read-only"' in shown.text
    assert 'id="decide-false-positive"' not in shown.text
    assert sent == {"start-review": 403, "review": 403}
    assert api.get(f"/aml-checks/{check['id']}").json()["status"] == "pending-review"


def test_another_organizations_check_is_not_found(
    app: FastAPI, database: Database, client: TestClient, check: dict[str, Any]
) -> None:
    other = make_tenant(database, "Elsewhere")
    stranger = make_team(database, client, other.organization_id)
    page = f"/backoffice/aml-checks/{check['id']}"
    with screen(app, stranger.rita.email) as rita:
        assert rita.get(page).status_code == 404
        assert check["id"] not in rita.get("/backoffice/aml-checks").text
        token = form_token(rita.get("/backoffice/aml-checks"))
        sent = rita.client.post(
            f"{page}/review",
            data={"csrf_token": token, "status": "false-positive"},
            follow_redirects=False,
        )
    assert sent.status_code == 404
