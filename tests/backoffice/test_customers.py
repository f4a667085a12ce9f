"""The customer page (requests, documents, timeline with comments) and the list of requests,
through real HTTP on both databases."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.db.session import Database
from tests.backoffice.screen import screen
from tests.fixtures import kyc
from tests.fixtures.people import Team, add_person, make_team
from tests.fixtures.tenants import Tenant


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


def test_the_customer_page_shows_requests_documents_and_timeline(
    app: FastAPI, api: TestClient, team: Team
) -> None:
    customer = kyc.customer(api, first="Grace", last="Hopper")
    request = kyc.kyc_request(api, customer, "identity-proof")
    document = kyc.document(api, customer, request_id=request["id"])
    with screen(app, team.rita.email) as rita:
        page = rita.get(f"/backoffice/customers/{customer}")
        sent = rita.send(
            f"/backoffice/customers/{customer}",
            f"/backoffice/customers/{customer}/comments",
            message="Called the customer: a new passport is on its way",
        )
        after = rita.get(f"/backoffice/customers/{customer}")
    assert page.status_code == 200
    assert "Grace Hopper" in page.text
    assert request["id"] in page.text and document["id"] in page.text
    assert f"KYC document {document['id']}" in page.text  # the timeline's entry of the upload
    assert sent.status_code == 303
    assert "Called the customer: a new passport is on its way" in after.text
    timeline = api.get(f"/customers/{customer}/timeline", params={"sort": "-occurredTime"})
    newest = timeline.json()[0]
    assert (newest["type"], newest["message"], newest["triggeredBy"]) == (
        "customer-comment-created",
        "Called the customer: a new passport is on its way",
        "app",
    )


def test_a_viewer_cannot_comment(
    app: FastAPI, api: TestClient, team: Team, client: TestClient
) -> None:
    customer = kyc.customer(api)
    vera = add_person(client, team.admin, "Vera", "Viewer", role="viewer")
    before = api.get(f"/customers/{customer}/timeline").json()
    with screen(app, vera.email) as viewer:
        page = viewer.get(f"/backoffice/customers/{customer}")
        assert 'id="comment"' not in page.text
        refused = viewer.send(
            f"/backoffice/customers/{customer}",
            f"/backoffice/customers/{customer}/comments",
            message="should not land",
        )
    assert refused.status_code == 403
    assert api.get(f"/customers/{customer}/timeline").json() == before


def test_the_requests_list_filters_by_status_and_shows_each_requests_documents(
    app: FastAPI, api: TestClient, team: Team
) -> None:
    gathering = kyc.kyc_request(api, kyc.customer(api, first="Ann"), "identity-proof")
    customer = kyc.customer(api, first="Ben")
    reviewing = kyc.kyc_request(api, customer, "identity-proof")
    document = kyc.document(api, customer, request_id=reviewing["id"])
    assert kyc.status_of(api, reviewing["id"]) == "pending-review"
    with screen(app, team.rita.email) as rita:
        everything = rita.get("/backoffice/requests")
        only = rita.get("/backoffice/requests", status="pending-review")
        wrong = rita.get("/backoffice/requests", status="no-such-status")
    assert gathering["id"] in everything.text and reviewing["id"] in everything.text
    assert reviewing["id"] in only.text and gathering["id"] not in only.text
    assert "1 request pending-review" in only.text
    assert f'href="/backoffice/documents/{document["id"]}">identity-proof: pending<' in only.text
    assert wrong.status_code == 422
