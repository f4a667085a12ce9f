"""The back office in a real headless Chromium (Debian's) against a running openkyc with its
worker and the real analyser: sign in, the queue, take the next document, compare, reject with
a message the customer's page then shows, a second reviewer passed by the held document, the
dashboard and a settings preview. axe-core checks every page; screenshots of each land in
.artifacts/screenshots/."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from openkyc.db.session import Database
from openkyc.users import service as users
from openkyc.users.enums import Role
from openkyc.users.schemas import UserIn
from tests.analysis import documents as drawn
from tests.fixtures import kyc, watchlists, webhooks
from tests.fixtures.people import PASSWORD, stored_person
from tests.fixtures.tools import in_ci, require
from tests.gatherer.browser import CHROMIUM, SCREENSHOTS, launch
from tests.gatherer.live import Merchant, gatherer_link, running_openkyc

pytestmark = [pytest.mark.slow, pytest.mark.browser]
AXE = (
    Path(__file__).resolve().parents[2]
    / "tools"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM, "the back office's walks run in Debian's Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = f"axe-core is missing at {AXE}: run `make test-browser` (npm ci in tools/axe)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def accessibility_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.1 A and AA on the page as shown."""
    page.evaluate(axe_source + "\n;undefined")
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


class Desk:
    """A person at the back office in their own browser context."""

    def __init__(self, page: Page, name: str, axe_source: str) -> None:
        self.page, self.name, self.axe = page, name, axe_source
        self.checked: dict[str, list[dict[str, Any]]] = {}

    def shot(self, step: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"backoffice-{step}.png"), full_page=True)
        self.checked[step] = accessibility_violations(self.page, self.axe)

    def sign_in(self, url: str, email: str) -> None:
        self.page.goto(f"{url}/backoffice")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("#waiting-count")


