"""The experimental AML report and histogram, counted from the checks made."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from openkyc.db.session import Database
from openkyc.wire import format_time
from tests.fixtures import watchlists
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


@pytest.fixture
def checks(api: TestClient, database: Database, tmp_path: Path, clock: FrozenClock) -> list[str]:
    """Three customers an hour apart: a hit (reviewed false-positive), a hit waiting, and one
    nobody lists."""
    watchlists.load(database, watchlists.full_export(tmp_path))
    made = []
    for first, last, dob in (
        ("Ivan", "Petrov", "1970-03-15"),
        ("Maria", "Gonzalez Lopez", "1965-05-05"),
        ("Ada", "Lovelace", "1990-12-10"),
    ):
        customer = api.post(
            "/customers", json=customer_body(first=first, last=last, dob=dob)
        ).json()
        [check] = api.get("/aml-checks", params={"filter": f"customerId:{customer['id']}"}).json()
        made.append(check["id"])
        clock.advance(seconds=3600)
    api.post(f"/aml-checks/{made[0]}/review", json={"status": "false-positive"})
    return made


def _period(clock: FrozenClock) -> dict[str, str]:
    now = clock.now()
    return {"periodStart": format_time(now - timedelta(hours=4)), "periodEnd": format_time(now)}


def test_the_report_counts_checks_and_hits(
    api: TestClient, checks: list[str], clock: FrozenClock
) -> None:
    report = api.get("/experimental/reports/aml-checks", params=_period(clock))
    assert report.status_code == 200, report.text
    assert report.json() == {"total": 3, "propagated": 0, "resulted": 2, "pending": 1}
    hits = api.get(
        "/experimental/reports/aml-checks", params={**_period(clock), "metric": "aml_check_hits"}
    ).json()
    assert hits == {"total": 2, "propagated": 0, "resulted": 1, "pending": 1}
    filtered = api.get(
        "/experimental/reports/aml-checks", params={**_period(clock), "filter": "status:no-match"}
    ).json()
    assert filtered["total"] == 1
    assert_problem(
        api.get("/experimental/reports/aml-checks", params={"periodStart": "yesterday"}), 422
    )


def test_the_histogram_has_a_bucket_for_each_hour(
    api: TestClient, checks: list[str], clock: FrozenClock
) -> None:
    params = {**_period(clock), "aggregationPeriod": "hour"}
    data = api.get("/experimental/histograms/aml-checks", params=params).json()["data"]
    assert [d["value"] for d in data] == [0, 1, 1, 1, 0]
    fp = api.get(
        "/experimental/histograms/aml-checks",
        params={**params, "metric": "aml_check_hits_false_positive"},
    ).json()["data"]
    assert [d["value"] for d in fp] == [0, 1, 0, 0, 0]
    too_many = api.get(
        "/experimental/histograms/aml-checks",
        params={"periodStart": "2000-01-01T00:00:00Z", "aggregationPeriod": "minute"},
    )
    assert_problem(too_many, 422)
    assert too_many.json()["invalidFields"][0]["field"] == "aggregationPeriod"


@pytest.fixture
def inherited(
    api: TestClient, database: Database, tmp_path: Path, clock: FrozenClock
) -> dict[str, str]:
    """Ivan Petrov judged a false positive, then two more customers of him (one with his
    phone); Maria Gonzalez Lopez confirmed, a customer with her phone, and her screened again."""
    watchlists.load(database, watchlists.full_export(tmp_path))

    def screened(first: str, last: str, dob: str | None, number: str | None) -> str:
        phones = [{"label": "main", "value": number, "primary": True}] if number else []
        body = customer_body(first=first, last=last, dob=dob, country="RU", phoneNumbers=phones)
        customer = api.post("/customers", json=body).json()
        found = api.get("/aml-checks", params={"filter": f"customerId:{customer['id']}"})
        return str(found.json()[-1]["id"])

    made = {"ivan": screened("Ivan", "Petrov", "1970-03-15", "+7 495 000 11 22")}
    api.post(f"/aml-checks/{made['ivan']}/review", json={"status": "false-positive"})
    made["ivan-person"] = screened("Ivan", "Petrov", "1970-03-15", None)
    made["ivan-both"] = screened("Ivan", "Petrov", "1970-03-15", "74950001122")
    made["maria"] = screened("Maria", "Gonzalez Lopez", "1965-05-05", "+52 55 1234 5678")
    api.post(f"/aml-checks/{made['maria']}/review", json={"status": "confirmed-match"})
    made["maria-phone"] = screened("Maria", "Gonzalez Lopez", None, "+52 55 1234 5678")
    maria = api.get(f"/aml-checks/{made['maria']}").json()["customer"]["id"]
    made["maria-again"] = api.post("/aml-checks", json={"customerId": maria}).json()["id"]
    return made


INHERITED = "/experimental/reports/aml-checks-inherited-summary"


def test_the_inherited_summary_counts_inherited_checks_by_reason(
    api: TestClient, inherited: dict[str, str], clock: FrozenClock
) -> None:
    statuses = {k: api.get(f"/aml-checks/{v}").json()["status"] for k, v in inherited.items()}
    assert statuses == {
        "ivan": "false-positive",
        "ivan-person": "false-positive",
        "ivan-both": "false-positive",
        "maria": "confirmed-match",
        "maria-phone": "confirmed-match",
        "maria-again": "confirmed-match",
    }
    report = api.get(INHERITED, params=_period(clock))
    assert report.status_code == 200, report.text
    assert report.json() == {
        "totalInherited": 4,
        "categories": [
            {"reason": "customer_duplicated_by_person_exact_match", "count": 2, "percentage": 50.0},
            {
                "reason": "customer_duplicated_by_primary_phone_number_exact_match",
                "count": 2,
                "percentage": 50.0,
            },
            {"reason": "customer_previous_check_exact_match", "count": 1, "percentage": 25.0},
        ],
    }
    false_positives = api.get(
        INHERITED, params={**_period(clock), "filter": "status:false-positive"}
    ).json()
    assert false_positives["totalInherited"] == 2
    assert [c["count"] for c in false_positives["categories"]] == [2, 1, 0]
    assert [c["percentage"] for c in false_positives["categories"]] == [100.0, 50.0, 0.0]
    # A person reverses one: it is no longer inherited.
    api.post(f"/aml-checks/{inherited['maria-again']}/review", json={"status": "false-positive"})
    assert api.get(INHERITED, params=_period(clock)).json()["totalInherited"] == 3


def test_the_inherited_summary_of_a_period_without_any(
    api: TestClient, inherited: dict[str, str], clock: FrozenClock
) -> None:
    before = {"periodStart": "2001-01-01T00:00:00Z", "periodEnd": "2001-01-31T23:59:59Z"}
    empty = api.get(INHERITED, params=before).json()
    assert empty["totalInherited"] == 0
    assert [(c["count"], c["percentage"]) for c in empty["categories"]] == [(0, 0.0)] * 3
    # The current month by default.
    assert api.get(INHERITED).json()["totalInherited"] == 4
    malformed = api.get(INHERITED, params={"periodStart": "yesterday"})
    assert_problem(malformed, 422)
    assert malformed.json()["invalidFields"][0]["field"] == "periodStart"
    backwards = api.get(
        INHERITED,
        params={"periodStart": "2001-02-01T00:00:00Z", "periodEnd": "2001-01-01T00:00:00Z"},
    )
    assert_problem(backwards, 422)
    assert backwards.json()["invalidFields"][0]["field"] == "periodEnd"
    assert_problem(api.get(INHERITED, params={"filter": "nosuchfield:1"}), 422)


def test_propagated_checks_are_counted_apart_unless_asked_for(
    api: TestClient, inherited: dict[str, str], clock: FrozenClock
) -> None:
    report = api.get("/experimental/reports/aml-checks", params=_period(clock)).json()
    assert report == {"total": 2, "propagated": 4, "resulted": 2, "pending": 0}
    everything = api.get(
        "/experimental/reports/aml-checks",
        params={**_period(clock), "includePropagatedResults": "true"},
    ).json()
    assert everything == {"total": 6, "propagated": 4, "resulted": 6, "pending": 0}
    params = {**_period(clock), "aggregationPeriod": "month"}
    alone = api.get("/experimental/histograms/aml-checks", params=params).json()["data"]
    assert sum(d["value"] for d in alone) == 2
    with_them = api.get(
        "/experimental/histograms/aml-checks", params={**params, "includePropagatedResults": "true"}
    ).json()["data"]
    assert sum(d["value"] for d in with_them) == 6


def test_the_inherited_summary_is_the_organization_s_own(
    api: TestClient, app: Any, inherited: dict[str, str], other_tenant: Tenant, clock: FrozenClock
) -> None:
    with TestClient(app, base_url="http://openkyc.test", headers=other_tenant.headers) as other:
        report = other.get(INHERITED, params=_period(clock))
        assert report.status_code == 200, report.text
        assert report.json()["totalInherited"] == 0
    assert_problem(TestClient(app, base_url="http://openkyc.test").get(INHERITED), 401)
