"""Each kind of credential counts its writes in a bucket of its own: publishable keys and
customer links, valid requests or not, cannot spend the merchant's secret-key limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from tests.fixtures.kyc import customer, kyc_request
from tests.fixtures.payloads import customer_body
from tests.fixtures.storefront import link_token
from tests.security.helpers import exchange, new_key
from tests.web.test_conventions import assert_problem

LIMIT = 5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limit": f"{LIMIT}/hour"})


@pytest.mark.parametrize(
    "body", [{}, {"file": "not base64"}, {"file": "", "name": "x" * 300}, {"tags": 5}]
)
def test_publishable_key_floods_do_not_lock_the_merchant_out(
    api: TestClient, client: TestClient, body: dict[str, object]
) -> None:
    publishable = {"Authorization": new_key(api, "Shop", type="publishable")["secretKey"]}
    for _ in range(LIMIT + 3):
        client.post("/files", json=body, headers=publishable)
    assert_problem(client.post("/files", json=body, headers=publishable), 429)
    assert api.post("/customers", json=customer_body()).status_code == 201


def test_one_customer_link_does_not_spend_another_s(api: TestClient, client: TestClient) -> None:
    # Two requests (and their customer), made before the merchant's own budget is counted.
    first = kyc_request(api, customer(api), "identity-proof")
    second = kyc_request(api, customer(api, "Bob"), "identity-proof")
    publishable = new_key(api, "Shop", type="publishable")
    flooder = exchange(client, link_token(first), publishable)
    for _ in range(LIMIT + 3):
        client.post("/storefront/kyc-documents", json={}, headers=flooder)
    assert_problem(client.post("/storefront/kyc-documents", json={}, headers=flooder), 429)
    other = exchange(client, link_token(second), publishable)
    refused = client.post("/storefront/kyc-documents", json={}, headers=other)
    assert refused.status_code == 422, refused.text


@pytest.mark.parametrize("body", [{}, {"documentType": "identity-proof", "fileIds": ["x"]}])
def test_a_customer_links_flood_locks_out_neither_the_merchant_nor_its_front_end(
    api: TestClient, client: TestClient, body: dict[str, object]
) -> None:
    request = kyc_request(api, customer(api), "identity-proof")
    publishable = new_key(api, "Shop", type="publishable")
    flooder = exchange(client, link_token(request), publishable)
    for _ in range(LIMIT + 3):
        client.post("/storefront/kyc-documents", json=body, headers=flooder)
    assert_problem(client.post("/storefront/kyc-documents", json=body, headers=flooder), 429)
    assert api.post("/customers", json=customer_body()).status_code == 201
    front_end = {"Authorization": publishable["secretKey"]}
    refused = client.post("/files", json={}, headers=front_end)
    assert refused.status_code == 422, refused.text  # judged, not throttled
