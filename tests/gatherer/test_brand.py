"""The merchant's brand on the gatherer (`gatherer` in the KYC settings): its name, colour,
support and privacy links, default language and consent text; the design (`uiVersion`) of
the organization or of one request; and the QR code of the link."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from playwright.sync_api import Browser

from openkyc.storefront.service import consent_version
from tests.fixtures import kyc
from tests.fixtures.payloads import customer_body
from tests.fixtures.storefront import link_token
from tests.gatherer.browser import Customer, customer_at
from tests.gatherer.live import Merchant, collins_bill, gatherer_link
from tests.gatherer.test_pages import SHOP, bootstrap, page_path
from tests.web.test_conventions import assert_problem


def _logo(size: tuple[int, int] = (96, 32), kind: str = "PNG") -> str:
    picture = Image.new("RGB", size, (122, 31, 92))
    ImageDraw.Draw(picture).ellipse((4, 4, 28, 28), fill="white")
    out = io.BytesIO()
    picture.save(out, kind)
    media = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}[kind]
    return f"data:{media};base64," + base64.b64encode(out.getvalue()).decode()


LOGO = _logo()
BRAND = {
    "name": "Northwind <Bank>",
    "logo": LOGO,
    "primaryColor": "#7a1f5c",
    "supportUrl": "https://help.northwind.example/kyc",
    "privacyNoticeUrl": "https://northwind.example/privacy",
    "defaultLanguage": "fr",
    "consentText": "Northwind compare votre visage à la photo de votre document.",
}


@pytest.fixture
def request_(api: TestClient) -> dict[str, Any]:
    return kyc.kyc_request(api, kyc.customer(api), "identity-proof", redirectUrl=SHOP)


def test_the_page_wears_the_merchants_brand_and_speaks_its_default_language(
    api: TestClient, client: TestClient, request_: dict[str, Any]
) -> None:
    saved = api.put("/kyc-settings", json={"gatherer": BRAND})
    assert saved.status_code == 200, saved.text
    assert api.get("/kyc-settings").json()["gatherer"] == BRAND
    page = client.get(page_path(request_))  # no Accept-Language: the merchant's default
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    logo = f'<img class="logo" id="brand-logo" src="{LOGO}" alt="">'
    assert f'<p class="brand" id="brand">{logo}Northwind &lt;Bank&gt;</p>' in page.text
    brand = bootstrap(page.text)["brand"]
    shown = {k: v for k, v in BRAND.items() if k not in ("name", "logo", "defaultLanguage")}
    assert brand == shown
    english = client.get(page_path(request_), headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text  # the customer's own language comes first


def test_a_request_speaks_the_language_the_merchant_gave_its_customer(
    api: TestClient, client: TestClient
) -> None:
    assert api.put("/kyc-settings", json={"gatherer": BRAND}).status_code == 200
    body = {**customer_body(first="Lucía"), "locale": "es-MX"}
    customer = api.post("/customers", json=body)
    assert customer.status_code == 201, customer.text
    request = kyc.kyc_request(api, customer.json()["id"], "identity-proof", redirectUrl=SHOP)
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    page = client.get(page_path(request), headers=english_browser)
    assert '<html lang="es">' in page.text  # the request's own, before the browser's
    assert bootstrap(page.text)["lang"] == "es"
    chosen = client.get(page_path(request) + "&lang=fr", headers=english_browser)
    assert '<html lang="fr">' in chosen.text  # the customer's choice on the page first
    other = kyc.kyc_request(api, kyc.customer(api), "identity-proof", redirectUrl=SHOP)
    assert '<html lang="en">' in client.get(page_path(other), headers=english_browser).text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primaryColor", "#ffe600"),  # white text on yellow: 1.2:1
        ("primaryColor", "blue"),
        ("supportUrl", "http://help.example"),
        ("privacyNoticeUrl", "javascript:alert(1)"),
        ("defaultLanguage", "de"),
        ("consentText", ""),
        ("logo", "https://northwind.example/logo.png"),
        ("logo", "data:image/png;base64,aGVsbG8gd29ybGQ="),  # no picture
        ("logo", _logo(kind="JPEG").replace("image/jpeg", "image/png")),  # not what it says
        ("logo", _logo(kind="GIF").replace("image/gif", "image/png")),
        ("logo", _logo((1100, 1000))),  # more than 1024x1024 pixels
        ("logo", "data:image/svg+xml;base64,PHN2Zy8+"),
    ],
)
def test_a_brand_that_would_hurt_the_customer_is_refused(
    api: TestClient, field: str, value: str
) -> None:
    problem = assert_problem(api.put("/kyc-settings", json={"gatherer": {field: value}}), 422)
    assert [f["field"] for f in problem["invalidFields"]] == [f"gatherer.{field}"]
    assert api.get("/kyc-settings").json()["gatherer"][field] is None


def consents(api: Any, customer_id: str) -> list[dict[str, Any]]:
    """The consent records on the customer's timeline, as the merchant reads it."""
    response = api.get(f"/customers/{customer_id}/timeline", params={"sort": "occurredTime"})
    assert response.status_code == 200, response.text
    return [e for e in response.json() if e["type"] == "kyc-consent-given"]


