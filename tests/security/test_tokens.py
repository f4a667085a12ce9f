"""Tokens are bound to the key that made them: deleting or narrowing the key narrows or ends
its tokens at once; a token has a maximum lifetime and can be revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.config import Settings
from tests.fixtures.kyc import customer, kyc_request
from tests.fixtures.payloads import customer_body
from tests.fixtures.storefront import link_token
from tests.fixtures.tenants import Tenant
from tests.security.helpers import (
    OFFICE_IP,
    acl,
    bearer,
    client_from,
    exchange,
    key_headers,
    new_key,
    new_token,
)
from tests.web.test_conventions import assert_problem

MAX_TTL = 7200


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"jwt_max_ttl_seconds": MAX_TTL})


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("make", ["key", "token of the key"])
def test_deleting_the_key_ends_its_tokens_at_once(
    api: TestClient, client: TestClient, make: str
) -> None:
    key = new_key(api, "Temporary")
    maker = key_headers(key)
    if make != "key":
        maker = bearer(new_token(client, maker)["token"])
    token = bearer(new_token(client, maker)["token"])
    assert client.get("/customers", headers=token).status_code == 200
    assert api.delete(f"/api-keys/{key['id']}").status_code == 204
    problem = assert_problem(client.get("/customers", headers=token), 401)
    assert "API key" in problem["detail"] or "revoked" in problem["detail"]
    assert_problem(client.post("/customers", json=customer_body(), headers=token), 401)


@pytest.mark.parametrize(
    ("key_acl", "reads", "writes"),
    [
        (acl("GetCustomerCollection", "PutApiKey"), 200, 403),
        (acl("PostCustomer", "PutApiKey"), 403, 201),
        (acl("PutApiKey"), 403, 403),
    ],
)
def test_narrowing_the_key_narrows_its_tokens_at_once(
    api: TestClient, client: TestClient, key_acl: list[dict[str, object]], reads: int, writes: int
) -> None:
    key = new_key(api, "Wide")
    token = bearer(new_token(client, key_headers(key), permissions=["*"])["token"])
    assert client.post("/customers", json=customer_body(), headers=token).status_code == 201
    narrowed = api.put(f"/api-keys/{key['id']}", json={"description": "Narrow", "acl": key_acl})
    assert narrowed.status_code == 200, narrowed.text
    assert client.get("/customers", headers=token).status_code == reads
    assert client.post("/customers", json=customer_body(), headers=token).status_code == writes
    assert client.post("/api-keys", json={"description": "x"}, headers=token).status_code == 403
    # Widening the key again gives the token back no more than it was issued with.
    api.put(f"/api-keys/{key['id']}", json={"description": "Wide again"})
    assert client.get("/customers", headers=token).status_code == 200


def test_a_token_never_does_more_than_it_was_issued_with_whatever_the_key(
    api: TestClient, client: TestClient
) -> None:
    key = new_key(api, "Wide")
    token = bearer(new_token(client, key_headers(key), permissions=["GetCustomer"])["token"])
    assert_problem(client.get("/customers", headers=token), 403)


@pytest.mark.parametrize("moved_to", [["8.8.8.8"], ["1.2.4.0/24"], ["2001:4860::/32"]])
def test_the_keys_addresses_bind_its_tokens(
    app: FastAPI, api: TestClient, moved_to: list[str]
) -> None:
    key = new_key(api, "Office", allowedIps=[OFFICE_IP])
    with client_from(app, OFFICE_IP) as office, client_from(app, "5.6.7.8") as elsewhere:
        token = bearer(new_token(office, key_headers(key))["token"])
        assert office.get("/customers", headers=token).status_code == 200
        assert_problem(elsewhere.get("/customers", headers=token), 403)
        api.put(f"/api-keys/{key['id']}", json={"description": "Moved", "allowedIps": moved_to})
        assert_problem(office.get("/customers", headers=token), 403)


@pytest.mark.parametrize(
    "expired_time",
    ["9999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", MAX_TTL + 120, 400 * 86400],
)
def test_a_token_lives_no_longer_than_the_maximum(
    api: TestClient, expired_time: str | int, tenant: Tenant
) -> None:
    if isinstance(expired_time, int):
        expired_time = _in(expired_time)
    problem = assert_problem(api.post("/sessions", json={"expiredTime": expired_time}), 422)
    assert problem["invalidFields"][0]["field"] == "expiredTime"
    assert api.get("/sessions").json() == []


def test_a_token_within_the_maximum_is_issued(api: TestClient) -> None:
    token = new_token(api, {}, expiredTime=_in(MAX_TTL - 60))
    assert token["expiredTime"] <= _in(MAX_TTL)


def test_a_token_from_a_token_does_not_outlive_it(api: TestClient, client: TestClient) -> None:
    first = new_token(api, {}, expiredTime=_in(600))
    headers = bearer(first["token"])
    assert_problem(client.post("/sessions", json={"expiredTime": _in(1200)}, headers=headers), 422)
    second = new_token(client, headers)
    assert second["expiredTime"] == first["expiredTime"]


def test_a_revoked_token_stops_at_once(api: TestClient, client: TestClient) -> None:
    issued = new_token(api, {}, name="Rita")
    token = bearer(issued["token"])
    listed = api.get("/sessions").json()
    assert [(s["id"], s["name"]) for s in listed] == [(issued["id"], "Rita")]
    assert "token" not in listed[0]
    assert client.get("/customers", headers=token).status_code == 200
    assert api.delete(f"/sessions/{issued['id']}").status_code == 204
    assert "revoked" in assert_problem(client.get("/customers", headers=token), 401)["detail"]
    assert api.get("/sessions").json() == []
    assert_problem(api.delete(f"/sessions/{issued['id']}"), 404)


def test_a_token_can_revoke_itself(api: TestClient, client: TestClient) -> None:
    issued = new_token(api, {})
    token = bearer(issued["token"])
    assert client.delete(f"/sessions/{issued['id']}", headers=token).status_code == 204
    assert_problem(client.get("/customers", headers=token), 401)


def test_a_restricted_key_cannot_revoke_a_wider_token(api: TestClient, client: TestClient) -> None:
    wide = new_token(api, {})
    limited = key_headers(new_key(api, acl=acl("DeleteSession", "PostSession", "GetCustomer")))
    assert_problem(client.delete(f"/sessions/{wide['id']}", headers=limited), 403)
    own = new_token(client, limited, permissions=["GetCustomer"])
    assert client.delete(f"/sessions/{own['id']}", headers=limited).status_code == 204
    assert client.get("/customers", headers=bearer(wide["token"])).status_code == 200


def test_tokens_of_another_organization_cannot_be_seen_or_revoked(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    theirs = new_token(client, other_tenant.headers)
    assert api.get("/sessions").json() == []
    assert_problem(api.delete(f"/sessions/{theirs['id']}"), 404)
    assert client.get("/customers", headers=bearer(theirs["token"])).status_code == 200


def test_a_customer_token_ends_with_the_publishable_key_that_exchanged_it(
    app: FastAPI, api: TestClient, client: TestClient
) -> None:
    request = kyc_request(api, customer(api), "identity-proof")
    publishable = new_key(api, "Front end", type="publishable")
    token = exchange(client, link_token(request), publishable)
    path = f"/storefront/kyc-requests/{request['id']}"
    assert client.get(path, headers=token).status_code == 200
    assert api.delete(f"/api-keys/{publishable['id']}").status_code == 204
    assert_problem(client.get(path, headers=token), 401)


def test_a_customer_token_keeps_the_addresses_of_the_key_that_exchanged_it(
    app: FastAPI, api: TestClient
) -> None:
    request = kyc_request(api, customer(api), "identity-proof")
    publishable = new_key(api, "Shop", type="publishable", allowedIps=[OFFICE_IP])
    path = f"/storefront/kyc-requests/{request['id']}"
    with client_from(app, OFFICE_IP) as shop, client_from(app, "5.6.7.8") as elsewhere:
        token = exchange(shop, link_token(request), publishable)
        assert shop.get(path, headers=token).status_code == 200
        assert_problem(elsewhere.get(path, headers=token), 403)
