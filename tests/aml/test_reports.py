"""The experimental AML report and histogram, counted from the checks made."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from openkyc.db.session import Database
from openkyc.wire import format_time
from tests.fixtures import watchlists
from tests.fixtures.payloads import customer_body
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
