"""axe-core (WCAG 2.1 A and AA, and its best practices) on the gatherer's pages as a customer
sees them: the start on a phone and on a computer (with the offer to continue on the phone),
a retake asked for by the quality gate, and the consent step on a page in the merchant's
brand (logo, colour)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.analysis import documents as drawn
from tests.backoffice.test_browser import AXE, accessibility_violations
from tests.fixtures.tools import in_ci
from tests.gatherer.browser import customer_at
from tests.gatherer.live import SHOP, Merchant, gatherer_link
from tests.gatherer.test_brand import BRAND

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def axe() -> Iterator[str]:
    if not AXE.exists():
        message = f"axe-core is missing at {AXE}: run `make test-browser` (npm ci in tools/axe)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_gatherer_pages_have_no_accessibility_violations(
    live: Merchant, browser: Browser, axe: str, tmp_path: Path
) -> None:
    documents: list[dict[str, Any]] = [
        {"type": "identity-proof", "subtypes": ["passport"], "maxAttempts": 1},
        {"type": "address-proof"},
    ]
    request = live.kyc_request(live.customer(), documents, redirectUrl=SHOP)
    blurred = tmp_path / "blurred.jpg"
    blurred.write_bytes(
        drawn.encode(drawn.blurred(drawn.photographed(drawn.passport(drawn.Holder())), 4))
    )
    found: dict[str, list[dict[str, object]]] = {}
    with customer_at(browser, "desktop", "axe-desktop") as desktop:
        desktop.open(gatherer_link(request))
        desktop.page.wait_for_selector("#handoff-qr")
        found["desktop start"] = accessibility_violations(desktop.page, axe)
    with customer_at(browser, "phone", "axe-phone") as phone:
        phone.open(gatherer_link(request), language="fr")
        found["phone start"] = accessibility_violations(phone.page, axe)
        phone.attach("identity-proof", "id-front", blurred)
        phone.page.click("#send-identity-proof")
        phone.page.wait_for_selector("#retake-identity-proof", timeout=60_000)
        found["phone retake"] = accessibility_violations(phone.page, axe)
    # The merchant's brand (its logo and colour) and the consent step before a selfie.
    assert live.api.put("/kyc-settings", json={"gatherer": BRAND}).status_code == 200
    selfie = {"type": "identity-proof", "faceProofRequired": True}
    branded = live.kyc_request(live.customer(), [selfie], redirectUrl=SHOP)
    with customer_at(browser, "phone", "axe-brand") as phone:
        phone.open(gatherer_link(branded))
        found["phone consent"] = accessibility_violations(phone.page, axe)
        phone.consent()
        phone.page.wait_for_selector("#file-identity-proof-face-proof", state="attached")
        found["phone consent given"] = accessibility_violations(phone.page, axe)
    assert found == {
        "desktop start": [],
        "phone start": [],
        "phone retake": [],
        "phone consent": [],
        "phone consent given": [],
    }
