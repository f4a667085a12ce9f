"""Screening through HTTP: on creation and on change, the hits and why they matched, the
settings, ongoing monitoring after a delta, the webhook and the timeline."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openkyc.aml import flows
from openkyc.aml.lists import service as list_service
from openkyc.aml.tasks import rescreen_handler
from openkyc.db.models import OutboxEvent
from openkyc.db.session import Database
from openkyc.jobs.worker import Worker
from openkyc.wire import Links
from tests.fixtures import watchlists, webhooks
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.fixtures.watchlists import person, write
from tests.web.test_conventions import assert_problem


@pytest.fixture
def lists(database: Database, tmp_path: Path) -> Path:
    return watchlists.full_export(tmp_path)


@pytest.fixture(autouse=True)
def loaded(database: Database, lists: Path) -> None:
    watchlists.load(database, lists)


def create(api: TestClient, first: str, last: str, **fields: Any) -> str:
    response = api.post("/customers", json=customer_body(first=first, last=last, **fields))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def checks_of(api: TestClient, customer_id: str) -> list[dict[str, Any]]:
    response = api.get(
        "/aml-checks", params={"filter": f"customerId:{customer_id}", "sort": "createdTime"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["pagination-total"] == str(len(response.json()))
    return list(response.json())


def events(database: Database, organization_id: str, event_type: str) -> list[OutboxEvent]:
    with database.sessionmaker() as session:
        statement = select(OutboxEvent).where(
            OutboxEvent.organization_id == organization_id, OutboxEvent.event_type == event_type
        )
        return list(session.scalars(statement))


def _links() -> Links:
    return Links("http://openkyc.test")


def run_rescreen_jobs(database: Database) -> Counter[str]:
    """Two workers take the queued rescreening jobs in turn until none is left; how many
    each ran."""
    ran: Counter[str] = Counter()
    handlers = {flows.RESCREEN_CUSTOMERS: rescreen_handler(database.write_sessionmaker, _links)}
    workers = [Worker(database.write_sessionmaker, handlers, name=n) for n in ("a", "b")]
    while True:
        busy = [w.name for w in workers if w.run_one()]
        if not busy:
            return ran
        ran.update(busy)


def listen(api: TestClient) -> None:
    """A merchant's webhook for the event: events nobody listens to are not kept."""
    webhooks.subscribe(api, webhooks.LISTENER, eventsFilter=["aml-list-possibly-matched"])