def test_the_qr_code_carries_the_link_of_an_open_request_only(
    client: TestClient, request_: dict[str, Any]
) -> None:
    token = link_token(request_)
    code = client.get(f"/gatherer/qr.svg?token={token}")
    assert code.status_code == 200
    assert code.headers["content-type"] == "image/svg+xml"
    assert code.headers["content-security-policy"] == "default-src 'none'"
    assert code.text.startswith("<svg") and "<script" not in code.text
    assert client.get(f"/gatherer/qr.svg?token={token[:-4]}AAAA").status_code == 404


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_customer_agrees_before_any_picture_of_the_face(
    live: Merchant, browser: Browser
) -> None:
    saved = live.api.put("/kyc-settings", json={"gatherer": BRAND})
    assert saved.status_code == 200, saved.text
    identity = {"type": "identity-proof", "faceProofRequired": True}
    request = live.kyc_request(live.customer(), [identity], redirectUrl=SHOP)
    with customer_at(browser, "phone", "brand-consent") as customer:
        customer.open(gatherer_link(request))
        page = customer.page
        assert page.inner_text("#brand") == "Northwind <Bank>"
        shown = page.eval_on_selector("#brand-logo", "(i) => [i.complete, i.naturalWidth]")
        assert shown == [True, 96]  # the logo, drawn despite the page's strict policy
        assert page.evaluate("document.documentElement.lang") == "en"  # the browser's own
        colour = page.eval_on_selector(
            "#send-identity-proof", "(b) => getComputedStyle(b).backgroundColor"
        )
        assert colour == "rgb(122, 31, 92)"
        assert page.inner_text("#consent-identity-proof-text") == BRAND["consentText"]
        privacy = page.get_attribute("#consent-identity-proof-privacy", "href")
        assert privacy == BRAND["privacyNoticeUrl"]
        assert page.get_attribute("#support", "href") == BRAND["supportUrl"]
        assert page.query_selector("#file-identity-proof-face-proof") is None
        customer.shot("consent")
        customer.consent()
        page.wait_for_selector("#file-identity-proof-face-proof", state="attached")
        page.reload()  # the consent is kept for the tab
        page.wait_for_selector("#file-identity-proof-face-proof", state="attached")
        assert page.is_checked("#consent-identity-proof")
    # The server recorded it before the selfie could be chosen: who, when, which words.
    [entry] = consents(live.api, request["customerId"])
    assert entry["extraData"]["author"]["userFullName"] == "Customer"
    rows = {row["attribute"]: row["value"] for row in entry["extraData"]["tables"][0]["data"]}
    assert rows["KYC request"] == request["id"]
    assert rows["Text"] == BRAND["consentText"]
    assert rows["Text version"] == consent_version(BRAND["consentText"])
    assert rows["Language"] == "en"


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_each_request_shows_the_design_it_chose(
    live: Merchant, browser: Browser, tmp_path: Path
) -> None:
    live.ui_version("1")  # the organization's: the classic page, every document at once
    bill = collins_bill(tmp_path)
    asked = [{"type": "address-proof"}, {"type": "identity-proof"}]
    customer_id = live.customer()
    modern = live.kyc_request(customer_id, asked, redirectUrl=SHOP, uiVersion="2")
    classic = live.kyc_request(customer_id, asked, redirectUrl=SHOP)
    with customer_at(browser, "phone", "design-per-request") as customer:
        page = customer.page
        customer.open(gatherer_link(classic))
        assert page.get_attribute("body", "class") == "ui-1"
        assert cards(customer) == ["address-proof", "identity-proof"]
        assert send_width(customer) < 0.7 * 390
        customer.open(gatherer_link(modern))
        # Mobile-first: one step at a time, full-width buttons.
        assert page.get_attribute("body", "class") == "ui-2"
        assert cards(customer) == ["address-proof"]
        assert send_width(customer) > 0.75 * 390
        customer.shot("one-step")
        accepted = customer.send_after_attach("address-proof", bill)
        assert "ok" in accepted["class"], accepted
        # The step done stays above the next one, which appears only now.
        page.wait_for_selector("section.card[data-type='identity-proof']")
        assert cards(customer) == ["address-proof", "identity-proof"]
        customer.shot("next-step")


def cards(customer: Customer) -> list[str]:
    """The document types whose card the page shows, top to bottom."""
    return [
        str(card.get_attribute("data-type"))
        for card in customer.page.query_selector_all("section.card[data-type]")
    ]


def send_width(customer: Customer) -> float:
    box = customer.page.locator("#send-address-proof").bounding_box()
    assert box is not None
    return float(box["width"])
