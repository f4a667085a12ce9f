"""The KYC reports, over documents and requests built through the API on both databases:
exact figures, period boundaries, and only the caller's organization."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.db.models import KycDocument, KycRequest
from openkyc.db.session import Database
from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem

ACCEPTANCE = "/experimental/reports/kyc-acceptance-summary"
REJECTION = "/experimental/reports/kyc-rejection-summary"
REQUESTS = "/experimental/reports/kyc-request-summary"
WIDE = {"periodStart": "2000-01-01T00:00:00Z", "periodEnd": "2100-01-01T00:00:00Z"}


@pytest.fixture
def other_api(app: FastAPI, other_tenant: Tenant) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://openkyc.test", headers=other_tenant.headers) as c:
        yield c


def _credit_file(api: TestClient, first: str, last: str = "Tester") -> dict[str, Any]:
    """A request for a credit file alone: the sandbox bureau decides it at once."""
    customer_id = kyc.customer(api, first=first, last=last)
    request = kyc.kyc_request(api, customer_id, "credit-file-proof", maxAttempts=1)
    documents = api.get("/kyc-documents", params={"filter": f"requestId:{request['id']}"}).json()
    return {"request": request, "document": documents[0]}


def _shift_creation(
    database: Database, organization_id: str, minutes_before_review: dict[str, float]
) -> None:
    """Make each document created this many minutes before its review."""
    with database.write_sessionmaker() as session:
        for document_id, minutes in minutes_before_review.items():
            document = session.get(KycDocument, (organization_id, document_id))
            assert document is not None and document.review_time is not None
            document.created_time = document.review_time - timedelta(minutes=minutes)
        session.commit()


def _set_created(database: Database, model: type, organization_id: str, times: dict) -> None:
    with database.write_sessionmaker() as session:
        for resource_id, created in times.items():
            row = session.get(model, (organization_id, resource_id))
            assert row is not None
            row.created_time = created
        session.commit()


def _build(api: TestClient, database: Database, organization_id: str) -> dict[str, str]:
    """Documents of every kind of history, and requests of every reported status."""
    fulfilled = _credit_file(api, "accept")
    reversed_acceptance = _credit_file(api, "accept", "Second")
    kyc.reject(api, reversed_acceptance["document"]["id"], "other")
    failed = _credit_file(api, "Bob")
    reversed_rejection = _credit_file(api, "Cyd")
    kyc.accept(api, reversed_rejection["document"]["id"])

    ada = kyc.customer(api)
    identity = [kyc.document(api, ada)["id"] for _ in range(6)]
    kyc.accept(api, identity[0])
    kyc.reject(api, identity[1], "document-expired")
    kyc.reject(api, identity[2], "document-expired")
    kyc.reject(api, identity[3], "name-mismatch")
    assert api.post(f"/kyc-documents/{identity[5]}/review").status_code == 201

    address = [kyc.document(api, ada, "address-proof")["id"] for _ in range(3)]
    kyc.reject(api, address[0], "document-unreadable")
    kyc.accept(api, address[1])
    withdrawn = kyc.kyc_request(api, ada, "address-proof")
    archived = kyc.document(api, ada, "address-proof", request_id=withdrawn["id"])
    assert api.delete(f"/kyc-requests/{withdrawn['id']}").status_code == 204
    waiting = kyc.kyc_request(api, ada, "address-proof")
    kyc.document(api, ada, "address-proof", request_id=waiting["id"])
    kyc.kyc_request(api, ada, "identity-proof")  # still gathering: not in the request report

    assert kyc.status_of(api, waiting["id"]) == "pending-review"
    assert api.get(f"/kyc-documents/{archived['id']}").json()["status"] == "archived"
    assert kyc.status_of(api, fulfilled["request"]["id"]) == "fulfilled"
    assert kyc.status_of(api, reversed_rejection["request"]["id"]) == "failed"
    _shift_creation(
        database,
        organization_id,
        {
            identity[0]: 10,
            identity[1]: 20,
            identity[2]: 30,
            identity[3]: 40,
            identity[5]: 1000,
            address[0]: 5,
            address[1]: 8,
            reversed_acceptance["document"]["id"]: 3,
            reversed_rejection["document"]["id"]: 4,
        },
    )
    return {"failed": failed["document"]["id"], "fulfilled": fulfilled["document"]["id"]}


ACCEPTED_KEYS = ("total", "automatically", "manually", "afterAutoRejected")
REJECTED_KEYS = ("total", "automatically", "manually", "afterAutoAccepted")


ACCEPTED_KEYS = ("total", "automatically", "manually", "afterAutoRejected")
REJECTED_KEYS = ("total", "automatically", "manually", "afterAutoAccepted")


def _figures(
    accepted: tuple[int, int, int, int],
    rejected: tuple[int, int, int, int],
    pending: int,
    archived: int,
) -> dict[str, Any]:
    return {
        "accepted": dict(zip(ACCEPTED_KEYS, accepted, strict=True)),
        "rejected": dict(zip(REJECTED_KEYS, rejected, strict=True)),
        "pending": {"total": pending},
        "archived": {"total": archived},
    }


EXPECTED_ACCEPTANCE = [
    {
        "documentType": "address-proof",
        "statusStatistics": _figures((1, 0, 1, 0), (1, 0, 1, 0), 2, 1),
        "total": 5,
        "accuracyRate": 100.0,
        "acceptanceRate": 25.0,
        "manualReviewTime": 6.5,
    },
    {
        "documentType": "credit-file-proof",
        "statusStatistics": _figures((2, 1, 1, 1), (2, 1, 1, 1), 0, 0),
        "total": 4,
        "accuracyRate": 50.0,
        "acceptanceRate": 50.0,
        "manualReviewTime": 3.5,
    },
    {
        "documentType": "identity-proof",
        "statusStatistics": _figures((1, 0, 1, 0), (3, 0, 3, 0), 2, 0),
        "total": 6,
        "accuracyRate": 100.0,
        "acceptanceRate": 16.67,
        "manualReviewTime": 30.0,
    },
]
EXPECTED_REJECTIONS = [
    {
        "documentType": "address-proof",
        "rejectionReasons": [{"rejectionReason": "document-unreadable", "count": 1}],
    },
    {
        "documentType": "credit-file-proof",
        "rejectionReasons": [
            {"rejectionReason": "document-not-matching", "count": 1},
            {"rejectionReason": "other", "count": 1},
        ],
    },
    {
        "documentType": "identity-proof",
        "rejectionReasons": [
            {"rejectionReason": "document-expired", "count": 2},
            {"rejectionReason": "name-mismatch", "count": 1},
        ],
    },
]
EXPECTED_REQUESTS = [
    {"rejectionReason": "pending-review", "count": 1},
    {"rejectionReason": "fulfilled", "count": 2},
    {"rejectionReason": "failed", "count": 2},
    {"rejectionReason": "abandoned", "count": 0},
    {"rejectionReason": "expired", "count": 0},
]


def _report(api: TestClient, path: str, **period: str) -> list[dict[str, Any]]:
    response = api.get(path, params=period or WIDE)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def test_the_reports_count_every_kind_of_history_exactly(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    _build(api, database, tenant.organization_id)
    assert _report(api, ACCEPTANCE) == EXPECTED_ACCEPTANCE
    assert _report(api, REJECTION) == EXPECTED_REJECTIONS
    assert _report(api, REQUESTS) == EXPECTED_REQUESTS


def test_the_rejection_and_request_reports_come_as_one_whole_page(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    _build(api, database, tenant.organization_id)
    for path, rows in ((REJECTION, len(EXPECTED_REJECTIONS)), (REQUESTS, len(EXPECTED_REQUESTS))):
        headers = api.get(path, params=WIDE).headers
        assert (
            headers["Pagination-Total"],
            headers["Pagination-Limit"],
            headers["Pagination-Offset"],
        ) == (str(rows), str(rows), "0")


def test_another_organizations_documents_and_requests_never_count(
    api: TestClient, other_api: TestClient, database: Database, tenant: Tenant
) -> None:
    _build(api, database, tenant.organization_id)
    _credit_file(other_api, "accept")
    other_document = kyc.document(other_api, kyc.customer(other_api))
    kyc.reject(other_api, other_document["id"], "tampered-document")

    assert _report(api, ACCEPTANCE) == EXPECTED_ACCEPTANCE
    assert _report(api, REJECTION) == EXPECTED_REJECTIONS
    assert _report(api, REQUESTS) == EXPECTED_REQUESTS
    assert [row["documentType"] for row in _report(other_api, ACCEPTANCE)] == [
        "credit-file-proof",
        "identity-proof",
    ]
    assert _report(other_api, REJECTION) == [
        {
            "documentType": "identity-proof",
            "rejectionReasons": [{"rejectionReason": "tampered-document", "count": 1}],
        }
    ]
    assert {r["rejectionReason"]: r["count"] for r in _report(other_api, REQUESTS)} == {
        "pending-review": 0,
        "fulfilled": 1,
        "failed": 0,
        "abandoned": 0,
        "expired": 0,
    }


def test_a_period_includes_both_of_its_ends(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    ada = kyc.customer(api)
    documents = [kyc.document(api, ada, "address-proof")["id"] for _ in range(4)]
    requests = [_credit_file(api, "accept", f"N{i}")["request"]["id"] for i in range(4)]
    instants = [
        datetime(2025, 3, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 4, 1, tzinfo=UTC),
        datetime(2025, 4, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 5, 1, tzinfo=UTC),
    ]
    organization = tenant.organization_id
    _set_created(database, KycDocument, organization, dict(zip(documents, instants, strict=True)))
    _set_created(database, KycRequest, organization, dict(zip(requests, instants, strict=True)))

    def counted(start: str, end: str) -> tuple[int, int]:
        period = {"periodStart": start, "periodEnd": end}
        rows = _report(api, ACCEPTANCE, **period)
        fulfilled = _report(api, REQUESTS, **period)[1]
        assert fulfilled["rejectionReason"] == "fulfilled"
        address = [r["total"] for r in rows if r["documentType"] == "address-proof"]
        return (address[0] if address else 0), fulfilled["count"]

    assert counted("2025-04-01T00:00:00Z", "2025-04-30T23:59:59.999999Z") == (2, 2)
    assert counted("2025-04-01T02:00:00+02:00", "2025-04-01T00:00:00Z") == (1, 1)
    assert counted("2025-03-31T23:59:59.999999Z", "2025-03-31T23:59:59.999999Z") == (1, 1)
    assert counted("2025-05-01T00:00:00.000001Z", "2025-06-01T00:00:00Z") == (0, 0)
    assert counted("2025-03-31T19:59:59.999999-04:00", "2025-05-01T00:00:00z") == (4, 4)
    # An end written to the second, as times are shown, takes in all of that second.
    assert counted("2025-04-01T00:00:00Z", "2025-04-30T23:59:59Z") == (2, 2)
    assert counted("2025-04-01T00:00:00Z", "2025-04-30T23:59:59.5Z") == (1, 1)


def test_without_a_period_the_report_covers_the_current_month(api: TestClient) -> None:
    kyc.reject(api, kyc.document(api, kyc.customer(api))["id"], "document-expired")
    response = api.get(REJECTION)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [
        {
            "documentType": "identity-proof",
            "rejectionReasons": [{"rejectionReason": "document-expired", "count": 1}],
        }
    ]
    last_month = datetime.now(UTC).replace(day=1) - timedelta(days=1)
    response = api.get(REJECTION, params={"periodEnd": last_month.isoformat()})
    # The default start (this month) is after an end in last month.
    assert assert_problem(response, 422)["invalidFields"][0]["field"] == "periodEnd"


def test_an_empty_period_gives_empty_figures(api: TestClient) -> None:
    assert _report(api, ACCEPTANCE) == []
    assert _report(api, REJECTION) == []
    assert [r["count"] for r in _report(api, REQUESTS)] == [0, 0, 0, 0, 0]


def test_a_person_confirming_the_machine_does_not_make_the_decision_manual(
    api: TestClient,
) -> None:
    document = _credit_file(api, "accept")["document"]
    assert api.post(f"/kyc-documents/{document['id']}/review").status_code == 201
    (row,) = _report(api, ACCEPTANCE)
    assert row["statusStatistics"]["accepted"] == {
        "total": 1,
        "automatically": 1,
        "manually": 0,
        "afterAutoRejected": 0,
    }
    assert row["accuracyRate"] == 100.0 and row["manualReviewTime"] is not None


def test_every_archived_document_leaves_the_rates_undefined(api: TestClient) -> None:
    ada = kyc.customer(api)
    request = kyc.kyc_request(api, ada, "address-proof")
    kyc.document(api, ada, "address-proof", request_id=request["id"])
    assert api.delete(f"/kyc-requests/{request['id']}").status_code == 204
    (row,) = _report(api, ACCEPTANCE)
    assert (row["total"], row["statusStatistics"]["archived"]["total"]) == (1, 1)
    assert (row["accuracyRate"], row["acceptanceRate"], row["manualReviewTime"]) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize("path", [ACCEPTANCE, REJECTION, REQUESTS])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"periodStart": "yesterday"}, "periodStart"),
        ({"periodStart": "2025-04-01"}, "periodStart"),
        ({"periodStart": "2025-04-01T00:00:00"}, "periodStart"),
        ({"periodStart": "1743465600"}, "periodStart"),
        ({"periodEnd": "2025-02-30T00:00:00Z"}, "periodEnd"),
        ({"periodEnd": "2025-04-01T00:00:00+24:00"}, "periodEnd"),
        (
            {"periodStart": "2025-04-02T00:00:00Z", "periodEnd": "2025-04-01T23:59:59Z"},
            "periodEnd",
        ),
    ],
)
def test_a_malformed_or_backward_period_is_refused_naming_the_parameter(
    api: TestClient, path: str, params: dict[str, str], field: str
) -> None:
    problem = assert_problem(api.get(path, params=params), 422)
    assert [f["field"] for f in problem["invalidFields"]] == [field]


def test_the_reports_need_a_secret_key(client: TestClient) -> None:
    for path in (ACCEPTANCE, REJECTION, REQUESTS):
        assert_problem(client.get(path, params=WIDE), 401)


def test_the_reports_are_served_under_the_organization_too(
    api: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    prefix = f"/organizations/{tenant.organization_id}"
    assert api.get(prefix + REQUESTS, params=WIDE).status_code == 200
    assert_problem(
        api.get(f"/organizations/{other_tenant.organization_id}{REQUESTS}", params=WIDE), 403
    )
