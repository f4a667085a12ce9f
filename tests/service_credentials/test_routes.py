"""Webhook credentials: bound to a host, passwords never shown, 303 for a duplicate, other
types of Rebilly's API refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.db.models import ServiceCredential
from openkyc.db.session import Database
from openkyc.sealing import Sealer
from tests.fixtures.tenants import Tenant

BASIC = {"type": "basic", "username": "shop", "password": "s3cret"}


def _post(api: TestClient, body: dict, kind: str = "webhook"):  # type: ignore[no-untyped-def]
    return api.post(f"/service-credentials/{kind}", json=body, follow_redirects=False)


def test_a_credential_is_created_and_shown_without_its_password(
    api: TestClient, database: Database, tenant: Tenant, settings: Settings
) -> None:
    created = _post(api, {"type": "webhook", "host": "hooks.example.com", "auth": BASIC})
    assert created.status_code == 201, created.text
    body = created.json()
    credential_id = body["id"]
    assert credential_id.startswith("crd_") and body["hash"] == credential_id
    assert created.headers["location"] == (
        f"http://openkyc.test/service-credentials/webhook/{credential_id}"
    )
    assert {k: body[k] for k in ("type", "host", "status", "deactivationTime", "auth")} == {
        "type": "webhook",
        "host": "hooks.example.com",
        "status": "active",
        "deactivationTime": None,
        "auth": {"type": "basic", "username": "shop"},
    }
    assert api.get(f"/service-credentials/webhook/{credential_id}").json() == body
    assert "s3cret" not in api.get("/service-credentials/webhook").text
    with database.sessionmaker() as session:
        stored = session.get(ServiceCredential, (tenant.organization_id, credential_id))
        assert stored is not None and stored.password is not None
    # Kept sealed, to be opened only by a process with the deployment's secret key.
    assert stored.password.startswith("sealed:1:") and "s3cret" not in stored.password
    assert Sealer(settings.resolved_secret_key).open(stored.password) == "s3cret"


def test_the_same_host_and_authentication_answers_303_with_the_existing_one(
    api: TestClient,
) -> None:
    first = _post(api, {"host": "hooks.example.com", "auth": BASIC}).json()
    again = _post(api, {"host": "HOOKS.example.com", "auth": BASIC})
    assert again.status_code == 303
    assert again.json()["id"] == first["id"]
    assert again.headers["location"].endswith(f"/service-credentials/webhook/{first['id']}")
    other = _post(api, {"host": "hooks.example.com", "auth": {**BASIC, "password": "other"}})
    assert other.status_code == 201 and other.json()["id"] != first["id"]
    none = _post(api, {"host": "hooks.example.com"})
    assert none.status_code == 201 and none.json()["auth"] == {"type": "none"}
    listed = api.get("/service-credentials/webhook", params={"q": "hooks.example"})
    assert listed.headers["pagination-total"] == "3"


def test_credentials_are_validated(api: TestClient) -> None:
    bad_host = _post(api, {"host": "https://hooks.example.com/x"})
    assert bad_host.status_code == 422
    assert [f["field"] for f in bad_host.json()["invalidFields"]] == ["host"]
    no_password = _post(api, {"host": "a.example", "auth": {"type": "digest", "username": "u"}})
    assert no_password.status_code == 422
    assert [f["field"] for f in no_password.json()["invalidFields"]] == ["auth.password"]
    assert api.get("/service-credentials/webhook").json() == []


def test_other_credential_types_are_not_supported(api: TestClient) -> None:
    for kind in ("smtp", "experian", "plaid"):
        refused = _post(api, {"host": "smtp.example.com"}, kind)
        assert refused.status_code == 422
        assert refused.json()["invalidFields"] == [
            {
                "field": "type",
                "message": f"{kind} credentials are not supported by openkyc; use webhook",
            }
        ]
        assert api.get(f"/service-credentials/{kind}").status_code == 422
    assert api.get("/service-credentials/fax").status_code == 422


def test_status_changes_and_deactivation_is_for_good(api: TestClient) -> None:
    credential_id = _post(api, {"host": "hooks.example.com"}).json()["id"]
    path = f"/service-credentials/webhook/{credential_id}"
    inactive = api.patch(path, json={"status": "inactive", "type": "webhook"})
    assert (inactive.status_code, inactive.json()["status"]) == (200, "inactive")
    assert api.patch(path, json={"status": "active"}).json()["status"] == "active"
    deactivated = api.patch(path, json={"status": "deactivated"}).json()
    assert deactivated["status"] == "deactivated" and deactivated["deactivationTime"]
    refused = api.patch(path, json={"status": "active"})
    assert refused.status_code == 422
    assert refused.json()["invalidFields"][0]["field"] == "status"
    assert api.get(path).json()["status"] == "deactivated"
    # A deactivated credential is not offered again for the same host.
    assert _post(api, {"host": "hooks.example.com"}).status_code == 201


def test_credentials_belong_to_their_organization(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = client.post(
        "/service-credentials/webhook", json={"host": "a.example"}, headers=tenant.headers
    ).json()
    path = f"/service-credentials/webhook/{created['id']}"
    assert client.get(path, headers=other_tenant.headers).status_code == 404
    assert (
        client.patch(path, json={"status": "inactive"}, headers=other_tenant.headers).status_code
        == 404
    )
    assert client.get("/service-credentials/webhook", headers=other_tenant.headers).json() == []
