"""A credential never yields more than it holds: tokens and keys made by a restricted
credential are within its operations and its addresses; "every operation" is only ever
explicit, and only from a credential that holds every operation."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from openkyc.db.models import Organization
from openkyc.db.session import Database
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.security.helpers import (
    OFFICE_IP,
    acl,
    bearer,
    client_from,
    key_headers,
    new_key,
    new_token,
)
from tests.web.test_conventions import assert_problem

SESSION_MAKER = ("GetCustomer", "GetCustomerCollection", "PostSession")


@pytest.fixture
def session_maker(api: TestClient) -> dict[str, str]:
    """A key that may read customers and make tokens, nothing else."""
    return key_headers(new_key(api, acl=acl(*SESSION_MAKER)))


def _api_key_count(api: TestClient) -> int:
    return len(api.get("/api-keys", params={"limit": 100}).json())


@pytest.mark.parametrize(
    "permissions",
    [
        ["DeleteFile"],
        ["PostApiKey"],
        ["GetCustomer", "DeleteFile"],
        ["*"],
        ["*", "GetCustomer"],
        [],
        ["NoSuchOperation"],
        ["getcustomer"],
        [""],
    ],
)
def test_a_restricted_key_cannot_mint_a_wider_or_empty_token(
    client: TestClient, session_maker: dict[str, str], permissions: list[str]
) -> None:
    problem = assert_problem(
        client.post("/sessions", json={"permissions": permissions}, headers=session_maker), 422
    )
    assert [f["field"] for f in problem["invalidFields"]] == ["permissions"]


@pytest.mark.parametrize(
    ("permissions", "expected"),
    [
        (None, sorted(SESSION_MAKER)),
        (["GetCustomer"], ["GetCustomer"]),
        (["GetCustomerCollection", "GetCustomer"], ["GetCustomer", "GetCustomerCollection"]),
    ],
)
def test_a_restricted_key_mints_tokens_within_itself(
    client: TestClient,
    session_maker: dict[str, str],
    permissions: list[str] | None,
    expected: list[str],
) -> None:
    body = {} if permissions is None else {"permissions": permissions}
    token = new_token(client, session_maker, **body)
    assert token["permissions"] == expected
    claims = jwt.decode(token["token"], options={"verify_signature": False})
    assert claims["acl"] == expected
    headers = bearer(token["token"])
    assert_problem(client.post("/api-keys", json={"description": "x"}, headers=headers), 403)
    assert_problem(client.post("/customers", json=customer_body(), headers=headers), 403)
    # With PostSession the token may ask, and is told it holds no "*"; without, it may not ask.
    status = 422 if "PostSession" in expected else 403
    assert_problem(client.post("/sessions", json={"permissions": ["*"]}, headers=headers), status)


def test_the_reported_request_gets_no_token_and_no_key(
    api: TestClient, client: TestClient, session_maker: dict[str, str]
) -> None:
    keys_before = _api_key_count(api)
    refused = client.post("/sessions", json={"permissions": ["DeleteFile"]}, headers=session_maker)
    assert_problem(refused, 422)
    assert "token" not in refused.json()
    assert _api_key_count(api) == keys_before


@pytest.mark.parametrize("permissions", [[], ["NoSuchOperation"], ["*", "NoSuchOperation"]])
def test_even_an_unrestricted_key_gets_no_token_for_nothing_or_the_unknown(
    api: TestClient, permissions: list[str]
) -> None:
    problem = assert_problem(api.post("/sessions", json={"permissions": permissions}), 422)
    assert problem["invalidFields"][0]["field"] == "permissions"


@pytest.mark.parametrize(
    "body", [{}, {"permissions": ["*"]}, {"permissions": ["*", "GetCustomer"]}]
)
def test_every_operation_is_explicit_in_the_token(api: TestClient, body: dict[str, Any]) -> None:
    token = new_token(api, {}, **body)
    assert token["permissions"] == ["*"]
    claims = jwt.decode(token["token"], options={"verify_signature": False})
    assert claims["acl"] == ["*"]


def test_a_token_from_a_token_stays_within_the_first(
    client: TestClient, session_maker: dict[str, str]
) -> None:
    first = bearer(
        new_token(client, session_maker, permissions=["GetCustomer", "PostSession"])["token"]
    )
    assert_problem(
        client.post("/sessions", json={"permissions": ["GetCustomerCollection"]}, headers=first),
        422,
    )
    second = new_token(client, first)
    assert second["permissions"] == ["GetCustomer", "PostSession"]


@pytest.mark.parametrize("acl_claim", [None, [], "*", {"all": True}])
def test_a_signed_token_without_a_list_of_operations_may_do_nothing(
    client: TestClient, database: Database, tenant: Tenant, acl_claim: object
) -> None:
    """Even signed with the organization's own key, a token that names no operations is
    refused: a missing list never means "everything"."""
    with database.sessionmaker() as session:
        secret = session.scalars(
            select(Organization.jwt_secret).where(Organization.id == tenant.organization_id)
        ).one()
    claims: dict[str, object] = {
        "iss": "openkyc",
        "sub": "someone",
        "org": tenant.organization_id,
        "iat": 1_700_000_000,
        "exp": 4_000_000_000,
        "jti": "forged",
    }
    if acl_claim is not None:
        claims["acl"] = acl_claim
    token = jwt.encode(claims, secret, algorithm="HS256")
    assert_problem(client.get("/customers", headers=bearer(token)), 401)
    assert_problem(client.post("/api-keys", json={"description": "x"}, headers=bearer(token)), 401)


KEY_MAKER = ("GetCustomer", "PostApiKey", "PutApiKey", "DeleteApiKey", "GetApiKeyCollection")


@pytest.fixture
def key_maker(api: TestClient) -> dict[str, str]:
    return key_headers(new_key(api, acl=acl(*KEY_MAKER)))


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"acl": None},
        {"acl": acl("DeleteFile")},
        {"acl": acl("GetCustomer", "PostSession")},
        {"acl": acl("*")},
        {"acl": acl("NoSuchOperation")},
        {"acl": [*acl("GetCustomer"), *acl("DeleteCustomer")]},
        {"type": "publishable"},
    ],
)
def test_a_restricted_key_cannot_create_a_wider_key(
    api: TestClient, client: TestClient, key_maker: dict[str, str], fields: dict[str, Any]
) -> None:
    keys_before = _api_key_count(api)
    body = {"description": "Wider", **fields}
    created = assert_problem(client.post("/api-keys", json=body, headers=key_maker), 422)
    assert created["invalidFields"][0]["field"] == "acl"
    put = assert_problem(client.put("/api-keys/wider", json=body, headers=key_maker), 422)
    assert put["invalidFields"][0]["field"] == "acl"
    assert _api_key_count(api) == keys_before


def test_a_restricted_key_creates_keys_within_itself(
    client: TestClient, key_maker: dict[str, str]
) -> None:
    created = client.post(
        "/api-keys",
        json={"description": "Reader", "acl": acl("GetCustomer")},
        headers=key_maker,
    )
    assert created.status_code == 201, created.text
    reader = key_headers(created.json())
    assert_problem(client.post("/api-keys", json={"description": "x"}, headers=reader), 403)


def test_a_restricted_key_cannot_widen_itself_or_touch_wider_keys(
    api: TestClient, client: TestClient, tenant: Tenant
) -> None:
    limited = new_key(api, acl=acl(*KEY_MAKER))
    headers = key_headers(limited)
    own = assert_problem(
        client.put(f"/api-keys/{limited['id']}", json={"description": "Mine"}, headers=headers),
        422,
    )
    assert own["invalidFields"][0]["field"] == "acl"
    everything = new_key(api, "Everything")
    assert_problem(
        client.put(
            f"/api-keys/{everything['id']}",
            json={"description": "Narrowed", "acl": acl("GetCustomer")},
            headers=headers,
        ),
        403,
    )
    assert_problem(client.delete(f"/api-keys/{everything['id']}", headers=headers), 403)
    assert client.get("/customers", headers=key_headers(everything)).status_code == 200
    assert api.get(f"/api-keys/{everything['id']}").json()["acl"] is None
    narrower = new_key(api, acl=acl("GetCustomer"))
    assert client.delete(f"/api-keys/{narrower['id']}", headers=headers).status_code == 204


@pytest.mark.parametrize(
    "allowed_ips",
    [None, [], ["1.2.4.0/24"], ["1.2.3.0/24"], ["1.2.3.4", "8.8.8.8"], ["2001:4860::/32"]],
)
def test_an_ip_locked_key_cannot_create_a_key_usable_from_elsewhere(
    app: FastAPI, api: TestClient, allowed_ips: list[str] | None
) -> None:
    locked = new_key(api, allowedIps=[f"{OFFICE_IP}/32"])
    with client_from(app, OFFICE_IP, **key_headers(locked)) as office:
        body = {"description": "Anywhere", "allowedIps": allowed_ips}
        problem = assert_problem(office.post("/api-keys", json=body), 422)
        assert problem["invalidFields"][0]["field"] == "allowedIps"
        same = office.post("/api-keys", json={**body, "allowedIps": [OFFICE_IP]})
        assert same.status_code == 201, same.text


@pytest.mark.parametrize("path", ["/sessions", "/api-keys"])
def test_publishable_keys_yield_no_credentials(
    api: TestClient, client: TestClient, path: str
) -> None:
    publishable = new_key(api, type="publishable")
    headers = {"Authorization": publishable["secretKey"]}
    assert_problem(client.post(path, json={"description": "x"}, headers=headers), 403)
