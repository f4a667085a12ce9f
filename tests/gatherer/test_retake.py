"""The customer's side of the quality gate in a real headless Chromium, against a running
openkyc with its real analyser: a bad photo is refused within the page with the hint that
fixes it (in the page's language) and no attempt used, errors the server sends are shown in
the page's language, and a failed request says so plainly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.analysis import documents as drawn
from tests.gatherer.browser import Customer, customer_at
from tests.gatherer.live import SHOP, Merchant, gatherer_link

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("retake-pictures")
    photo = drawn.photographed(drawn.passport(drawn.Holder()))
    someone_else = drawn.Holder().but(surname="HOPPER", given_names="GRACE", portrait="hopper")
    made = {
        "passport.jpg": drawn.encode(photo),
        "blurred-passport.jpg": drawn.encode(drawn.blurred(photo, 4)),
        "selfie.jpg": drawn.encode(drawn.selfie("collins")),
        "hopper-passport.jpg": drawn.encode(drawn.passport(someone_else)),
        "notes.txt": b"not a picture at all\n" * 20,
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    return {name.split(".")[0]: folder / name for name in made}


PASSPORT = {"type": "identity-proof", "subtypes": ["passport"]}


def _refused(customer: Customer, document_type: str = "identity-proof") -> dict[str, object]:
    """Send and wait for the gate's answer in the page; returns what it says."""
    customer.page.click(f"#send-{document_type}")
    box = customer.page.wait_for_selector(f"#retake-{document_type}", timeout=60_000)
    assert box is not None
    focused = customer.page.evaluate("document.activeElement.id")
    return {
        "text": box.inner_text(),
        "hints": [
            h.get_attribute("data-hint")
            for h in customer.page.query_selector_all(f"#retake-{document_type} [data-hint]")
        ],
        "focused": focused,
    }


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_blurred_passport_gets_a_retake_at_once_and_no_attempt_is_used(
    live: Merchant, browser: Browser, pictures: dict[str, Path]
) -> None:
    live.ui_version("2")
    request = live.kyc_request(live.customer(), [{**PASSPORT, "maxAttempts": 1}], redirectUrl=SHOP)
    with customer_at(browser, "phone", "retake-phone") as customer:
        customer.open(gatherer_link(request))
        customer.attach("identity-proof", "id-front", pictures["blurred-passport"])
        said = _refused(customer)
        assert said["hints"] == ["blur"]
        assert "The photo is blurred" in str(said["text"])
        assert "This did not use an attempt." in str(said["text"])
        assert said["focused"] == "retake-identity-proof"
        customer.shot("blur-retake")
        assert live.documents(request["id"]) == []  # nothing for a reviewer
        # The refused picture is cleared; the retake goes through on the one attempt.
        assert customer.page.query_selector(".slot.filled[data-slot='id-front']") is None
        accepted = customer.send_after_attach("identity-proof", pictures["passport"])
        assert "ok" in accepted["class"], accepted
        assert customer.page.query_selector("#retake-identity-proof") is None
    assert [d["status"] for d in live.documents(request["id"])] == ["accepted"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_selfie_sent_as_a_passport_is_refused_in_spanish(
    live: Merchant, browser: Browser, pictures: dict[str, Path]
) -> None:
    request = live.kyc_request(live.customer(), [PASSPORT], redirectUrl=SHOP)
    with customer_at(browser, "phone", "selfie-as-passport-es") as customer:
        customer.open(gatherer_link(request), language="es")
        customer.attach("identity-proof", "id-front", pictures["selfie"])
        said = _refused(customer)
        assert said["hints"] == ["selfie-as-document"]
        assert "Es la foto de una cara, no del documento" in str(said["text"])
        assert "no ha gastado ningún intento" in str(said["text"])
        customer.shot("selfie-retake")
    assert live.documents(request["id"]) == []
    assert live.status(request["id"]) == "gathering"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_upload_error_is_shown_in_french_not_in_the_servers_english(
    live: Merchant, browser: Browser, pictures: dict[str, Path]
) -> None:
    request = live.kyc_request(live.customer(), [PASSPORT], redirectUrl=SHOP)
    with customer_at(browser, "desktop", "upload-error-fr") as customer:
        customer.open(gatherer_link(request), language="fr")
        customer.attach("identity-proof", "id-front", pictures["notes"])
        customer.page.click("#send-identity-proof")
        error = customer.page.wait_for_selector("#error-identity-proof", timeout=30_000)
        assert error is not None
        assert error.inner_text() == (
            "Ce fichier ou ce choix ne peut pas être utilisé. Vérifiez-le et réessayez."
        )
        assert customer.page.evaluate("document.activeElement.id") == "error-identity-proof"
        customer.shot("upload-error")
    assert live.documents(request["id"]) == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_failed_request_says_so_and_never_all_done(
    live: Merchant, browser: Browser, pictures: dict[str, Path]
) -> None:
    request = live.kyc_request(live.customer(), [{**PASSPORT, "maxAttempts": 1}], redirectUrl=SHOP)
    with customer_at(browser, "desktop", "failed-request") as customer:
        customer.page.clock.install()  # the page's timers, moved on by the test
        customer.open(gatherer_link(request))
        assert customer.page.inner_text("#expires").startswith("This link works until ")
        rejected = customer.send_after_attach("identity-proof", pictures["hopper-passport"])
        assert "bad" in rejected["class"], rejected
        panel = customer.page.wait_for_selector("section.done")
        assert panel is not None
        assert panel.get_attribute("data-state") == "failed"
        assert "failed" in (panel.get_attribute("class") or "")
        heading = customer.page.inner_text("#done-title")
        assert heading == "Verification not completed"
        assert "All done" not in customer.page.inner_text("main")
        assert customer.page.query_selector("#expires") is None  # the request has ended
        customer.shot("failed-request")
        # The way back to the shop waits 8 seconds; the customer may stay (WCAG 2.2.1).
        customer.page.click("#stay")
        customer.page.clock.fast_forward(30_000)
        assert customer.page.url.startswith(gatherer_link(request).split("?")[0])
        assert customer.page.inner_text("#done-help").startswith("You stay on this page")
        # The link of the failed request: it no longer works, and its way back waits too.
        assert customer.reopen(gatherer_link(request)) == 410
        help_text = customer.page.inner_text("#redirect-help")
        assert help_text == "You will be taken back to the website in 10 seconds."
        customer.shot("link-closed-redirect")
        customer.page.click("#stay")
        customer.page.clock.fast_forward(30_000)
        assert customer.page.url == gatherer_link(request)
        assert customer.page.inner_text("#redirect-help").startswith("You stay on this page")
        assert customer.page.query_selector("#stay") is None
        # Left alone, the page goes back to the shop by itself after the 10 seconds.
        assert customer.reopen(gatherer_link(request)) == 410
        with customer.page.expect_request(re.compile(r"^https://shop\.example/")) as went:
            customer.page.clock.fast_forward(11_000)
        assert "info=token_expired" in went.value.url
    assert live.status(request["id"]) == "failed"
