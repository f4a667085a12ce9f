"""The settings pages: admins only; the scoring preview counts exactly the decisions new
values would change; saving is the API's PUT /kyc-settings; people are added and changed."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.db.models import WebhookDelivery
from openkyc.db.session import Database
from openkyc.webhooks.enums import DeliveryStatus
from tests.backoffice.findings import store_findings
from tests.backoffice.screen import screen
from tests.fixtures import kyc, webhooks
from tests.fixtures.people import PASSWORD, Team, make_team
from tests.fixtures.tenants import Tenant

SETTINGS = "/backoffice/settings/kyc"


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


def _form(page: str, **changes: str) -> dict[str, str]:
    """The settings form as the page filled it, with some fields changed."""
    fields = dict(re.findall(r'name="([^"]+)" type="number" min="0" max="100" value="(\d+)"', page))
    return {**fields, **changes}


def test_the_preview_counts_the_decisions_new_weights_would_change_and_saving_keeps_them(
    app: FastAPI, api: TestClient, team: Team, tenant: Tenant, database: Database
) -> None:
    current = api.get("/kyc-settings").json()
    current["identityProof"]["weights"].update(firstName=20, lastName=20)
    current["identityProof"]["thresholds"] = {"rejectBelow": 50, "acceptAbove": 90}
    assert api.put("/kyc-settings", json=current).status_code == 200
    made = [kyc.document(api, kyc.customer(api, first=f"P{i}"))["id"] for i in range(4)]
    organization = tenant.organization_id
    store_findings(database, organization, made[0], {"lastName": "mismatch"})  # 80: pending
    store_findings(database, organization, made[1], {"firstName": "mismatch"})  # 80: pending
    store_findings(database, organization, made[2], {})  # 100: accepted
    store_findings(database, organization, made[3], {"lastName": "not-found"})  # unread: pending
    with screen(app, team.admin.email) as admin:
        page = admin.get(SETTINGS).text
        heavier = _form(page, **{"identityProof.weights.lastName": "60"})
        preview = admin.send(SETTINGS, SETTINGS, action="preview", last="200", **heavier)
        newest_two = admin.send(SETTINGS, SETTINGS, action="preview", last="2", **heavier)
        assert api.get("/kyc-settings").json()["identityProof"]["weights"]["lastName"] == 20
        saved = admin.send(SETTINGS, SETTINGS, action="save", **heavier)
    # Only the document whose name was seen to differ falls below rejectBelow: one that
    # could not be read is never rejected on that alone.
    assert re.search(r'id="examined">4<', preview.text)
    assert re.search(r'id="would-change">1<', preview.text)
    assert "1 from pending to rejected" in preview.text
    assert re.search(r'id="would-change">0<', newest_two.text)
    assert saved.status_code == 200 and 'id="saved"' in saved.text
    stored: dict[str, Any] = api.get("/kyc-settings").json()
    assert stored["identityProof"]["weights"]["lastName"] == 60
    assert stored["identityProof"]["thresholds"] == {"rejectBelow": 50, "acceptAbove": 90}


def test_settings_out_of_range_are_refused_naming_the_field(
    app: FastAPI, api: TestClient, team: Team
) -> None:
    before = api.get("/kyc-settings").json()
    with screen(app, team.admin.email) as admin:
        page = admin.get(SETTINGS).text
        wrong = _form(page, **{"identityProof.thresholds.rejectBelow": "95"})
        refused = admin.send(SETTINGS, SETTINGS, action="save", **wrong)
    assert refused.status_code == 422
    assert "rejectBelow must not be above acceptAbove" in refused.text
    assert api.get("/kyc-settings").json() == before


def test_a_reviewer_cannot_reach_the_settings(app: FastAPI, api: TestClient, team: Team) -> None:
    before = api.get("/kyc-settings").json()
    with screen(app, team.rita.email) as rita:
        for page in ("", "/kyc", "/webhooks", "/api-keys", "/users"):
            assert rita.get(f"/backoffice/settings{page}").status_code == 403
        queue = rita.get("/backoffice/queue")
        assert 'href="/backoffice/settings"' not in queue.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', queue.text)
        assert token
        sent = rita.client.post(
            SETTINGS,
            data={"csrf_token": token.group(1), "action": "save", "fourEyes": "on"},
            follow_redirects=False,
        )
        added = rita.client.post(
            "/backoffice/settings/users",
            data={
                "csrf_token": token.group(1),
                "email": "mallory@example.com",
                "first_name": "Mal",
                "last_name": "Lory",
                "role": "admin",
                "password": PASSWORD,
            },
            follow_redirects=False,
        )
    assert (sent.status_code, added.status_code) == (403, 403)
    assert api.get("/kyc-settings").json() == before
    with screen(app, team.admin.email) as admin:
        assert "mallory@example.com" not in admin.get("/backoffice/settings/users").text


def test_an_admin_adds_a_person_and_changes_a_role(
    app: FastAPI, team: Team, client: TestClient
) -> None:
    with screen(app, team.admin.email) as admin:
        added = admin.send(
            "/backoffice/settings/users",
            "/backoffice/settings/users",
            email="vic@example.com",
            first_name="Vic",
            last_name="Tor",
            role="viewer",
            password=PASSWORD,
        )
        assert added.status_code == 303
        changed = admin.send(
            "/backoffice/settings/users",
            f"/backoffice/settings/users/{team.bob.id}",
            role="viewer",
            status="active",
        )
        assert changed.status_code == 303
        users = client.get("/users", headers=team.admin.headers).json()
    roles = {u["email"]: u["role"] for u in users}
    assert roles["vic@example.com"] == "viewer"
    assert roles[team.bob.email] == "viewer"
    with screen(app, "vic@example.com") as vic:
        assert vic.get("/backoffice/queue").status_code == 200


def test_api_keys_and_webhooks_are_listed_without_their_secrets(
    app: FastAPI, api: TestClient, team: Team, tenant: Tenant
) -> None:
    with screen(app, team.admin.email) as admin:
        keys = admin.get("/backoffice/settings/api-keys")
        hooks = admin.get("/backoffice/settings/webhooks")
    assert keys.status_code == 200 and hooks.status_code == 200
    listed = api.get("/api-keys").json()
    assert listed and all(key["id"] in keys.text for key in listed)
    assert tenant.api_key not in keys.text


def test_a_delivery_is_sent_again_from_the_webhooks_page(
    app: FastAPI, api: TestClient, team: Team, database: Database
) -> None:
    hook = webhooks.subscribe(api, webhooks.LISTENER, eventsFilter=["kyc-document-created"])
    kyc.document(api, kyc.customer(api))
    [sent] = webhooks.log(api)
    with database.write_sessionmaker() as session:
        delivery = session.get(WebhookDelivery, sent["id"])
        assert delivery is not None
        delivery.status, delivery.attempt = DeliveryStatus.FAILED, 13  # it gave up
        session.commit()
    with screen(app, team.admin.email) as admin:
        page = admin.get("/backoffice/settings/webhooks")
        assert hook["id"] in page.text and sent["id"] in page.text
        again = admin.send(
            "/backoffice/settings/webhooks",
            f"/backoffice/settings/webhooks/deliveries/{sent['id']}/resend",
        )
    assert again.status_code == 303
    with database.sessionmaker() as session:
        delivery = session.get(WebhookDelivery, sent["id"])
        assert delivery is not None
        assert (delivery.status, delivery.max_attempts) == ("pending", 14)


def test_an_admin_makes_a_key_shown_once_that_works_and_deletes_it(
    app: FastAPI, api: TestClient, team: Team, client: TestClient
) -> None:
    keys = "/backoffice/settings/api-keys"
    with screen(app, team.admin.email) as admin:
        made = admin.send(keys, keys, description="Shop backend", type="secret")
        found = re.search(r'id="secret">([^<]+)<', made.text)
        assert made.status_code == 200 and found
        secret = found.group(1)
        assert client.get("/customers", headers={"REB-APIKEY": secret}).status_code == 200
        assert secret not in admin.get(keys).text
        [key] = [k for k in api.get("/api-keys").json() if k["description"] == "Shop backend"]
        deleted = admin.send(keys, f"{keys}/{key['id']}/delete")
    assert deleted.status_code == 303
    assert client.get("/customers", headers={"REB-APIKEY": secret}).status_code == 401


def test_an_admin_removes_a_lost_second_factor(
    app: FastAPI, team: Team, client: TestClient
) -> None:
    setup = client.post("/profile/totp", headers=team.rita.headers).json()
    code = pyotp.TOTP(setup["secret"]).now()
    assert (
        client.post(
            "/profile/totp/confirmation", json={"otp": code}, headers=team.rita.headers
        ).status_code
        == 201
    )
    with screen(app, team.admin.email) as admin:
        removed = admin.send(
            "/backoffice/settings/users", f"/backoffice/settings/users/{team.rita.id}/totp-reset"
        )
    assert removed.status_code == 303
    with screen(app) as rita:
        assert rita.sign_in(team.rita.email).status_code == 303  # no code asked any more
