"""Credit-file proof is tried first, at creation, with the sandbox bureau (or a stand-in for a
bureau that is down: the only part outside the machine)."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

import pytest
import sqlalchemy.exc
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from openkyc.credit_file.bureau import (
    Applicant,
    BureauUnavailable,
    CreditFileDecision,
    SandboxBureau,
)
from openkyc.db.session import Database
from openkyc.web.app import create_app
from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant, make_tenant

FALLBACK = ("credit-file-proof", "identity-proof", "address-proof")


def _credit_document(api: TestClient, request_id: str) -> dict:
    documents = api.get(
        "/kyc-documents",
        params={"filter": f"requestId:{request_id};documentType:credit-file-proof"},
    ).json()
    assert len(documents) == 1
    return documents[0]


@pytest.mark.usefixtures("listening")
def test_an_accepted_credit_file_fulfils_the_request_at_once(
    api: TestClient, database, tenant: Tenant
) -> None:
    customer_id = kyc.customer(api, first="accept", last="Tester")
    request = kyc.kyc_request(api, customer_id, *FALLBACK, maxAttempts=1)
    assert request["status"] == "fulfilled"
    assert "gatherer" not in {link["rel"] for link in request["_links"]}
    document = _credit_document(api, request["id"])
    assert document["status"] == "accepted" and document["fileIds"] == []
    data = document["documentMatches"]["data"]
    assert (data["creditBureau"], data["decision"], data["name"]) == (
        "test-bureau",
        "dual-source",
        "accept Tester",
    )
    assert data["referenceData"]["dualSourceHit"] == "Y" and len(data["trades"]) == 2
    assert document["documentMatches"]["checkList"] == [
        {"name": "decision", "failed": False, "score": 0, "reason": None}
    ]
    assert api.get(f"/customers/{customer_id}").json()["hasFulfilledKyc"] is True
    assert kyc.event_types_for(database, tenant.organization_id, document["id"]) == [
        "kyc-document-created",
        "kyc-document-accepted",
    ]
    assert kyc.event_types_for(database, tenant.organization_id, request["id"]) == [
        "kyc-request-created",
        "kyc-request-fulfilled",
    ]


def test_a_rejected_credit_file_falls_back_to_the_documents(api: TestClient) -> None:
    customer_id = kyc.customer(api, first="Ada")
    request = kyc.kyc_request(api, customer_id, *FALLBACK, maxAttempts=1)
    assert request["status"] == "attempted"
    assert "gatherer" in {link["rel"] for link in request["_links"]}
    document = _credit_document(api, request["id"])
    assert document["status"] == "rejected"
    assert document["rejectionReason"]["type"] == "document-not-matching"
    assert document["documentMatches"]["data"]["decision"] == "other"
    for document_type in ("identity-proof", "address-proof"):
        kyc.accept(
            api, kyc.document(api, customer_id, document_type, request_id=request["id"])["id"]
        )
    assert kyc.status_of(api, request["id"]) == "fulfilled"


def test_a_credit_file_alone_fails_when_rejected(api: TestClient) -> None:
    request = kyc.kyc_request(
        api, kyc.customer(api, first="Ada"), "credit-file-proof", maxAttempts=1
    )
    assert request["status"] == "failed"


class DownBureau:
    name = "test-bureau"

    def check(self, applicant: Applicant, consulted: datetime) -> CreditFileDecision:
        raise BureauUnavailable("connection refused")


def test_a_bureau_outage_rejects_the_credit_file_with_a_plain_reason(
    settings, database, storage, tenant: Tenant
) -> None:
    app = create_app(settings, database, storage, credit_bureau=DownBureau())
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as api:
        request = kyc.kyc_request(api, kyc.customer(api, first="accept"), *FALLBACK)
        assert request["status"] == "attempted"
        assert _credit_document(api, request["id"])["rejectionReason"] == {
            "type": "other",
            "message": "The credit bureau could not be reached",
        }


class ProbingBureau(SandboxBureau):
    """The sandbox bureau, which first checks from a connection of its own that the request
    asking it holds nothing in the database: no lock on the tables it reads and writes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.held: list[str] = []

    def check(self, applicant: Applicant, consulted: datetime) -> CreditFileDecision:
        try:
            self._probe()
        except (sqlalchemy.exc.OperationalError, sqlite3.OperationalError) as error:
            self.held.append(str(error).splitlines()[0])
        return super().check(applicant, consulted)

    def _probe(self) -> None:
        if self.engine.dialect.name == "sqlite":
            # A writer holding SQLite's lock makes this fail at once.
            probe = sqlite3.connect(str(self.engine.url.database), timeout=0)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.rollback()
            finally:
                probe.close()
            return
        with self.engine.connect() as connection:
            # Any lock at all on these tables, even a reader's, refuses this one.
            connection.execute(
                text(
                    "LOCK TABLE customers, kyc_requests, kyc_documents"
                    " IN ACCESS EXCLUSIVE MODE NOWAIT"
                )
            )
            connection.rollback()


def test_the_bureau_is_asked_while_the_request_holds_nothing_in_the_database(
    engines: dict[str, Engine], backend: str, settings, storage
) -> None:
    database = Database.from_engine(engines[backend])
    tenant = make_tenant(database, f"Bureau {uuid.uuid4().hex[:6]}")
    bureau = ProbingBureau(database.engine)
    app = create_app(settings, database, storage, credit_bureau=bureau)
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as api:
        request = kyc.kyc_request(api, kyc.customer(api, first="accept"), *FALLBACK)
        assert request["status"] == "fulfilled"
        assert bureau.held == []
        document = _credit_document(api, request["id"])
        assert document["documentMatches"]["data"]["name"] == "accept Lovelace"
