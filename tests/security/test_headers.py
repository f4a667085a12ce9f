"""Every response a browser may render carries the headers that keep it from being framed,
sniffed into another type or leaking where the reader came from."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.kyc import customer, kyc_request
from tests.fixtures.storefront import gatherer_href

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}
# Policies that never tell another site where the reader came from (the back office keeps its
# own address for its own pages).
UNTOLD = ("no-referrer", "same-origin")


def _assert_protected(headers: dict[str, str] | object) -> None:
    for name, value in EXPECTED.items():
        assert headers[name] == value, name  # type: ignore[index]
    assert headers["referrer-policy"] in UNTOLD  # type: ignore[index]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "/docs",
        "/docs/assets/swagger-ui-bundle.js",
        "/openapi.json",
        "/backoffice/signin",
        "/backoffice/dashboard",
        "/backoffice/static/backoffice.js",
        "/health/ready",
        "/gatherer?token=forged",
        "/gatherer/assets/gatherer.js",
        "/customers",
        "/no-such-page",
    ],
)
def test_every_page_and_answer_carries_the_headers(api: TestClient, path: str) -> None:
    _assert_protected(api.get(path).headers)


def test_the_gatherer_page_of_a_real_link_cannot_be_framed(api: TestClient) -> None:
    request = kyc_request(api, customer(api), "identity-proof")
    page = api.get(gatherer_href(request))
    assert page.status_code == 200
    _assert_protected(page.headers)
