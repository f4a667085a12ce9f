"""The gatherer's pages over HTTP: which page a link opens, in which language, what an
expired or tampered link shows (and never shows), and where leaving goes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from tests.fixtures import kyc
from tests.fixtures.storefront import gatherer_href, link_token

SHOP = "https://shop.example/back?order=42"


@pytest.fixture
def customer_id(api: TestClient) -> str:
    return kyc.customer(api)


@pytest.fixture
def request_(api: TestClient, customer_id: str) -> dict[str, Any]:
    return kyc.kyc_request(api, customer_id, "identity-proof", "address-proof", redirectUrl=SHOP)


def page_path(request: dict[str, Any]) -> str:
    parts = urlsplit(gatherer_href(request))
    return f"{parts.path}?{parts.query}"


def bootstrap(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="bootstrap">(.*?)</script>', html, re.S)
    assert found, html[:500]
    return dict(json.loads(found.group(1)))


def assert_shows_nothing_of(page: str, request: dict[str, Any]) -> None:
    for secret in (request["id"], request["customerId"], "bootstrap", "Bearer", "eyJ"):
        assert secret not in page


def test_the_link_opens_the_page_in_the_browsers_language(
    client: TestClient, request_: dict[str, Any]
) -> None:
    response = client.get(
        page_path(request_), headers={"Accept-Language": "de-DE, es-ES;q=0.9, en;q=0.5"}
    )
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
    assert "<title>Verifique su identidad</title>" in response.text
    data = bootstrap(response.text)
    assert (data["requestId"], data["lang"], data["ui"], data["hasRedirect"]) == (
        request_["id"],
        "es",
        "1",
        True,
    )
    assert data["t"]["types"]["identity-proof"]["title"] == "Prueba de identidad"
    assert data["leave"]["back"].startswith("gatherer/leave?token=")
    # The page's token works the storefront API for this request.
    api_view = client.get(
        f"/storefront/kyc-requests/{request_['id']}",
        headers={"Authorization": f"Bearer {data['token']}"},
    )
    assert api_view.status_code == 200
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert (headers["cache-control"], headers["referrer-policy"]) == ("no-store", "no-referrer")


@pytest.mark.parametrize(
    ("header", "chosen", "expected"),
    [
        ("fr-CA,fr;q=0.8", None, "fr"),
        ("es", "en", "en"),
        ("ja, zh;q=0.5", None, "en"),
        ("", "es", "es"),
    ],
)
def test_the_language_comes_from_the_browser_unless_the_customer_picks_one(
    client: TestClient, request_: dict[str, Any], header: str, chosen: str | None, expected: str
) -> None:
    path = page_path(request_) + (f"&lang={chosen}" if chosen else "")
    response = client.get(path, headers={"Accept-Language": header})
    assert f'<html lang="{expected}">' in response.text
    assert f'<option value="{expected}" selected>' in response.text


def test_the_modern_design_follows_the_kyc_settings(
    api: TestClient, client: TestClient, request_: dict[str, Any]
) -> None:
    assert api.put("/kyc-settings", json={"uiVersion": "2"}).status_code == 200
    response = client.get(page_path(request_))
    assert '<body class="ui-2">' in response.text
    assert bootstrap(response.text)["ui"] == "2"


def test_a_request_chooses_its_own_design_over_the_organizations(
    api: TestClient, client: TestClient, customer_id: str
) -> None:
    assert api.put("/kyc-settings", json={"uiVersion": "2"}).status_code == 200
    classic = kyc.kyc_request(api, customer_id, "address-proof", uiVersion="1", redirectUrl=SHOP)
    modern = kyc.kyc_request(api, customer_id, "identity-proof")
    assert (classic["uiVersion"], modern["uiVersion"]) == ("1", None)
    assert bootstrap(client.get(page_path(classic)).text)["ui"] == "1"
    assert '<body class="ui-2">' in client.get(page_path(modern)).text
    # The merchant changes its mind while the request is open; null is the organization's.
    changed = api.patch(f"/kyc-requests/{modern['id']}", json={"uiVersion": "1"})
    assert changed.status_code == 200 and changed.json()["uiVersion"] == "1"
    page = client.get(page_path(modern)).text
    assert '<body class="ui-1">' in page
    # The last page (no redirect) keeps the request's design.
    done = client.get("/" + bootstrap(page)["leave"]["done"]).text
    assert '<body class="ui-1 message-page">' in done
    assert api.patch(f"/kyc-requests/{classic['id']}", json={"uiVersion": None}).status_code == 200
    assert bootstrap(client.get(page_path(classic)).text)["ui"] == "2"


@pytest.mark.parametrize("value", ["3", 2, "", "modern"])
def test_a_design_openkyc_does_not_have_is_refused(
    api: TestClient, customer_id: str, value: object
) -> None:
    body = {"customerId": customer_id, "documents": [{"type": "identity-proof"}]}
    response = api.post("/kyc-requests", json={**body, "uiVersion": value})
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["invalidFields"]] == ["uiVersion"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        lambda token: token.split(".")[0] + ".e30." + token.split(".")[2],
        lambda token: "not-a-token",
        lambda token: "",
    ],
    ids=["signature", "claims", "garbage", "missing"],
)
def test_a_tampered_link_shows_that_it_is_not_valid_and_nothing_else(
    client: TestClient, request_: dict[str, Any], tamper: Any
) -> None:
    response = client.get(f"/gatherer?token={tamper(link_token(request_))}")
    assert response.status_code == 403
    assert "This link is not valid" in response.text
    assert 'http-equiv="refresh"' not in response.text and SHOP not in response.text
    assert_shows_nothing_of(response.text, request_)


def _signed(settings: Settings, request: dict[str, Any], **claims: Any) -> str:
    body = {
        "typ": "kyc-gatherer",
        "org": "",
        "req": request["id"],
        "cus": request["customerId"],
        "exp": int(datetime.now(UTC).timestamp()) + 60,
        **claims,
    }
    return jwt.encode(body, settings.secret_key, algorithm="HS256")


def test_an_expired_link_says_so_and_sends_the_customer_back(
    client: TestClient, settings: Settings, request_: dict[str, Any]
) -> None:
    organization = jwt.decode(link_token(request_), options={"verify_signature": False})["org"]
    past = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())
    expired = _signed(settings, request_, org=organization, exp=past)
    response = client.get(f"/gatherer?token={expired}", headers={"Accept-Language": "fr"})
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.text
    back = "https://shop.example/back?order=42&amp;info=token_expired"
    assert 'id="stay"' in response.text  # the automatic return can be stopped
    assert f'href="{back}"' in response.text
    assert_shows_nothing_of(response.text, request_)


def test_a_link_can_never_open_another_customers_request(
    api: TestClient, client: TestClient, settings: Settings, request_: dict[str, Any]
) -> None:
    organization = jwt.decode(link_token(request_), options={"verify_signature": False})["org"]
    other = kyc.kyc_request(api, kyc.customer(api, first="Grace"), "address-proof")
    mixed = _signed(settings, other, org=organization, cus=request_["customerId"])
    response = client.get(f"/gatherer?token={mixed}")
    assert response.status_code == 403
    assert_shows_nothing_of(response.text, other)


def test_a_finished_request_closes_its_link(
    api: TestClient, client: TestClient, customer_id: str, request_: dict[str, Any]
) -> None:
    for document_type in ("identity-proof", "address-proof"):
        document = kyc.document(api, customer_id, document_type, request_id=request_["id"])
        kyc.accept(api, document["id"])
    assert kyc.status_of(api, request_["id"]) == "fulfilled"
    response = client.get(page_path(request_))
    assert response.status_code == 410
    assert "Your documents have already been verified." in response.text
    assert "info=token_expired" in response.text
    assert_shows_nothing_of(response.text, request_)


@pytest.mark.parametrize(
    ("why", "decide", "info"),
    [("back", None, "back"), ("done", "pending", "manual"), ("done", "accept", "partial")],
)
def test_leaving_goes_back_with_how_it_went(
    api: TestClient,
    client: TestClient,
    customer_id: str,
    request_: dict[str, Any],
    why: str,
    decide: str | None,
    info: str,
) -> None:
    if decide:
        document = kyc.document(api, customer_id, "address-proof", request_id=request_["id"])
        if decide == "accept":
            kyc.accept(api, document["id"])
    leave = bootstrap(client.get(page_path(request_)).text)["leave"][why]
    response = client.get("/" + leave, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{SHOP}&info={info}"


def test_without_a_redirect_the_last_page_says_what_happens_next(
    api: TestClient, client: TestClient, customer_id: str
) -> None:
    request = kyc.kyc_request(api, customer_id, "address-proof")
    kyc.document(api, customer_id, "address-proof", request_id=request["id"])
    data = bootstrap(client.get(page_path(request), headers={"Accept-Language": "es"}).text)
    assert data["hasRedirect"] is False
    response = client.get("/" + data["leave"]["done"])
    assert response.status_code == 200
    assert "Una persona revisará sus documentos" in response.text


def test_the_pages_own_assets_are_served(client: TestClient) -> None:
    script = client.get("/gatherer/assets/gatherer.js")
    style = client.get("/gatherer/assets/gatherer.css")
    assert script.status_code == style.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert style.headers["content-type"].startswith("text/css")
    assert "storefront/kyc-documents" in script.text
    assert client.get("/gatherer/assets/other.js").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/gatherer")]
