"""The dashboard's figures, from the reports, through real HTTP on both databases."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from openkyc.db.session import Database
from tests.backoffice.screen import screen
from tests.fixtures import kyc
from tests.fixtures.people import Team, make_team
from tests.fixtures.tenants import Tenant


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


def _credit_file(api: TestClient, first: str) -> dict[str, Any]:
    """A credit file alone: the sandbox bureau decides it at once (automatically)."""
    customer = kyc.customer(api, first=first, last="Tester")
    request = kyc.kyc_request(api, customer, "credit-file-proof", maxAttempts=1)
    found = api.get("/kyc-documents", params={"filter": f"requestId:{request['id']}"}).json()
    return dict(found[0])


def _figure(page: str, name: str) -> str:
    found = re.search(rf'id="{name}">([^<]*)<', page)
    assert found, name
    return found.group(1)


def test_the_dashboard_shows_the_days_figures(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock
) -> None:
    clock.advance(days=-1)
    automatic_accept = _credit_file(api, "accept")
    automatic_reject = _credit_file(api, "Bob")
    accepted = kyc.document(api, kyc.customer(api))["id"]
    clock.advance(minutes=30)
    kyc.accept(api, accepted)
    clock.advance(days=1, minutes=-30)
    rejected = kyc.document(api, kyc.customer(api))["id"]
    clock.advance(minutes=10)
    kyc.reject(api, rejected, "document-expired")
    kyc.document(api, kyc.customer(api))  # still waiting
    clock.advance(minutes=5)
    assert (automatic_accept["status"], automatic_reject["status"]) == ("accepted", "rejected")
    with screen(app, team.rita.email) as rita:
        page = rita.get("/backoffice/dashboard").text
    assert _figure(page, "decided-automatically") == "2"
    assert _figure(page, "decided-manually") == "2"
    assert _figure(page, "acceptance-rate") == "50.0%"
    # Upload to decision: 0, 0, 10 and 30 minutes.
    assert (_figure(page, "p50"), _figure(page, "p90")) == ("0 min", "30 min")
    assert _figure(page, "queue-size") == "1"
    assert _figure(page, "queue-age") == "5 min"
    reasons = re.findall(
        r'<th scope="row">([a-z-]+)</th><td>(\d+)</td>', page.split('id="reasons-table"')[1]
    )
    assert ("document-expired", "1") in reasons and len(reasons) == 2
    table = page.split('id="per-day-table"')[1]
    days = re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>', table)
    assert len(days) == 14
    yesterday = (clock.now() - timedelta(days=1)).strftime("%d %b")
    today = clock.now().strftime("%d %b")
    assert days[-2:] == [(yesterday, "2", "1"), (today, "0", "1")]
    assert all((a, m) == ("0", "0") for _, a, m in days[:-2])
    # The chart draws the same figures.
    assert f"{yesterday[:2]}: 2 automatic" in page and f"{today[:2]}: 1 manual" in page
