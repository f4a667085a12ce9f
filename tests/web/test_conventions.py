"""The API conventions every resource shares: paths, auth, problems, tenancy, rate limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.web.app import create_app
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    return body


def test_resources_are_served_at_the_root_and_under_the_organization(
    api: TestClient, tenant: Tenant
) -> None:
    created = api.post(f"/organizations/{tenant.organization_id}/customers/", json=customer_body())
    assert created.status_code == 201
    customer_id = created.json()["id"]
    assert created.headers["location"] == (
        f"http://openkyc.test/organizations/{tenant.organization_id}/customers/{customer_id}"
    )
    assert api.get(f"/customers/{customer_id}").json()["id"] == customer_id
    assert api.get(f"/customers/{customer_id}/").status_code == 200
    listed = api.get(f"/organizations/{tenant.organization_id}/customers/")
    assert [c["id"] for c in listed.json()] == [customer_id]
    assert listed.json()[0]["_links"] == [
        {
            "rel": "self",
            "href": f"http://openkyc.test/organizations/{tenant.organization_id}/customers/{customer_id}",
        }
    ]


def test_missing_or_wrong_key_is_401_before_any_lookup(client: TestClient) -> None:
    assert_problem(client.get("/customers/cus_does_not_exist"), 401)
    assert_problem(client.get("/customers", headers={"REB-APIKEY": "sk_wrong"}), 401)
    assert_problem(
        client.post("/customers", json={}, headers={"Authorization": "Bearer not.a.jwt"}), 401
    )


def test_an_organization_in_the_path_must_be_the_keys_own(
    api: TestClient, other_tenant: Tenant
) -> None:
    body = assert_problem(api.get(f"/organizations/{other_tenant.organization_id}/customers"), 403)
    assert "organization" in body["detail"]


def test_another_tenants_resources_answer_404(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = client.post("/customers", json=customer_body(), headers=tenant.headers).json()["id"]
    assert_problem(client.get(f"/customers/{mine}", headers=other_tenant.headers), 404)
    listing = client.get("/customers", headers=other_tenant.headers)
    assert listing.json() == [] and listing.headers["pagination-total"] == "0"
    # The same id chosen by another tenant is a separate customer, not a collision.
    theirs = client.put(
        f"/customers/{mine}", json=customer_body(first="Grace"), headers=other_tenant.headers
    )
    assert theirs.status_code == 201
    assert client.get(f"/customers/{mine}", headers=tenant.headers).json()["firstName"] == "Ada"


def test_malformed_json_is_400_and_wrong_content_type_415(api: TestClient) -> None:
    assert_problem(
        api.post("/customers", content=b"{nope", headers={"content-type": "application/json"}), 400
    )
    body = assert_problem(
        api.post("/customers", content=b"<customer/>", headers={"content-type": "application/xml"}),
        415,
    )
    assert "application/json" in body["detail"]
    assert api.get("/customers").headers["pagination-total"] == "0"


def test_validation_errors_name_fields_in_dot_notation(api: TestClient) -> None:
    body = customer_body()
    body["primaryAddress"].update(dob="10/12/1990", country="gb")
    body["primaryAddress"]["emails"] = [{"label": "main", "value": "not-an-email"}]
    problem = assert_problem(api.post("/customers", json=body), 422)
    fields = sorted(f["field"] for f in problem["invalidFields"])
    assert fields == [
        "primaryAddress.country",
        "primaryAddress.dob",
        "primaryAddress.emails.0.value",
    ]


def test_unknown_routes_and_methods_are_problems(api: TestClient) -> None:
    assert_problem(api.get("/no-such-thing"), 404)
    problem = assert_problem(api.delete("/customers"), 405)
    assert "DELETE" in problem["detail"]


def test_bodies_over_the_limit_are_413(api: TestClient, settings: Settings) -> None:
    huge = {
        "primaryAddress": {"firstName": "A"},
        "customFields": {"blob": "x" * settings.max_body_bytes},
    }
    assert_problem(api.post("/customers", json=huge), 413)
    assert api.get("/customers").headers["pagination-total"] == "0"


def test_mutations_carry_rate_limit_headers_and_429_when_spent(
    settings: Settings, database, storage, tenant: Tenant
) -> None:
    app = create_app(settings.model_copy(update={"rate_limit": "3/minute"}), database, storage)
    with TestClient(app, base_url="http://openkyc.test") as client:
        client.headers.update(tenant.headers)
        remaining = [
            client.post("/customers", json=customer_body()).headers["x-ratelimit-remaining"]
            for _ in range(3)
        ]
        assert remaining == ["2", "1", "0"]
        refused = client.post("/customers", json=customer_body())
        assert_problem(refused, 429)
        assert int(refused.headers["x-ratelimit-retry-after"]) > 0
        assert refused.headers["x-ratelimit-limit"] == "3"
        # Reads are not limited, and the refused write stored nothing.
        assert client.get("/customers").headers["pagination-total"] == "3"


def test_openapi_uses_rebillys_operation_ids(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation_ids = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert {
        "PostCustomer",
        "GetCustomer",
        "PutCustomer",
        "GetCustomerCollection",
        "PostApiKey",
        "GetApiKeyCollection",
        "GetApiKey",
        "PutApiKey",
        "DeleteApiKey",
    } <= operation_ids
    post_customer = document["paths"]["/customers"]["post"]
    assert {"201", "401", "422", "429"} <= post_customer["responses"].keys()
    assert "Location" in post_customer["responses"]["201"]["headers"]


@pytest.mark.parametrize("slug", ["validation-error", "not-found", "rate-limit-exceeded"])
def test_problem_types_are_documented(client: TestClient, slug: str) -> None:
    response = client.get(f"/problems/{slug}")
    assert response.status_code == 200
    assert response.text.split("\n")[0].split(" ")[0] in {"422", "404", "429"}
