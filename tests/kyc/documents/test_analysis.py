"""Documents analysed as they are created, by the real worker and the real analyser, on
documents the tests draw: decisions, reasons, hints, duplicates, events and request status.

These run with committed transactions (the worker has its own), on both databases."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openkyc.clock import FrozenClock
from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.metrics import REGISTRY
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.analysis import documents as drawn
from tests.fixtures import kyc, webhooks
from tests.fixtures.tenants import Tenant, make_tenant
from tests.fixtures.waiting import until
from tests.fixtures.webhooks import LISTENER

COLLINS = {
    "first": "Eileen",
    "last": "Collins",
    "dob": "1986-11-19",
    "country": "GB",
    "line1": "12 Harbour Street",
    "city": "London",
    "postalCode": "SE1 7PB",
    "email": None,
}


class Merchant:
    """A tenant of a running openkyc (worker included), with a few helpers."""

    def __init__(self, client: TestClient, database: Database, tenant: Tenant) -> None:
        self.api, self.database, self.tenant = client, database, tenant

    def upload(self, data: bytes, tags: list[str], name: str = "scan.jpg") -> str:
        body = {"file": base64.b64encode(data).decode(), "name": name, "tags": tags}
        response = self.api.post("/files", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def customer(self, **person: Any) -> str:
        return kyc.customer(self.api, **{**COLLINS, **person})

    def document(
        self, customer_id: str, document_type: str, files: list[str], **extra: Any
    ) -> dict[str, Any]:
        body = {"customerId": customer_id, "documentType": document_type, "fileIds": files, **extra}
        response = self.api.post("/kyc-documents", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def decided(self, document_id: str, seconds: float = 60) -> dict[str, Any]:
        return kyc.decided(self.api, document_id, seconds)

    def passport(
        self,
        customer_id: str,
        holder: drawn.Holder = drawn.Holder(),
        selfie: str | None = "collins",
        **extra: Any,
    ) -> dict[str, Any]:
        files = [self.upload(drawn.encode(drawn.passport(holder)), ["kyc", "id-front"])]
        if selfie:
            files.append(self.upload(drawn.encode(drawn.selfie(selfie)), ["kyc", "face-proof"]))
        return self.document(customer_id, "identity-proof", files, **extra)


@pytest.fixture
def merchant_factory(
    engines: dict[str, Engine], backend: str, tmp_path: Path
) -> Iterator[Callable[..., Merchant]]:
    clients: list[TestClient] = []
    database = Database.from_engine(engines[backend])

    def start(**settings: Any) -> Merchant:
        configured = Settings(
            allowed_hosts=("openkyc.test", "testserver"),
            data_dir=tmp_path / "data",
            secret_key="test-secret-" + "x" * 32,
            expiry_interval_seconds=0,
            **{"analysis_processes": 0, **settings},
        )
        tenant = make_tenant(database, f"Analysed {uuid.uuid4().hex[:6]}")
        app = create_app(configured, database, LocalStorage(tmp_path / "files"))
        client = TestClient(app, base_url="http://openkyc.test", headers=tenant.headers)
        client.__enter__()
        clients.append(client)
        return Merchant(client, database, tenant)

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def merchant(merchant_factory: Callable[..., Merchant]) -> Merchant:
    return merchant_factory()


def _if_matched(document: dict[str, Any]) -> dict[str, Any] | None:
    return document if document["documentMatches"] is not None else None


def _accepted_analyses() -> float:
    labels = {"document_type": "identity-proof", "outcome": "accepted"}
    count = REGISTRY.get_sample_value("openkyc_analysis_duration_seconds_count", labels)
    return count or 0.0


def test_a_genuine_passport_with_a_matching_selfie_is_accepted(merchant: Merchant) -> None:
    webhooks.subscribe(merchant.api, LISTENER)  # events are kept for a listener
    customer_id = merchant.customer()
    request = kyc.kyc_request(merchant.api, customer_id, "identity-proof")
    analysed_before = _accepted_analyses()
    created = merchant.passport(customer_id, requestId=request["id"])
    assert created["status"] == "in-progress"
    document = merchant.decided(created["id"])
    assert document["status"] == "accepted", document["documentMatches"]
    # What an operator sees: one more accepted identity document in the analysis histogram.
    assert _accepted_analyses() == analysed_before + 1
    matches = document["documentMatches"]
    assert matches["version"] == "2.0" and matches["score"] >= 90
    data = matches["data"]
    assert (data["firstName"], data["lastName"], data["documentNumber"]) == (
        "Eileen",
        "Collins",
        "X4821937",
    )
    assert data["hasMatchingFaceProof"] is True and data["mrzChecksumValid"] is True
    assert {c["name"] for c in matches["checkList"]} >= {
        "firstName",
        "lastName",
        "dateOfBirth",
        "hasMatchingFaceProof",
        "mrzChecksum",
    }
    assert not [c for c in matches["checkList"] if c["failed"] and c["score"] > 10]
    assert document["processedTime"] is not None and document["revision"] == 1
    assert kyc.status_of(merchant.api, request["id"]) == "fulfilled"
    assert kyc.event_types_for(
        merchant.database, merchant.tenant.organization_id, created["id"]
    ) == [
        "kyc-document-created",
        "kyc-document-accepted",
    ]


def test_analyses_run_in_a_process_pool(merchant_factory: Callable[..., Merchant]) -> None:
    merchant = merchant_factory(analysis_processes=1)
    document = merchant.decided(merchant.passport(merchant.customer())["id"], seconds=120)
    assert document["status"] == "accepted"
    assert document["documentMatches"]["data"]["documentNumber"] == "X4821937"


def test_someone_elses_passport_is_rejected_with_a_reason_and_a_hint(merchant: Merchant) -> None:
    customer_id = merchant.customer(first="Grace", last="Hopper")
    request = kyc.kyc_request(merchant.api, customer_id, "identity-proof")
    document = merchant.decided(
        merchant.passport(customer_id, requestId=request["id"], selfie=None)["id"]
    )
    assert document["status"] == "rejected"
    assert document["rejectionReason"]["type"] in ("name-mismatch", "name-and-dob-mismatch")
    assert document["hints"] and all(h["message"] for h in document["hints"])
    failed = {c["name"] for c in document["documentMatches"]["checkList"] if c["failed"]}
    assert {"firstName", "lastName"} <= failed
    assert kyc.status_of(merchant.api, request["id"]) == "attempted"


def test_an_expired_passport_is_rejected_as_expired(merchant: Merchant) -> None:
    customer_id = merchant.customer()
    holder = drawn.Holder().but(
        issue_date=date(2012, 3, 2), expiry_date=date.today() - timedelta(days=40)
    )
    document = merchant.decided(merchant.passport(customer_id, holder)["id"])
    assert document["status"] == "rejected"
    assert document["rejectionReason"]["type"] == "document-expired"


def test_expiry_is_judged_on_the_clock_openkyc_decides_by(
    clock: FrozenClock, merchant: Merchant
) -> None:
    # Valid for another month by the machine's calendar, expired by openkyc's clock.
    clock.advance(days=60)
    holder = drawn.Holder().but(
        issue_date=date(2018, 3, 2), expiry_date=date.today() + timedelta(days=30)
    )
    document = merchant.decided(merchant.passport(merchant.customer(), holder)["id"])
    assert document["status"] == "rejected"
    assert document["rejectionReason"]["type"] == "document-expired"


def test_the_same_passport_for_another_customer_is_a_duplicate(merchant: Merchant) -> None:
    first = merchant.decided(merchant.passport(merchant.customer())["id"])
    assert first["status"] == "accepted"
    # A second account with the same name and birth date, and the same passport.
    second = merchant.decided(merchant.passport(merchant.customer())["id"])
    assert second["status"] == "rejected"
    assert second["rejectionReason"]["type"] == "document-duplicate"
    failed = {c["name"]: c["reason"] for c in second["documentMatches"]["checkList"] if c["failed"]}
    assert failed["isPublishedOnline"].startswith("duplicate")


def test_a_recent_bill_at_the_customers_address_is_accepted(merchant: Merchant) -> None:
    customer_id = merchant.customer()
    lines = drawn.bill_lines(
        "Eileen Collins",
        ["12 Harbour Street", "London", "SE1 7PB"],
        date.today() - timedelta(days=12),
    )
    file_id = merchant.upload(drawn.pdf_with_text(lines), ["kyc"], name="bill.pdf")
    document = merchant.decided(merchant.document(customer_id, "address-proof", [file_id])["id"])
    assert document["status"] == "accepted", document["documentMatches"]
    data = document["documentMatches"]["data"]
    assert (data["line1"], data["postalCode"]) == ("12 Harbour Street", "SE1 7PB")


def test_documents_the_analyser_does_not_read_wait_for_a_person(merchant: Merchant) -> None:
    customer_id = merchant.customer()
    document = merchant.document(
        customer_id, "funds-proof", [merchant.upload(drawn.encode(drawn.selfie()), ["kyc"])]
    )
    assert document["status"] == "pending"
    assert merchant.api.get(f"/kyc-documents/{document['id']}").json()["status"] == "pending"


def test_new_files_are_analysed_again(merchant: Merchant) -> None:
    customer_id = merchant.customer()
    wrong = merchant.decided(
        merchant.passport(
            customer_id, drawn.Holder().but(surname="HOPPER", given_names="GRACE"), selfie=None
        )["id"]
    )
    assert wrong["status"] == "rejected"
    files = [merchant.upload(drawn.encode(drawn.passport(drawn.Holder())), ["kyc", "id-front"])]
    body = {"customerId": customer_id, "documentType": "identity-proof", "fileIds": files}
    updated = merchant.api.put(f"/kyc-documents/{wrong['id']}", json=body)
    assert updated.status_code == 200 and updated.json()["status"] == "in-progress"
    assert merchant.decided(wrong["id"])["status"] == "accepted"


class BrokenRunner:
    """A stand-in for an analysis process that dies on every document."""

    def run(self, function: Any, *args: Any) -> Any:
        raise RuntimeError("analysis process killed")

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


def test_an_analyser_that_keeps_failing_leaves_the_document_pending_with_the_reason(
    engines: dict[str, Engine], backend: str, tmp_path: Path
) -> None:
    database = Database.from_engine(engines[backend])
    tenant = make_tenant(database, "Broken analyser")
    settings = Settings(
        data_dir=tmp_path / "d",
        secret_key="s" * 40,
        expiry_interval_seconds=0,
        allowed_hosts=("openkyc.test", "testserver"),
    )
    app = create_app(
        settings, database, LocalStorage(tmp_path / "f"), analysis_runner=BrokenRunner()
    )
    with TestClient(app, headers=tenant.headers) as api:
        merchant = Merchant(api, database, tenant)
        webhooks.subscribe(api, LISTENER)
        created = merchant.passport(merchant.customer(), selfie=None)
        document = merchant.decided(created["id"], seconds=120)
    assert document["status"] == "pending"
    assert document["analysisError"] == "the analyser failed: RuntimeError: analysis process killed"
    assert kyc.event_types_for(database, tenant.organization_id, created["id"]) == [
        "kyc-document-created",
        "kyc-document-modified",
    ]


def test_a_result_after_a_persons_decision_is_kept_and_the_decision_stands(
    merchant_factory: Callable[..., Merchant],
) -> None:
    # The document's job waits (no worker) while a person decides; then a worker runs it.
    waiting = merchant_factory(embedded_worker=False)
    webhooks.subscribe(waiting.api, LISTENER)
    customer_id = waiting.customer()
    created = waiting.passport(customer_id, selfie=None, notes="first look")
    assert created["status"] == "in-progress"
    document_id = created["id"]
    rejection = {"type": "document-unreadable", "message": "Glare on the photo page"}
    rejected = waiting.api.post(f"/kyc-documents/{document_id}/rejection", json=rejection)
    assert rejected.status_code == 201, rejected.text
    assert (rejected.json()["status"], rejected.json()["documentMatches"]) == ("rejected", None)
    merchant_factory()  # a running worker, which picks the waiting job up
    after = until(
        lambda: _if_matched(waiting.api.get(f"/kyc-documents/{document_id}").json()),
        seconds=120,
        what="the analysis to run",
    )
    assert (after["status"], after["rejectionReason"], after["reviewerName"]) == (
        "rejected",
        rejection,
        "Initial key",
    )
    assert after["documentMatches"]["data"]["lastName"] == "Collins"
    assert after["documentMatches"]["score"] >= 90
    assert kyc.event_types_for(waiting.database, waiting.tenant.organization_id, document_id) == [
        "kyc-document-created",
        "kyc-document-rejected",
        "kyc-document-modified",
    ]
