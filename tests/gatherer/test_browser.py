"""The customer's walk through the gatherer in a real headless Chromium, at a phone and a
desktop viewport, against a running openkyc with its real worker and analyser, using
documents the tests draw. Each test runs on one database backend, and the walks between
them cover both. Screenshots of every step land in .artifacts/screenshots/."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser

from tests.analysis import documents as drawn
from tests.gatherer.browser import customer_at
from tests.gatherer.live import SHOP, Merchant, gatherer_link

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """What the customers upload, drawn once: an ID card, passports, a selfie, a bill."""
    folder = tmp_path_factory.mktemp("pictures")
    card_front, card_back = drawn.id_card(drawn.Holder())
    expired = drawn.Holder().but(
        issue_date=date(2012, 3, 2), expiry_date=date.today() - timedelta(days=40)
    )
    someone_else = drawn.Holder().but(surname="HOPPER", given_names="GRACE", portrait="hopper")
    bill = drawn.bill_lines(
        "Eileen Collins",
        ["12 Harbour Street", "London", "SE1 7PB"],
        date.today() - timedelta(days=12),
    )
    made = {
        "card-front.jpg": drawn.encode(card_front),
        "card-back.jpg": drawn.encode(card_back),
        "passport.jpg": drawn.encode(drawn.passport(drawn.Holder())),
        "expired-passport.png": drawn.encode(drawn.passport(expired), "PNG"),
        "hopper-passport.jpg": drawn.encode(drawn.passport(someone_else)),
        "selfie.jpg": drawn.encode(drawn.selfie("collins")),
        "bill.pdf": drawn.pdf_with_text(bill),
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    return {name.split(".")[0]: folder / name for name in made}


def _info(url: str) -> str:
    assert url.startswith("https://shop.example/kyc-done"), url
    query = parse_qs(urlsplit(url).query)
    assert query["order"] == ["42"]
    return query["info"][0]


IDENTITY_WITH_SELFIE = {"type": "identity-proof", "faceProofRequired": True}


@pytest.mark.parametrize(
    ("viewport", "ui", "backend"),
    [("phone", "2", "postgresql"), ("desktop", "1", "sqlite")],
    indirect=["backend"],
)
def test_a_customer_provides_every_document_and_the_request_is_fulfilled(
    live: Merchant, browser: Browser, pictures: dict[str, Path], viewport: str, ui: str
) -> None:
    live.ui_version(ui)
    liveness = viewport == "phone"  # the phone walk records the face check with the camera
    identity = {**IDENTITY_WITH_SELFIE, "faceLivenessRequired": liveness}
    request = live.kyc_request(
        live.customer(),
        [identity, {"type": "address-proof", "subtypes": ["utility-bill", "bank-statement"]}],
        redirectUrl=SHOP,
    )
    with customer_at(browser, viewport, f"fulfil-{viewport}") as customer:
        customer.open(gatherer_link(request))
        customer.shot("start")
        customer.choose("identity-proof", "id-card")
        customer.attach("identity-proof", "id-front", pictures["card-front"])
        customer.attach("identity-proof", "id-back", pictures["card-back"])
        if liveness:
            customer.face_check()
        else:
            customer.attach("identity-proof", "face-proof", pictures["selfie"])
        customer.shot("identity-ready")
        identity_result = customer.send("identity-proof")
        assert "ok" in identity_result["class"], identity_result
        customer.shot("identity-accepted")
        customer.attach("address-proof", "document", pictures["bill"])
        address_result = customer.send("address-proof")
        assert "ok" in address_result["class"], address_result
        assert live.status(request["id"]) == "fulfilled"
        assert _info(customer.finish()) == "success"
        if viewport == "desktop":
            # The link of a finished request: a clear page, and back with token_expired.
            assert customer.reopen(gatherer_link(request)) == 410
            assert "already been verified" in customer.page.inner_text("main")
            customer.shot("link-closed")
            assert _info(customer.leave_closed_page()) == "token_expired"
    kept = live.documents(request["id"])
    assert [(d["documentType"], d["status"]) for d in kept] == [
        ("identity-proof", "accepted"),
        ("address-proof", "accepted"),
    ]
    assert kept[0]["documentMatches"]["data"]["hasCompletedFaceLiveness"] is liveness


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_rejected_document_says_what_to_fix_and_the_retry_succeeds(
    live: Merchant, browser: Browser, pictures: dict[str, Path]
) -> None:
    request = live.kyc_request(
        live.customer(), [{"type": "identity-proof", "subtypes": ["passport"]}], redirectUrl=SHOP
    )
    with customer_at(browser, "desktop", "retry-desktop") as customer:
        tampered = gatherer_link(request)[:-6] + "AAAAAA"
        assert customer.reopen(tampered) == 403
        assert customer.page.inner_text("main").startswith("This link is not valid")
        assert request["id"] not in customer.page.content()
        customer.shot("link-tampered")
        customer.open(gatherer_link(request))
        customer.attach("identity-proof", "id-front", pictures["expired-passport"])
        rejected = customer.send("identity-proof")
        assert "bad" in rejected["class"]
        assert rejected["reason"] == "document-expired"
        assert "expired" in rejected["hints"]
        assert "You can try 2 more times." in rejected["text"]
        customer.shot("rejected-with-hint")
        customer.attach("identity-proof", "id-front", pictures["passport"])
        accepted = customer.send("identity-proof")
        assert "ok" in accepted["class"], accepted
        assert _info(customer.finish()) == "success"
    assert [d["status"] for d in live.documents(request["id"])] == ["rejected", "accepted"]
    assert live.status(request["id"]) == "fulfilled"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_customer_who_uses_up_the_attempts_sees_the_request_fail(
    live: Merchant, browser: Browser, pictures: dict[str, Path]
) -> None:
    live.ui_version("2")
    request = live.kyc_request(
        live.customer(),
        [{"type": "identity-proof", "subtypes": ["passport"], "maxAttempts": 2}],
        redirectUrl=SHOP,
    )
    with customer_at(browser, "phone", "attempts-phone") as customer:
        customer.open(gatherer_link(request), language="fr")
        first = customer.send_after_attach("identity-proof", pictures["hopper-passport"])
        assert first["reason"] in ("name-mismatch", "name-and-dob-mismatch")
        assert "name-mismatch" in first["hints"]
        assert "Vous pouvez essayer encore une fois." in first["text"]
        customer.shot("rejected-once")
        last = customer.send_after_attach("identity-proof", pictures["hopper-passport"])
        assert "plus d\u2019essai" in last["text"]
        assert live.status(request["id"]) == "failed"
        assert _info(customer.finish()) == "manual"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_page_works_from_the_keyboard_and_labels_every_control(
    live: Merchant, browser: Browser
) -> None:
    request = live.kyc_request(
        live.customer(), [IDENTITY_WITH_SELFIE, {"type": "address-proof"}], redirectUrl=SHOP
    )
    with customer_at(browser, "desktop", "keyboard-desktop") as customer:
        customer.open(gatherer_link(request))
        page = customer.page
        page.check("#subtype-identity-proof-id-card")
        assert page.query_selector("#file-identity-proof-face-proof") is None  # not yet agreed
        page.check("#consent-identity-proof")
        # Recorded on the server, the page shows the selfie's picker and focuses the agreement.
        page.wait_for_selector("#file-identity-proof-face-proof")
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, button')]
                .filter((c) => c.type !== 'hidden')
                .filter((c) => !(c.labels && c.labels.length) && !c.textContent.trim())
                .map((c) => c.id)"""
        )
        assert unlabelled == []
        order = []
        page.focus("#language")
        for _ in range(12):
            page.keyboard.press("Tab")
            order.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
        # Top to bottom: back link, the subtype group (one stop), the two sides, the consent
        # to pictures of the face, the selfie, send.
        assert order[:7] == [
            "back",
            "subtype-identity-proof-id-card",
            "file-identity-proof-id-front",
            "file-identity-proof-id-back",
            "consent-identity-proof",
            "file-identity-proof-face-proof",
            "send-identity-proof",
        ], order
        page.focus("#send-identity-proof")
        page.keyboard.press("Shift+Tab")  # back to the selfie's picker
        assert page.evaluate("document.activeElement.id") == "file-identity-proof-face-proof"
        ring = page.evaluate(
            "getComputedStyle(document.querySelector('label[for=file-identity-proof-face-proof]'))"
            ".outlineStyle"
        )
        assert ring == "solid"  # the drop zone shows the focus of its hidden input
        customer.shot("keyboard-focus", full_page=False)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_reviewers_rejection_reaches_the_customer_who_tries_again(
    live: Merchant, browser: Browser, pictures: dict[str, Path]
) -> None:
    documents = [{"type": "identity-proof"}, {"type": "address-proof"}]
    request = live.kyc_request(live.customer(), documents, redirectUrl=SHOP)
    note = "The photo page is cut off: show all four corners <b>please</b>."
    with customer_at(browser, "phone", "reviewer-note") as customer:
        customer.open(gatherer_link(request))
        customer.attach("identity-proof", "id-front", pictures["passport"])
        assert "ok" in customer.send("identity-proof")["class"]
        [sent] = live.documents(request["id"])
        rejection = {"type": "document-unreadable", "message": note}
        rejected = live.api.post(f"/kyc-documents/{sent['id']}/rejection", json=rejection)
        assert rejected.status_code == 201, rejected.text
        customer.open(gatherer_link(request))
        result = customer.page.wait_for_selector("#result-identity-proof")
        assert result is not None
        text = result.inner_text()
        assert note in text and "Our note:" in text  # shown as text, not as markup
        assert customer.page.query_selector("#result-identity-proof b") is None
        assert "You can try 2 more times." in text
        customer.shot("reviewer-note")
        customer.attach("identity-proof", "id-front", pictures["passport"])
        assert "ok" in customer.send("identity-proof")["class"]
    assert [d["status"] for d in live.documents(request["id"])] == ["rejected", "accepted"]
