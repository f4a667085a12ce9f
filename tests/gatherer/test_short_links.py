"""The short link of a request's gatherer page (`/g/{code}`), for a customer who types it on
a phone: it opens that request's page and nothing else, stops working with the request,
cannot be guessed, and each client address may look up only a few."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from openkyc.config import Settings
from tests.fixtures import kyc
from tests.fixtures.storefront import gatherer_href
from tests.fixtures.tenants import Tenant
from tests.gatherer.test_pages import SHOP, bootstrap, page_path
from tests.web.test_conventions import assert_problem

SHORT = re.compile(r"http://openkyc\.test/g/([2-9a-hjkmnp-z]{10})")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"short_link_rate_limit": "8/10minutes"})


@pytest.fixture
def other_api(app: FastAPI, other_tenant: Tenant) -> Iterator[TestClient]:
    """Another organization's merchant."""
    with TestClient(
        app, "http://openkyc.test", raise_server_exceptions=False, headers=other_tenant.headers
    ) as c:
        yield c


def short_link(client: TestClient, request: dict[str, Any]) -> str:
    """The short link the desktop page offers beside the QR code."""
    page = client.get(page_path(request))
    assert page.status_code == 200, page.text
    link = bootstrap(page.text)["handoff"]["short"]
    assert SHORT.fullmatch(link), link
    return str(link)


def test_the_short_link_opens_the_page_of_its_request_only(
    api: TestClient, client: TestClient, other_api: TestClient
) -> None:
    ours = kyc.kyc_request(api, kyc.customer(api), "identity-proof", redirectUrl=SHOP)
    theirs = kyc.kyc_request(other_api, kyc.customer(other_api), "identity-proof")
    links = [short_link(client, ours), short_link(client, theirs)]
    assert links[0] != links[1]
    for link, request in zip(links, (ours, theirs), strict=True):
        response = client.get(link.removeprefix("http://openkyc.test"), follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == gatherer_href(request)
        assert response.headers["referrer-policy"] == "no-referrer"
        page = client.get(response.headers["location"])
        assert bootstrap(page.text)["requestId"] == request["id"]


@pytest.mark.parametrize("code", ["abcdefghjk", "ABCDEFGHJK0", "x", "abc.efghjk", "%00"])
def test_a_code_that_names_no_request_opens_nothing(client: TestClient, code: str) -> None:
    response = client.get(f"/g/{code}", follow_redirects=False)
    assert response.status_code == 404
    assert "This link is not valid" in response.text
    assert "location" not in response.headers


def test_the_short_link_ends_with_its_request(
    api: TestClient, client: TestClient, clock: FrozenClock
) -> None:
    request = kyc.kyc_request(
        api,
        kyc.customer(api),
        "identity-proof",
        redirectUrl=SHOP,
        expirationTime=(clock.now() + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    link = short_link(client, request).removeprefix("http://openkyc.test")
    clock.advance(minutes=10)
    closed = client.get(link)  # to the request's own link, which says it has expired
    assert closed.status_code == 410
    assert "This link no longer works" in closed.text
    assert "info=token_expired" in closed.text
    deleted = kyc.kyc_request(api, kyc.customer(api), "identity-proof")
    gone = short_link(client, deleted).removeprefix("http://openkyc.test")
    assert api.delete(f"/kyc-requests/{deleted['id']}").status_code == 204
    assert client.get(gone, follow_redirects=False).status_code == 404


def test_each_address_may_look_up_only_a_few_codes(api: TestClient, client: TestClient) -> None:
    request = kyc.kyc_request(api, kyc.customer(api), "identity-proof")
    link = short_link(client, request).removeprefix("http://openkyc.test")
    for attempt in range(7):
        assert client.get(f"/g/{attempt}bcdefghjk", follow_redirects=False).status_code == 404
    assert client.get(link, follow_redirects=False).status_code == 303  # the 8th
    refused = client.get(link, follow_redirects=False, headers={"Accept-Language": "fr"})
    assert refused.status_code == 429
    assert "<h1>Trop d\u2019essais</h1>" in refused.text
    assert refused.headers["x-ratelimit-remaining"] == "0"
    # The merchant's API is counted apart: the customer's guesses never lock it out.
    assert api.get(f"/kyc-requests/{request['id']}").status_code == 200
    assert_problem(client.get("/kyc-requests"), 401)