def _upload(merchant: Merchant, picture: bytes, tags: list[str]) -> str:
    body = {"file": base64.b64encode(picture).decode(), "name": "scan.jpg", "tags": tags}
    response = merchant.api.post("/files", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _document(merchant: Merchant, body: dict[str, Any]) -> str:
    response = merchant.api.post("/kyc-documents", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _analysed(merchant: Merchant, document_id: str) -> dict[str, Any]:
    return kyc.decided(merchant.api, document_id, seconds=240)


def _people(database: Database, url: str, organization_id: str) -> dict[str, str]:
    """An admin and two reviewers of the merchant's organization; returns their emails."""
    made = {"admin": "ada@example.com", "rita": "rita@example.com", "bob": "bob@example.com"}
    names = {"admin": ("Ada", "Admin"), "rita": ("Rita", "Levi"), "bob": ("Bob", "Marley")}
    with database.write_sessionmaker() as session:
        for who, email in made.items():
            first, last = names[who]
            role = Role.ADMIN if who == "admin" else Role.REVIEWER
            data = UserIn(email=email, firstName=first, lastName=last, role=role, password=PASSWORD)
            users.create(session, organization_id, data)
        session.commit()
    return made


@pytest.fixture
def running(engines: dict[str, Engine], tmp_path: Path) -> Iterator[tuple[str, Database]]:
    with running_openkyc(engines["sqlite"], tmp_path) as url:
        yield url, Database.from_engine(engines["sqlite"])


def test_a_reviewer_takes_compares_and_rejects_and_the_customer_reads_why(
    browser: Browser, axe_source: str, running: tuple[str, Database]
) -> None:
    url, database = running
    merchant = Merchant(url, database)
    people = _people(database, url, merchant.tenant.organization_id)
    # Nothing is perfect enough to pass alone, nothing bad enough to fail alone: people decide.
    settings = {"identityProof": {"thresholds": {"rejectBelow": 0, "acceptAbove": 100}}}
    assert merchant.api.put("/kyc-settings", json=settings).status_code == 200
    customer = merchant.customer()
    request = merchant.kyc_request(customer, [{"type": "identity-proof", "maxAttempts": 3}])
    someone_else = drawn.Holder().but(surname="HOPPER", given_names="GRACE", portrait="hopper")
    front = _upload(merchant, drawn.encode(drawn.passport(someone_else)), ["kyc", "id-front"])
    passport = _document(
        merchant,
        {
            "customerId": customer,
            "documentType": "identity-proof",
            "fileIds": [front],
            "requestId": request["id"],
        },
    )
    assert _analysed(merchant, passport)["status"] == "pending"
    other_customer = merchant.customer(firstName="Sally", lastName="Ride")
    statement = _upload(merchant, drawn.encode(drawn.passport(drawn.Holder())), ["kyc"])
    funds = _document(
        merchant,
        {"customerId": other_customer, "documentType": "funds-proof", "fileIds": [statement]},
    )
    desktop: dict[str, Any] = {"viewport": {"width": 1360, "height": 900}, "locale": "en-GB"}
    rita_context = browser.new_context(**desktop)
    bob_context = browser.new_context(**desktop)
    admin_context = browser.new_context(**desktop)
    try:
        rita = Desk(rita_context.new_page(), "rita", axe_source)
        rita.page.goto(f"{url}/backoffice")
        rita.page.wait_for_selector("#email")
        rita.shot("signin")
        rita.sign_in(url, people["rita"])
        assert rita.page.inner_text("#waiting-count") == "2"
        rita.shot("queue")
        rita.page.keyboard.press("n")  # take the next one
        rita.page.wait_for_url(f"**/backoffice/documents/{passport}")
        rita.page.wait_for_selector("#checks")
        assert "differs" in rita.page.inner_text("#compared")
        rita.page.click("[data-zoom=in]")
        rita.page.click("[data-contrast]")
        assert rita.page.get_attribute("[data-contrast]", "aria-pressed") == "true"
        rita.shot("document")

        bob = Desk(bob_context.new_page(), "bob", axe_source)
        bob.sign_in(url, people["bob"])
        bob.page.click("#take-next")
        bob.page.wait_for_url(f"**/backoffice/documents/{funds}")
        bob.page.goto(f"{url}/backoffice/documents/{passport}")
        assert "Rita Levi" in bob.page.inner_text("#hold")
        bob.page.keyboard.press("a")  # accept
        assert "Rita Levi is reviewing" in bob.page.inner_text("#problem")
        bob.shot("held-by-another")

        rita.page.keyboard.press("r")  # to the rejection reason
        assert rita.page.evaluate("document.activeElement.id") == "reason"
        rita.page.select_option("#reason", "name-mismatch")
        rita.page.fill("#message", "The passport is not in your name: please send your own.")
        rita.page.click("#reject")
        rita.page.wait_for_selector("#rejection")
        assert rita.page.inner_text("#status") == "rejected"
        rita.shot("rejected")

        customer_page = bob_context.new_page()
        customer_page.goto(gatherer_link(request))
        note = customer_page.wait_for_selector(".reason-note")
        assert note is not None
        assert "The passport is not in your name: please send your own." in note.inner_text()

        admin = Desk(admin_context.new_page(), "admin", axe_source)
        admin.sign_in(url, people["admin"])
        admin.page.goto(f"{url}/backoffice/dashboard")
        assert admin.page.inner_text("#decided-manually") == "1"
        assert admin.page.inner_text("#queue-size") == "1"
        admin.shot("dashboard")
        admin.page.goto(f"{url}/backoffice/settings/kyc")
        admin.page.fill("#identityProof-t-rejectBelow", "90")
        admin.page.click("#preview-button")
        admin.page.wait_for_selector("#preview")
        assert admin.page.inner_text("#examined") == "1"
        # The names seen to differ cost 60 points: below the new rejectBelow of 90.
        assert admin.page.inner_text("#would-change") == "1"
        admin.shot("settings-preview")
        stored = merchant.api.get("/kyc-settings").json()
        assert stored["identityProof"]["thresholds"]["rejectBelow"] == 0
        admin.page.goto(f"{url}/backoffice/customers/{customer}")
        admin.page.fill("#comment", "Asked the customer for their own passport by phone.")
        admin.page.click("#comment-button")
        admin.page.wait_for_selector("text=Asked the customer for their own passport by phone.")
        admin.shot("customer")
        admin.page.goto(f"{url}/backoffice/requests")
        admin.shot("requests")
    finally:
        for context in (rita_context, bob_context, admin_context):
            context.close()
    violations = {
        f"{desk.name}/{step}": found
        for desk in (rita, bob, admin)
        for step, found in desk.checked.items()
        if found
    }
    assert violations == {}
    document = merchant.api.get(f"/kyc-documents/{passport}").json()
    assert document["rejectionReason"] == {
        "type": "name-mismatch",
        "message": "The passport is not in your name: please send your own.",
    }
    assert document["reviewerName"] == "Rita Levi"


def test_a_reviewer_clears_an_aml_hit_a_viewer_only_looks_and_an_admin_sets_up_integrations(
    browser: Browser, axe_source: str, running: tuple[str, Database], tmp_path: Path
) -> None:
    url, database = running
    merchant = Merchant(url, database)
    organization = merchant.tenant.organization_id
    people = _people(database, url, organization)
    _, viewer = stored_person(database, organization, "Vic", "Viewer", Role.VIEWER)
    check = watchlists.waiting_check(database, merchant.api, tmp_path, city="Moscow")
    credential = webhooks.credential(merchant.api, host="merchant.example")
    desktop: dict[str, Any] = {"viewport": {"width": 1360, "height": 900}, "locale": "en-GB"}
    contexts = [browser.new_context(**desktop) for _ in range(4)]
    try:
        rita = Desk(contexts[0].new_page(), "rita", axe_source)
        rita.sign_in(url, people["rita"])
        rita.page.click("nav >> text=AML checks")
        rita.page.wait_for_selector("#aml-checks")
        assert rita.page.inner_text("#aml-count") == "1"
        rita.shot("aml-checks")
        rita.page.click(f"text={check['id']}")
        rita.page.wait_for_selector("#hit-1")
        rita.page.click("#start-review")
        rita.page.wait_for_selector("#hold")
        assert "same" in rita.page.inner_text("#hit-1 tr[data-state=same]")
        assert rita.page.locator("#hit-1 [data-reason=confidence_exact_dob]").count() == 1
        rita.shot("aml-check")

        bob = Desk(contexts[1].new_page(), "bob", axe_source)
        bob.sign_in(url, people["bob"])
        bob.page.goto(f"{url}/backoffice/aml-checks/{check['id']}")
        bob.page.click("#decide-confirmed-match")
        assert "Rita Levi is reviewing" in bob.page.inner_text("#problem")

        rita.page.click("#decide-false-positive")
        rita.page.wait_for_selector("#decisions")
        assert rita.page.inner_text("#status") == "false-positive"
        assert "Rita Levi started reviewing" in rita.page.inner_text("#check-timeline")
        assert "false-positive" in rita.page.inner_text("#decisions")

        vic = Desk(contexts[2].new_page(), "vic", axe_source)
        vic.sign_in(url, viewer.email)
        vic.page.goto(f"{url}/backoffice/aml-checks/{check['id']}")
        vic.page.wait_for_selector("#read-only")
        assert vic.page.locator("#decide-false-positive").count() == 0
        vic.shot("aml-check-viewer")

        admin = Desk(contexts[3].new_page(), "admin", axe_source)
        admin.sign_in(url, people["admin"])
        admin.page.goto(f"{url}/backoffice/settings/webhooks")
        admin.page.fill("#hook-url", "https://merchant.example/hooks")
        admin.page.select_option("#hook-credential", credential)
        admin.page.check("input[value=aml-list-possibly-matched]")
        admin.page.check("input[value=kyc-document-rejected]")
        admin.page.click("#webhook-save")
        admin.page.wait_for_selector("#signing-secret")
        admin.shot("settings-webhooks")
        admin.page.goto(f"{url}/backoffice/settings/api-keys")
        admin.page.fill("#key-description", "Reporting")
        admin.page.select_option("#key-operations", ["GetCustomerCollection", "GetAmlCheck"])
        admin.page.fill("#key-addresses", "81.2.69.0/24")
        admin.page.click("#key-make")
        admin.page.wait_for_selector("#secret")
        admin.shot("settings-keys")
    finally:
        for context in contexts:
            context.close()
    violations = {
        f"{desk.name}/{step}": found
        for desk in (rita, bob, vic, admin)
        for step, found in desk.checked.items()
        if found
    }
    assert violations == {}
    found = merchant.api.get(f"/aml-checks/{check['id']}").json()
    assert (found["status"], found["reviewerName"]) == ("false-positive", "Rita Levi")
    [hook] = merchant.api.get("/webhooks").json()
    assert hook["eventsFilter"] == ["kyc-document-rejected", "aml-list-possibly-matched"]
    [key] = [k for k in merchant.api.get("/api-keys").json() if k["description"] == "Reporting"]
    assert key["acl"][0]["permissions"] == ["GetAmlCheck", "GetCustomerCollection"]
    assert key["allowedIps"] == ["81.2.69.0/24"]
