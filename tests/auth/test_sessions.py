from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


def _in(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_session_jwt_authenticates_as_bearer(
    api: TestClient, client: TestClient, tenant: Tenant
) -> None:
    created = api.post("/sessions", json={"name": "Rita Reviewer", "expiredTime": _in(600)})
    assert created.status_code == 201
    token = created.json()["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["org"] == tenant.organization_id and claims["name"] == "Rita Reviewer"
    bearer = {"Authorization": f"Bearer {token}"}
    customer = client.post("/customers", json=customer_body(), headers=bearer)
    assert customer.status_code == 201
    assert (
        client.get(f"/organizations/{tenant.organization_id}/customers", headers=bearer).status_code
        == 200
    )


def test_expired_and_forged_tokens_are_401(
    api: TestClient, client: TestClient, clock: FrozenClock
) -> None:
    expires = (clock.now() + timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    issued = api.post("/sessions", json={"expiredTime": expires})
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "exp": int(time.time()) + 3600}, "a-guessed-secret-" * 4, algorithm="HS256"
    )
    assert_problem(client.get("/customers", headers={"Authorization": f"Bearer {forged}"}), 401)
    clock.advance(seconds=3.5)
    problem = assert_problem(
        client.get("/customers", headers={"Authorization": f"Bearer {token}"}), 401
    )
    assert "expired" in problem["detail"]


def test_a_token_of_one_organization_cannot_reach_another(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    token = api.post("/sessions", json={}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert_problem(
        client.get(f"/organizations/{other_tenant.organization_id}/customers", headers=bearer), 403
    )
    theirs = client.post("/customers", json=customer_body(), headers=other_tenant.headers).json()[
        "id"
    ]
    assert_problem(client.get(f"/customers/{theirs}", headers=bearer), 404)


def test_a_token_cannot_do_more_than_its_key(api: TestClient, client: TestClient) -> None:
    reader = api.post(
        "/api-keys",
        json={
            "description": "Reader",
            "acl": [{"scope": {}, "permissions": ["GetCustomerCollection", "PostSession"]}],
        },
    ).json()
    key = {"REB-APIKEY": reader["secretKey"]}
    everything = assert_problem(
        client.post("/sessions", json={"permissions": ["*"]}, headers=key), 422
    )
    assert everything["invalidFields"][0]["field"] == "permissions"
    session = client.post("/sessions", json={}, headers=key).json()
    assert session["permissions"] == ["GetCustomerCollection", "PostSession"]
    bearer = {"Authorization": f"Bearer {session['token']}"}
    assert client.get("/customers", headers=bearer).status_code == 200
    assert_problem(client.post("/customers", json=customer_body(), headers=bearer), 403)


def test_expiry_must_be_in_the_future(api: TestClient) -> None:
    problem = assert_problem(
        api.post("/sessions", json={"expiredTime": "2001-01-01T00:00:00Z"}), 422
    )
    assert problem["invalidFields"][0]["field"] == "expiredTime"
