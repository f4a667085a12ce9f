"""Live capture, the hand-off to a phone and coming back after a reload, in a real headless
Chromium against a running openkyc with its real analyser. The camera is Chromium's own fake
capture device filming a video file the test makes (a passport on a desk, sharp or
blurred): the page sees a real camera stream, and its own checks decide when to take the
photo."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.analysis import documents as drawn
from tests.fixtures.tools import require
from tests.fixtures.waiting import until
from tests.gatherer.browser import CHROMIUM, Customer, customer_at, launch, y4m
from tests.gatherer.live import SHOP, Merchant, collins_bill, gatherer_link

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PASSPORT = {"type": "identity-proof", "subtypes": ["passport"]}


@contextmanager
def filming(video: Path) -> Iterator[Browser]:
    """A Chromium whose camera films ``video``."""
    require(CHROMIUM, "the gatherer's walks run in Debian's Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = launch(playwright, camera=video)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def camera_open(
    live: Merchant, folder: Path, name: str, *, blur: float = 0, fill: float = 0.8
) -> Iterator[tuple[Customer, str]]:
    """A phone filming a passport (``blur``, ``fill``: see ``y4m``), its camera opened on a
    passport request's front; yields the customer and the request's id."""
    request = live.kyc_request(live.customer(), [PASSPORT], redirectUrl=SHOP)
    video = y4m(drawn.passport(drawn.Holder()), folder / f"{name}.y4m", blur=blur, fill=fill)
    with (
        filming(video) as browser,
        customer_at(browser, "phone", name, drawn_camera=False) as customer,
    ):
        customer.open(gatherer_link(request))
        customer.page.click("#capture-open-identity-proof-id-front")
        yield customer, request["id"]


def not_taken_after_twelve_looks(customer: Customer) -> None:
    """Twelve looks at the camera: none is good enough to take."""
    page, status = customer.page, "#capture-status-identity-proof"
    until(lambda: int(page.get_attribute(status, "data-looks") or 0) >= 12, 30, "12 looks")
    assert page.query_selector("[data-capture='review']") is None


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_camera_takes_the_passport_by_itself_and_the_photo_is_accepted(
    live: Merchant, tmp_path: Path
) -> None:
    live.ui_version("2")
    request = live.kyc_request(live.customer(), [PASSPORT], redirectUrl=SHOP)
    video = y4m(drawn.passport(drawn.Holder()), tmp_path / "passport.y4m")
    with (
        filming(video) as browser,
        customer_at(browser, "phone", "camera-passport", drawn_camera=False) as customer,
    ):
        customer.open(gatherer_link(request))
        page = customer.page
        page.click("#capture-open-identity-proof-id-front")
        page.wait_for_selector("#capture-status-identity-proof[data-sharpness]")
        page.locator(".capture").scroll_into_view_if_needed()
        customer.shot("camera-frame", full_page=False)
        # Nobody presses anything: the page takes the photo once light and focus hold.
        page.wait_for_selector("[data-capture='review']", timeout=30_000)
        assert page.query_selector("#capture-photo-identity-proof") is not None
        page.locator(".capture").scroll_into_view_if_needed()
        customer.shot("camera-review", full_page=False)
        page.click("#capture-use-identity-proof")
        page.wait_for_selector(".slot.filled[data-slot='id-front']")
        result = customer.send("identity-proof")
        assert "ok" in result["class"], result
    [document] = live.documents(request["id"])
    assert document["status"] == "accepted"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_blurred_camera_is_not_taken_by_itself_and_its_photo_gets_the_blur_hint(
    live: Merchant, tmp_path: Path
) -> None:
    with camera_open(live, tmp_path, "camera-blurred", blur=3) as (customer, request_id):
        page = customer.page
        page.wait_for_selector("#capture-status-identity-proof[data-status='blur']")
        not_taken_after_twelve_looks(customer)
        page.locator(".capture").scroll_into_view_if_needed()
        customer.shot("camera-not-sharp", full_page=False)
        page.click("#capture-take-identity-proof")  # the customer insists
        page.click("#capture-use-identity-proof")
        page.click("#send-identity-proof")
        page.wait_for_selector("#retake-identity-proof [data-hint='blur']", timeout=60_000)
    assert live.documents(request_id) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_document_running_off_the_picture_is_not_taken_and_the_page_says_move_back(
    live: Merchant, tmp_path: Path
) -> None:
    with camera_open(live, tmp_path, "camera-too-close", fill=1.3) as (customer, _):
        page, status = customer.page, "#capture-status-identity-proof"
        line = page.wait_for_selector(f"{status}[data-status='corners']")
        assert line is not None
        assert line.inner_text() == (
            "Move the phone back: all four corners of the document inside the picture."
        )
        # Sharp and well lit, but cut by the picture's sides: never taken by itself.
        not_taken_after_twelve_looks(customer)
        assert page.get_attribute(status, "data-status") == "corners"
        assert (page.get_attribute(status, "data-cut") or "").split()  # the sides it runs into
        page.locator(".capture").scroll_into_view_if_needed()
        customer.shot("camera-too-close", full_page=False)


def _decoded(png: bytes) -> str:
    """What a phone's camera reads from the QR code on the screen (zxing-cpp's reader, the
    one the analyser uses for barcodes)."""
    import zxingcpp

    picture = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert picture is not None
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(picture, formats=formats)
    return found[0].text if found else ""


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_desktop_hands_off_to_the_phone_and_finishes_with_it(
    live: Merchant, browser: Browser, tmp_path: Path
) -> None:
    request = live.kyc_request(live.customer(), [PASSPORT], redirectUrl=SHOP)
    passport = tmp_path / "passport.jpg"
    passport.write_bytes(drawn.encode(drawn.photographed(drawn.passport(drawn.Holder()))))
    with customer_at(browser, "desktop", "handoff-desktop") as desktop:
        desktop.open(gatherer_link(request))
        code = desktop.page.wait_for_selector("#handoff-qr")
        assert code is not None
        desktop.page.wait_for_function("() => document.getElementById('handoff-qr').complete")
        # The code holds the short link, also shown beside it to type on the phone.
        short = _decoded(code.screenshot())
        assert re.fullmatch(r"http://[\d.:]+/g/[2-9a-z]{10}", short), short
        assert desktop.page.get_attribute("#handoff-short", "href") == short
        assert desktop.page.inner_text("#handoff-short") == short.removeprefix("http://")
        desktop.shot("handoff")
        with customer_at(browser, "phone", "handoff-phone") as phone:
            phone.open(short)  # as the phone's camera app would
            assert phone.page.url == gatherer_link(request)
            assert phone.page.query_selector("#handoff-qr") is None  # already on a phone
            accepted = phone.send_after_attach("identity-proof", passport)
            assert "ok" in accepted["class"], accepted
        # The desktop page saw it happen and ends with the phone.
        desktop.page.wait_for_selector("#result-identity-proof.ok", timeout=20_000)
        desktop.page.wait_for_selector("section.done[data-state='success']")
        desktop.shot("handoff-finished")
    assert live.status(request["id"]) == "fulfilled"


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_reload_comes_back_to_the_face_check_passed_and_the_current_step(
    live: Merchant, browser: Browser, tmp_path: Path
) -> None:
    live.ui_version("2")
    identity = {**PASSPORT, "faceLivenessRequired": True}
    bill = collins_bill(tmp_path)
    passport = tmp_path / "passport.jpg"
    passport.write_bytes(drawn.encode(drawn.passport(drawn.Holder())))
    request = live.kyc_request(
        live.customer(), [identity, {"type": "address-proof"}], redirectUrl=SHOP
    )
    with customer_at(browser, "phone", "reload-phone") as customer:
        customer.open(gatherer_link(request))
        page = customer.page
        assert page.query_selector("#liveness-identity-proof") is None  # consent first
        customer.consent()
        page.click("#liveness-identity-proof")
        page.wait_for_selector(".camera .oval")
        counter = page.wait_for_selector("#step-counter-identity-proof:has-text('Step')")
        assert counter is not None
        assert re.fullmatch(r"Step [1-5] of [3-5]", counter.inner_text())
        page.locator(".liveness").scroll_into_view_if_needed()
        customer.shot("face-check-guide", full_page=False)
        page.wait_for_selector("#liveness-passed-identity-proof", timeout=90_000)
        page.reload()  # as a phone browser does after the camera app
        page.wait_for_selector("#liveness-passed-identity-proof")
        customer.attach("identity-proof", "id-front", passport)
        assert "ok" in customer.send("identity-proof")["class"]
        page.reload()
        page.wait_for_selector(".card")
        current = page.query_selector("[aria-current='step']")
        assert current is not None and "Proof of address" in current.inner_text()
        assert page.query_selector("#result-identity-proof.ok") is not None
        customer.shot("reloaded-at-address")
        assert "ok" in customer.send_after_attach("address-proof", bill)["class"]
    assert live.status(request["id"]) == "fulfilled"