def test_a_new_customer_on_a_sanctions_list_is_a_hit_with_its_reasons(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    listen(api)
    customer_id = create(
        api, "Ivan", "Petrov", dob="1970-03-15", country="RU", city="Moscow", line1="Lenina 5"
    )
    [check] = checks_of(api, customer_id)
    assert check["status"] == "pending-review"
    assert check["source"] == "sign-up"
    assert check["priority"] == "p0"
    assert check["customer"]["id"] == customer_id
    assert check["customer"]["organizationId"] == tenant.organization_id
    assert check["customer"]["primaryAddress"] == {
        "firstName": "Ivan",
        "lastName": "Petrov",
        "dob": "1970-03-15",
        "address": "Lenina 5",
        "address2": None,
        "city": "Moscow",
        "region": None,
        "country": "RU",
        "postalCode": "SW1Y 4JH",
    }
    [hit] = check["hits"]
    assert hit["entityId"] == "ivan"
    assert hit["source"] == "test-list"
    assert hit["sourceType"] == ["sanctions"]
    assert hit["confidence"] == "very-strong"
    assert hit["legalBasis"] == ["EU 269/2014"]
    assert hit["matchDetails"] == {
        "confidenceFactors": [
            "confidence_exact_full_name",
            "confidence_exact_dob",
            "confidence_exact_country",
            "confidence_strong_hit_relevance",
        ],
        "matchCriteria": [
            "match_exact_name",
            "match_exact_full_name",
            "match_exact_city",
            "match_exact_country",
            "match_fuzzy_nationality",
        ],
    }
    # Where the hit comes from, as the publisher says (not when it last exported it).
    assert hit["metadata"] == {
        "lookupId": "ivan",
        "datasets": ["eu_fsf"],
        "sourceUrl": ["https://sanctions.example/eu/ivan"],
        "firstSeen": "2022-03-01T10:00:00",
        "lastChange": "2024-01-10T08:00:00",
    }
    assert "entryKey" not in hit and "priority" not in hit
    assert check["noMatchReason"] is None
    assert {link["rel"] for link in check["_links"]} == {"self", "customer"}
    assert api.get(f"/aml-checks/{check['id']}").json() == check
    [event] = events(database, tenant.organization_id, "aml-list-possibly-matched")
    assert event.payload["customerId"] == customer_id
    assert event.payload["amlCheckId"] == check["id"]
    assert event.payload["_embedded"]["customer"]["id"] == customer_id
    timeline = api.get(f"/customers/{customer_id}/timeline").json()
    [entry] = [e for e in timeline if e["type"] == "aml-list-was-possibly-matched"]
    assert f"AML check {check['id']} (sign-up) found 1 possible match" in entry["message"]
    assert "Ivan Petrov (test-list, very-strong)" in entry["message"]
    assert entry["extraData"]["links"] == [
        {"resourceType": "aml-check", "resourceId": check["id"], "placeholder": "AML check"}
    ]


def test_customer_created_comes_with_the_customer_and_the_screening_after_it(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    """Rebilly's customer carries no AML result: ``customer-created`` says the customer
    exists, ``aml-list-possibly-matched`` (same payload, with the check) what screening
    found. Both are written in the transaction that creates the customer."""
    webhooks.subscribe(
        api, webhooks.LISTENER, eventsFilter=["customer-created", "aml-list-possibly-matched"]
    )
    customer_id = create(api, "Ivan", "Petrov", dob="1970-03-15", country="RU")
    [check] = checks_of(api, customer_id)
    [created] = events(database, tenant.organization_id, "customer-created")
    [matched] = events(database, tenant.organization_id, "aml-list-possibly-matched")
    assert created.payload["customerId"] == matched.payload["customerId"] == customer_id
    assert "amlCheckId" not in created.payload
    assert matched.payload["amlCheckId"] == check["id"]
    assert created.payload["_embedded"]["customer"] == matched.payload["_embedded"]["customer"]


def test_a_customer_nobody_lists_gets_a_no_match_check_and_no_webhook(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    listen(api)
    customer_id = create(api, "Ada", "Lovelace")
    [check] = checks_of(api, customer_id)
    assert (check["status"], check["hits"], check["priority"]) == ("no-match", [], None)
    assert check["noMatchReason"] == "no_hits_found"
    assert events(database, tenant.organization_id, "aml-list-possibly-matched") == []


def test_a_different_birth_year_is_a_mismatch_not_a_hit(api: TestClient) -> None:
    customer_id = create(api, "Ivan", "Petrov", dob="1990-01-01", country="RU")
    [check] = checks_of(api, customer_id)
    assert (check["status"], check["noMatchReason"]) == ("no-match", "mismatched_hits")


@pytest.mark.parametrize(
    ("first", "last", "dob", "country", "expected"),
    [
        # Another script, the year only, the country of his nationality.
        ("Иван", "Петров", "1970-07-01", "RU", ("very-strong", "confidence_exact_yob")),
        # A typo, no birth date match possible on the list's side for Maria (year only).
        ("Maria", "Gonsalez Lopez", "1965-05-05", "MX", ("strong", "confidence_exact_yob")),
        # A year off.
        ("Maria", "Gonzalez Lopez", "1966-05-05", "MX", ("strong", "confidence_inexact_yob")),
        # A Chinese name in Latin letters.
        ("Li", "Wei", "1980-01-01", "CN", ("very-strong", "confidence_exact_dob")),
    ],
)
def test_confidence_follows_the_default_settings(
    api: TestClient, first: str, last: str, dob: str, country: str, expected: tuple[str, str]
) -> None:
    [check] = checks_of(api, create(api, first, last, dob=dob, country=country))
    [hit] = check["hits"]
    assert (hit["confidence"], hit["matchDetails"]["confidenceFactors"][1]) == expected


def test_changing_the_name_screens_again_and_other_changes_do_not(api: TestClient) -> None:
    customer_id = create(api, "Olga", "Smirnova", dob="1980-02-02")
    body = customer_body(first="Olga", last="Smirnova", dob="1980-02-02", email="new@example.com")
    assert api.put(f"/customers/{customer_id}", json=body).status_code == 200
    assert len(checks_of(api, customer_id)) == 1
    body = customer_body(first="Ivan", last="Petrov", dob="1970-03-15", country="RU")
    assert api.put(f"/customers/{customer_id}", json=body).status_code == 200
    first, second = checks_of(api, customer_id)
    assert (first["status"], second["status"]) == ("no-match", "pending-review")
    assert second["customer"]["primaryAddress"]["firstName"] == "Ivan"


def test_screening_on_demand(api: TestClient) -> None:
    customer_id = create(api, "Ivan", "Petrov", dob="1970-03-15")
    response = api.post("/aml-checks", json={"customerId": customer_id})
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith(f"/aml-checks/{response.json()['id']}")
    assert len(checks_of(api, customer_id)) == 2
    missing = api.post("/aml-checks", json={"customerId": "cus_nobody"})
    assert_problem(missing, 422)
    assert missing.json()["invalidFields"][0]["field"] == "customerId"


def test_settings_change_confidence_and_priority(api: TestClient) -> None:
    settings = api.get("/aml-settings")
    assert settings.status_code == 200
    body = settings.json()
    assert (
        body["confidence"]["dob"]["exactMatch"]["addressMatch"]["matchingCountry"] == "very-strong"
    )
    assert body["priority"]["sanctions"]["veryStrong"] == "p0"
    assert body["falsePositiveSuppressionDays"] == 365
    body["confidence"]["dob"]["exactMatch"]["noAddress"]["matchingCountry"] = "medium"
    body["priority"]["sanctions"]["medium"] = "p3"
    first = api.put("/aml-settings", json=body)
    assert first.status_code == 201, first.text
    assert api.put("/aml-settings", json=body).status_code == 200
    assert api.get("/aml-settings").json() == body
    [check] = checks_of(api, create(api, "Ivan", "Petrov", dob="1970-03-15", country="RU", city=""))
    assert (check["hits"][0]["confidence"], check["priority"]) == ("medium", "p3")


def test_settings_refuse_what_is_not_a_level(api: TestClient) -> None:
    response = api.put("/aml-settings", json={"priority": {"pep": {"weak": "p9"}}})
    assert_problem(response, 422)
    assert response.json()["invalidFields"][0]["field"] == "priority.pep.weak"
    assert api.get("/aml-settings").json()["priority"]["pep"]["weak"] == "p3"


def test_a_delta_screens_again_the_customers_it_could_match(
    api: TestClient, database: Database, tenant: Tenant, tmp_path: Path
) -> None:
    listen(api)
    olga = create(api, "Olga", "Smirnova", dob="1980-02-02", country="RU")
    ada = create(api, "Ada", "Lovelace")
    ivan = create(api, "Ivan", "Petrov", dob="1970-03-15", country="RU")
    delta = write(
        tmp_path / "delta.json",
        [
            {
                "op": "ADD",
                "entity": person("olga", "Olga Smirnova", birthDate="1980", topics="sanction"),
            },
            {
                "op": "MOD",
                "entity": person("ivan", "Ivan Petrov", birthDate="1970-03-15", topics="sanction"),
            },
        ],
    )
    namesake = create(api, "Olga", "Ivanova", dob="1980-02-02", country="RU")
    result = watchlists.load(database, delta, delta=True)
    with database.write_sessionmaker() as session:
        # Only customers whose names share more than a first name are screened again.
        matching = list_service.customers_matching(session, result.changed_names)
        assert {c for _, c in matching} == {olga, ivan}
        # One customer a job, so that two workers share them.
        queued = flows.queue_rescreen(session, result.changed_names, batch=1)
        session.commit()
    assert (queued.customers, queued.jobs) == (2, 2)
    # Nothing is screened until a worker takes the jobs.
    assert len(checks_of(api, olga)) == 1
    ran = run_rescreen_jobs(database)
    assert sorted(ran.values()) == [1, 1]
    assert len(checks_of(api, namesake)) == 1
    [_, recurring] = checks_of(api, olga)
    assert (recurring["source"], recurring["status"]) == ("recurring", "pending-review")
    assert recurring["hits"][0]["entityId"] == "olga"
    assert len(checks_of(api, ada)) == 1
    # Ivan's entry changed (no more address or passport): a new check shows it as it is now.
    [_, again] = checks_of(api, ivan)
    assert again["source"] == "recurring"
    assert again["hits"][0]["passport"] == []
    # Loading the same delta again changes no entry and screens nobody.
    assert watchlists.load(database, delta, delta=True).changed == 0
    assert len(events(database, tenant.organization_id, "aml-list-possibly-matched")) == 3


def namesakes(count: int) -> list[dict[str, Any]]:
    """People named James Sm… (made-up surnames of the syllables below, none spelt or
    sounding like Smith): as many as a first name with a surname's first two letters
    finds in a list of millions."""
    syllables = ["ka", "lo", "ri", "ne", "bu", "go", "pe", "vi"]
    surnames = ("Sm" + "".join(s) for s in itertools.product(syllables, repeat=4))
    return [
        person(f"namesake-{n}", f"James {last}", topics="sanction")
        for n, last in zip(range(count), surnames, strict=False)
    ]


def test_a_customer_with_a_typo_finds_their_entry_among_thousands_of_namesakes(
    api: TestClient, database: Database, tmp_path: Path
) -> None:
    # The entry comes last, after 2,500 entries that share the customer's first name and the
    # first two letters of their last name; its rarer pairs of name tokens still find it.
    smith = person("smith", "James Smith", birthDate="1961-05-04", topics="sanction")
    listed = write(tmp_path / "namesakes.json", [*namesakes(2500), smith])
    assert watchlists.load(database, listed, source="namesakes").added == 2501
    customer_id = create(api, "James", "Smoth", dob="1961-05-04")
    [check] = checks_of(api, customer_id)
    assert [hit["entityId"] for hit in check["hits"]] == ["smith"]
    assert "confidence_fuzzy_full_name" in check["hits"][0]["matchDetails"]["confidenceFactors"]


def test_checks_of_another_organization_are_invisible(
    api: TestClient, app: Any, other_tenant: Tenant
) -> None:
    customer_id = create(api, "Ivan", "Petrov", dob="1970-03-15")
    [check] = checks_of(api, customer_id)
    with TestClient(app, base_url="http://openkyc.test", headers=other_tenant.headers) as other:
        assert_problem(other.get(f"/aml-checks/{check['id']}"), 404)
        assert other.get("/aml-checks").json() == []
        assert_problem(other.post(f"/aml-checks/{check['id']}/start-review"), 404)


def test_filters_and_sorting(api: TestClient) -> None:
    hit = create(api, "Ivan", "Petrov", dob="1970-03-15", country="RU")
    create(api, "Ada", "Lovelace")
    pending = api.get("/aml-checks", params={"filter": "status:pending-review"}).json()
    assert [c["customer"]["id"] for c in pending] == [hit]
    by_priority = api.get("/aml-checks", params={"filter": "priority:p0"}).json()
    assert [c["customer"]["id"] for c in by_priority] == [hit]
    assert_problem(api.get("/aml-checks", params={"sort": "hits"}), 422)


def test_tags_on_aml_checks(api: TestClient) -> None:
    customer_id = create(api, "Ivan", "Petrov", dob="1970-03-15")
    [check] = checks_of(api, customer_id)
    other = create(api, "Ada", "Lovelace")
    [clear] = checks_of(api, other)
    tagged = api.post(
        "/tags/escalated/aml-checks", json={"amlCheckIds": [check["id"], clear["id"]]}
    )
    assert tagged.status_code == 204, tagged.text
    assert api.get("/tags/escalated").json()["type"] == "aml-check"
    got = api.get(f"/aml-checks/{check['id']}").json()
    assert [t["name"] for t in got["tags"]] == ["escalated"]
    assert got["revision"] == check["revision"] + 1
    # Tagging again leaves it alone.
    assert api.post(f"/tags/escalated/aml-checks/{check['id']}").status_code == 204
    assert api.get(f"/aml-checks/{check['id']}").json()["revision"] == check["revision"] + 1
    found = api.get("/aml-checks", params={"filter": "tags:escalated", "sort": "id"}).json()
    assert {c["id"] for c in found} == {check["id"], clear["id"]}
    untagged = api.request(
        "DELETE", "/tags/escalated/aml-checks", json={"amlCheckIds": [clear["id"]]}
    )
    assert untagged.status_code == 204
    assert api.get(f"/aml-checks/{clear['id']}").json()["tags"] == []
    assert api.delete(f"/tags/escalated/aml-checks/{check['id']}").status_code == 204
    assert api.get(f"/aml-checks/{check['id']}").json()["tags"] == []
    missing = api.post("/tags/escalated/aml-checks", json={"amlCheckIds": ["aml_chk_nope"]})
    assert_problem(missing, 422)
    assert missing.json()["invalidFields"][0]["field"] == "amlCheckIds.0"
    assert_problem(api.post("/tags/escalated/aml-checks/aml_chk_nope"), 404)
    # A customer tag is not an AML check tag.
    api.post(f"/tags/vip/customers/{customer_id}")
    wrong = api.post(f"/tags/vip/aml-checks/{check['id']}")
    assert_problem(wrong, 422)


def test_a_merged_customer_s_checks_follow_it(api: TestClient) -> None:
    duplicate = create(api, "Ivan", "Petrov", dob="1970-03-15")
    target = create(api, "Ada", "Lovelace")
    [check] = checks_of(api, duplicate)
    merged = api.delete(f"/customers/{duplicate}", params={"targetCustomerId": target})
    assert merged.status_code == 204, merged.text
    assert api.get(f"/aml-checks/{check['id']}").json()["customer"]["id"] == target
    assert len(checks_of(api, target)) == 2
