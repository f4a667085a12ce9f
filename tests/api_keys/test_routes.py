from __future__ import annotations

from fastapi.testclient import TestClient

from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


def test_a_created_key_shows_its_secret_once_and_works(api: TestClient, client: TestClient) -> None:
    created = api.post("/api-keys", json={"description": "Back office"})
    assert created.status_code == 201
    key = created.json()
    assert key["secretKey"].startswith("sk_") and key["type"] == "secret"
    assert key["apiUser"] == "Back office"
    assert created.headers["location"] == f"http://openkyc.test/api-keys/{key['id']}"

    fetched = api.get(f"/api-keys/{key['id']}").json()
    assert "secretKey" not in fetched
    assert fetched["description"] == "Back office"
    listed = api.get("/api-keys", params={"sort": "createdTime"})
    assert listed.headers["pagination-total"] == "2"
    assert all("secretKey" not in k for k in listed.json())

    with_new_key = client.get("/customers", headers={"REB-APIKEY": key["secretKey"]})
    assert with_new_key.status_code == 200


def test_deleted_keys_stop_working_and_the_last_secret_key_stays(
    api: TestClient, tenant: Tenant
) -> None:
    extra = api.post("/api-keys", json={"description": "Temporary"}).json()
    assert api.delete(f"/api-keys/{extra['id']}").status_code == 204
    assert_problem(api.get("/customers", headers={"REB-APIKEY": extra["secretKey"]}), 401)
    remaining = api.get("/api-keys").json()
    assert len(remaining) == 1
    problem = assert_problem(api.delete(f"/api-keys/{remaining[0]['id']}"), 409)
    assert "last secret key" in problem["detail"]
    assert api.get("/customers").status_code == 200


def test_put_updates_a_key_or_creates_one_with_that_id(api: TestClient) -> None:
    created = api.put("/api-keys/ci-robot", json={"description": "CI robot"})
    assert created.status_code == 201 and created.json()["secretKey"].startswith("sk_")
    updated = api.put(
        "/api-keys/ci-robot", json={"description": "CI robot v2", "allowedIps": ["8.8.8.8"]}
    )
    assert updated.status_code == 200
    assert updated.json()["description"] == "CI robot v2"
    assert "secretKey" not in updated.json()
    assert updated.json()["allowedIps"] == ["8.8.8.8"]


def test_allowed_ips_are_enforced(api: TestClient, client: TestClient) -> None:
    key = api.post(
        "/api-keys", json={"description": "Office only", "allowedIps": ["1.1.1.0/24"]}
    ).json()
    # The test client's address is not in 1.1.1.0/24.
    assert_problem(client.get("/customers", headers={"REB-APIKEY": key["secretKey"]}), 403)
    refused = api.post("/api-keys", json={"description": "LAN", "allowedIps": ["10.0.0.0/8"]})
    assert [f["field"] for f in assert_problem(refused, 422)["invalidFields"]] == ["allowedIps"]


def test_a_restricted_key_may_only_call_its_operations(api: TestClient, client: TestClient) -> None:
    key = api.post(
        "/api-keys",
        json={
            "description": "Reader",
            "acl": [{"scope": {}, "permissions": ["GetCustomerCollection"]}],
        },
    ).json()
    headers = {"REB-APIKEY": key["secretKey"]}
    assert client.get("/customers", headers=headers).status_code == 200
    assert_problem(client.post("/customers", json=customer_body(), headers=headers), 403)
    assert api.get("/customers").headers["pagination-total"] == "0"


def test_publishable_keys_cannot_use_secret_operations(api: TestClient, client: TestClient) -> None:
    key = api.post("/api-keys", json={"description": "Browser", "type": "publishable"}).json()
    assert key["secretKey"].startswith("pk_")
    assert_problem(client.get("/customers", headers={"REB-APIKEY": key["secretKey"]}), 403)


def test_keys_of_another_tenant_are_invisible(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    mine = api.post("/api-keys", json={"description": "Mine"}).json()["id"]
    assert_problem(client.get(f"/api-keys/{mine}", headers=other_tenant.headers), 404)
    assert_problem(client.delete(f"/api-keys/{mine}", headers=other_tenant.headers), 404)
    assert api.get(f"/api-keys/{mine}").status_code == 200
