"""Users through HTTP: who may create whom, signing in, the second factor, lockout, roles."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from openkyc.db.models import User
from openkyc.db.session import Database
from openkyc.db.types import utcnow
from tests.fixtures import kyc
from tests.fixtures.people import PASSWORD, Person, add_person, first_admin, sign_in
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


@pytest.fixture
def admin(database: Database, client: TestClient, tenant: Tenant) -> Person:
    return first_admin(database, client, tenant.organization_id)


def _stored(database: Database, user_id: str) -> User:
    with database.sessionmaker() as session:
        user = session.scalars(select(User).where(User.id == user_id)).one()
        session.expunge(user)
        return user


def test_an_admin_adds_people_who_sign_in_as_themselves(
    client: TestClient, database: Database, admin: Person
) -> None:
    rita = add_person(client, admin, "Rita", "Reviewer")
    me = client.get("/profile", headers=rita.headers).json()
    assert (me["id"], me["email"], me["role"], me["status"]) == (
        rita.id,
        "rita.reviewer@example.com",
        "reviewer",
        "active",
    )
    assert me["totpEnabled"] is False and "password" not in str(me).lower()
    stored = _stored(database, rita.id)
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    listed = client.get("/users?sort=id", headers=admin.headers)
    assert [u["email"] for u in listed.json()] == ["ada.admin@example.com", rita.email]
    assert listed.headers["pagination-total"] == "2"


def test_only_an_admin_user_creates_users(
    client: TestClient, api: TestClient, admin: Person
) -> None:
    rita = add_person(client, admin, "Rita", "Reviewer")
    body = {"email": "eve@example.com", "firstName": "Eve", "lastName": "E", "password": PASSWORD}
    assert_problem(client.post("/users", json=body, headers=rita.headers), 403)
    # A merchant's API key is not a person and does not make people.
    assert_problem(api.post("/users", json=body), 403)
    assert_problem(client.post("/users", json=body), 401)
    assert [u["email"] for u in client.get("/users?sort=id", headers=admin.headers).json()] == [
        "ada.admin@example.com",
        rita.email,
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"password": "short"}, "password"),
        ({"role": "owner"}, "role"),
        ({"firstName": ""}, "firstName"),
        ({"email": "ADA.ADMIN@example.com"}, "email"),
    ],
)
def test_a_bad_user_is_a_422_naming_the_field(
    client: TestClient, admin: Person, change: dict, field: str
) -> None:
    body = {"email": "bob@example.com", "firstName": "Bob", "lastName": "B", "password": PASSWORD}
    problem = assert_problem(
        client.post("/users", json={**body, **change}, headers=admin.headers), 422
    )
    assert problem["invalidFields"][0]["field"] == field
    assert len(client.get("/users", headers=admin.headers).json()) == 1


def test_roles_limit_what_a_token_does(client: TestClient, api: TestClient, admin: Person) -> None:
    viewer = add_person(client, admin, "Vic", "Viewer", role="viewer")
    rita = add_person(client, admin, "Rita", "Reviewer")
    document = kyc.document(api, kyc.customer(api), "address-proof")
    path = f"/kyc-documents/{document['id']}"
    assert client.get(path, headers=viewer.headers).status_code == 200
    for action in ("acceptance", "review", "start-review"):
        assert_problem(client.post(f"{path}/{action}", headers=viewer.headers), 403)
    assert_problem(
        client.post(f"{path}/rejection", json={"type": "other"}, headers=viewer.headers), 403
    )
    assert api.get(path).json() == document
    # A reviewer decides documents but does not touch the organization's keys.
    assert_problem(client.post("/api-keys", json={"description": "x"}, headers=rita.headers), 403)
    assert_problem(client.get("/api-keys", headers=rita.headers), 403)
    assert_problem(client.post("/sessions", json={"name": "Bob"}, headers=rita.headers), 403)
    accepted = client.post(f"{path}/acceptance", headers=rita.headers).json()
    assert (accepted["reviewerId"], accepted["reviewerName"]) == (rita.id, "Rita Reviewer")


def test_wrong_sign_ins_lock_the_account(
    client: TestClient, database: Database, admin: Person
) -> None:
    for _ in range(5):
        problem = assert_problem(
            client.post("/signin", json={"email": admin.email, "password": "wrong password"}), 401
        )
        assert problem["detail"] == "The email, password or one-time code is wrong"
    locked = client.post("/signin", json={"email": admin.email, "password": PASSWORD})
    assert "Too many failed sign-ins" in assert_problem(locked, 401)["detail"]
    # An unknown email is refused the same way as a wrong password.
    unknown = client.post("/signin", json={"email": "nobody@example.com", "password": PASSWORD})
    assert assert_problem(unknown, 401)["detail"] == "The email, password or one-time code is wrong"
    with database.write_sessionmaker() as session:
        session.execute(
            update(User)
            .where(User.id == admin.id)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    assert sign_in(client, admin.email)["user"]["id"] == admin.id


def test_a_second_factor_is_asked_once_set_up(client: TestClient, admin: Person) -> None:
    setup = client.post("/profile/totp", headers=admin.headers)
    assert setup.status_code == 201, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["uri"].startswith("otpauth://totp/openkyc:ada.admin%40example.com")
    wrong = client.post("/profile/totp/confirmation", json={"otp": "000000"}, headers=admin.headers)
    assert assert_problem(wrong, 422)["invalidFields"][0]["field"] == "otp"
    code = pyotp.TOTP(secret).now()
    confirmed = client.post("/profile/totp/confirmation", json={"otp": code}, headers=admin.headers)
    assert confirmed.status_code == 201 and confirmed.json()["totpEnabled"] is True
    assert_problem(client.post("/signin", json={"email": admin.email, "password": PASSWORD}), 401)
    # The code that confirmed the set-up is spent; the next one signs in, once.
    totp = pyotp.TOTP(secret)
    next_code = totp.at(utcnow() + timedelta(seconds=30))
    assert_problem(
        client.post("/signin", json={"email": admin.email, "password": PASSWORD, "otp": code}), 401
    )
    assert sign_in(client, admin.email, otp=next_code)["user"]["totpEnabled"] is True
    assert_problem(
        client.post("/signin", json={"email": admin.email, "password": PASSWORD, "otp": next_code}),
        401,
    )


def test_a_deactivated_user_is_signed_out_and_the_last_admin_stays(
    client: TestClient, admin: Person
) -> None:
    rita = add_person(client, admin, "Rita", "Reviewer")
    patched = client.patch(
        f"/users/{rita.id}", json={"status": "deactivated"}, headers=admin.headers
    )
    assert patched.status_code == 200 and patched.json()["status"] == "deactivated"
    assert_problem(client.get("/profile", headers=rita.headers), 401)
    assert_problem(client.post("/signin", json={"email": rita.email, "password": PASSWORD}), 401)
    demoted = client.patch(f"/users/{admin.id}", json={"role": "reviewer"}, headers=admin.headers)
    assert_problem(demoted, 409)
    assert client.get("/profile", headers=admin.headers).json()["role"] == "admin"


def test_people_of_another_organization_are_not_found(
    client: TestClient, database: Database, admin: Person, other_tenant: Tenant
) -> None:
    assert_problem(client.get(f"/users/{admin.id}", headers=other_tenant.headers), 404)
    path = f"/organizations/{other_tenant.organization_id}/users"
    assert_problem(client.get(path, headers=admin.headers), 403)


def test_a_password_is_changed_with_the_current_one(client: TestClient, admin: Person) -> None:
    new = "a brand new long password"
    wrong = client.post(
        "/profile/password",
        json={"currentPassword": "nope", "newPassword": new},
        headers=admin.headers,
    )
    assert assert_problem(wrong, 422)["invalidFields"][0]["field"] == "currentPassword"
    changed = client.post(
        "/profile/password",
        json={"currentPassword": PASSWORD, "newPassword": new},
        headers=admin.headers,
    )
    assert changed.status_code == 204
    assert_problem(client.post("/signin", json={"email": admin.email, "password": PASSWORD}), 401)
    assert sign_in(client, admin.email, new)["user"]["id"] == admin.id
