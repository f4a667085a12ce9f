"""A new check inherits the status a person gave a check of the same person (the same
customer screened with the same data, another customer with the same name and birth date or
the same primary phone), as the bot's decision; a false positive only when the hits are
exactly the same. Through HTTP, on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.aml import flows
from openkyc.clock import FrozenClock
from openkyc.db.session import Database
from tests.aml.test_checks import checks_of, events, listen, run_rescreen_jobs
from tests.fixtures import watchlists
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.fixtures.watchlists import person, write

PERSON = "customer_duplicated_by_person_exact_match"
PHONE = "customer_duplicated_by_primary_phone_number_exact_match"
PREVIOUS = "customer_previous_check_exact_match"


@pytest.fixture(autouse=True)
def loaded(database: Database, tmp_path: Path) -> None:
    watchlists.load(database, watchlists.full_export(tmp_path))


def phone(number: str) -> list[dict[str, Any]]:
    return [{"label": "mobile", "value": number, "primary": True}]


def screened(api: TestClient, first: str = "Ivan", last: str = "Petrov", **fields: Any) -> str:
    """A new customer (by default Ivan Petrov, born 1970-03-15, in Russia: the sanctioned
    entry's hit); its check's id."""
    fields = {"dob": "1970-03-15", "country": "RU", **fields}
    response = api.post("/customers", json=customer_body(first=first, last=last, **fields))
    assert response.status_code == 201, response.text
    return str(checks_of(api, response.json()["id"])[-1]["id"])


def load_delta(database: Database, folder: Path, op: str, entity: dict[str, Any]) -> Any:
    """A delta of one entry, loaded (and nobody screened again)."""
    path = write(folder / "delta.json", [{"op": op, "entity": entity}])
    return watchlists.load(database, path, delta=True)


def decided(api: TestClient, status: str, **fields: Any) -> str:
    """A customer's check with hits, decided by a person."""
    check_id = screened(api, **fields)
    reviewed = api.post(f"/aml-checks/{check_id}/review", json={"status": status})
    assert reviewed.status_code == 201, reviewed.text
    return check_id


def check(api: TestClient, check_id: str) -> dict[str, Any]:
    response = api.get(f"/aml-checks/{check_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def assert_inherited(found: dict[str, Any], status: str, source: str, reasons: list[str]) -> None:
    assert found["status"] == status
    assert (found["reviewerType"], found["reviewerName"], found["reviewerId"]) == (
        "bot",
        "bot",
        None,
    )
    assert found["reviewTime"] is not None
    assert found["provenance"] == {
        "inherited": True,
        "inheritedFromAmlCheckId": source,
        "scope": ["status-only"],
        "reasons": reasons,
    }


def assert_waits(found: dict[str, Any]) -> None:
    assert (found["status"], found["provenance"], found["reviewerType"]) == (
        "pending-review",
        None,
        None,
    )


def test_another_customer_with_the_same_name_and_birth_date_inherits_a_false_positive(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    listen(api)
    source = decided(api, "false-positive")
    copy_id = screened(api, email="ivan.again@example.com")
    copy = check(api, copy_id)
    assert_inherited(copy, "false-positive", source, [PERSON])
    # Only the status is inherited: the check keeps the hits it found itself.
    assert [h["entityId"] for h in copy["hits"]] == ["ivan"]
    assert copy["priority"] == "p0"
    customer_id = copy["customer"]["id"]
    timeline = api.get(f"/customers/{customer_id}/timeline", params={"sort": "occurredTime"}).json()
    assert [(e["type"], e["message"]) for e in timeline if e["type"].startswith("aml")][1:] == [
        (
            "aml-check-reviewed",
            f"bot reviewed AML check {copy_id}: false-positive, inherited from AML check "
            f"{source} ({PERSON})",
        )
    ]
    # The merchant hears of the hits as of any check's, and reads the check's status.
    announced = events(database, tenant.organization_id, "aml-list-possibly-matched")
    assert sorted(e.payload["amlCheckId"] for e in announced) == sorted([source, copy_id])
    decisions = api.get(f"/aml-checks/{copy_id}/decisions").json()
    assert [(d["status"], d["authorName"], d["state"]) for d in decisions] == [
        ("false-positive", "bot", "effective")
    ]
    # A person may reverse the bot: the result is then theirs, no longer inherited.
    reversed_ = api.post(f"/aml-checks/{copy_id}/review", json={"status": "confirmed-match"})
    assert reversed_.status_code == 201, reversed_.text
    body = reversed_.json()
    assert (body["status"], body["reviewerType"], body["provenance"]) == (
        "confirmed-match",
        "human",
        None,
    )
    later = api.get(f"/aml-checks/{copy_id}/decisions").json()
    assert later[1]["reverses"] == later[0]["id"]
    # The suppression the inherited false positive made ends with it; screened again, the
    # copy's entry is raised, and as people judged it differently for the two customers of
    # the same person, it waits for a person.
    again = api.post("/aml-checks", json={"customerId": customer_id}).json()
    assert [h["entityId"] for h in again["hits"]] == ["ivan"]
    assert_waits(again)


def test_another_customer_with_the_same_primary_phone_inherits_a_confirmed_match(
    api: TestClient,
) -> None:
    source = decided(api, "confirmed-match", phoneNumbers=phone("+7 (495) 123-45-67"))
    # Written another way, without a birth date: the same digits are the same phone.
    by_phone = screened(api, dob=None, phoneNumbers=phone("74951234567"))
    assert_inherited(check(api, by_phone), "confirmed-match", source, [PHONE])
    both = screened(api, phoneNumbers=phone("+7 495 123 45 67"))
    assert_inherited(check(api, both), "confirmed-match", source, [PERSON, PHONE])


def test_the_same_customer_screened_again_inherits_its_confirmed_match(
    api: TestClient, database: Database, tmp_path: Path
) -> None:
    source = decided(api, "confirmed-match")
    customer_id = check(api, source)["customer"]["id"]
    again = api.post("/aml-checks", json={"customerId": customer_id})
    assert again.status_code == 201, again.text
    assert_inherited(again.json(), "confirmed-match", source, [PREVIOUS])
    # The confirmed entry changed on the list: the customer is still that person.
    changed = person("ivan", "Ivan Petrov", birthDate="1970-03-15", topics="sanction")
    result = load_delta(database, tmp_path, "MOD", changed)
    with database.write_sessionmaker() as session:
        flows.queue_rescreen(session, result.changed_names)
        session.commit()
    run_rescreen_jobs(database)
    latest = checks_of(api, customer_id)[-1]
    assert latest["source"] == "recurring"
    assert latest["hits"][0]["passport"] == []
    assert_inherited(latest, "confirmed-match", source, [PREVIOUS])


@pytest.mark.parametrize(
    ("op", "entry", "found"),
    [
        # The judged entry changed on the list since.
        (
            "MOD",
            person("ivan", "Ivan Petrov", birthDate="1970-03-15", topics="sanction"),
            ["ivan"],
        ),
        # Another entry is found beside the judged one.
        (
            "ADD",
            person("ivan-2", "Ivan Petrov", birthDate="1970", topics="role.pep"),
            ["ivan", "ivan-2"],
        ),
    ],
)
def test_a_false_positive_is_not_inherited_when_the_hits_changed(
    api: TestClient,
    database: Database,
    tmp_path: Path,
    op: str,
    entry: dict[str, Any],
    found: list[str],
) -> None:
    decided(api, "false-positive")
    load_delta(database, tmp_path, op, entry)
    made = check(api, screened(api))
    assert_waits(made)
    assert sorted(h["entityId"] for h in made["hits"]) == found


def test_a_false_positive_is_not_inherited_when_the_entry_matches_more_strongly(
    api: TestClient,
) -> None:
    # Judged for a customer in Britain; the same name and birth date in Russia, where the
    # entry lives, is a stronger hit that a person has not seen.
    decided(api, "false-positive", country="GB")
    found = check(api, screened(api, country="RU"))
    assert_waits(found)
    assert found["hits"][0]["confidence"] == "very-strong"


def test_a_false_positive_is_not_inherited_once_its_suppression_ends(
    api: TestClient, clock: FrozenClock
) -> None:
    source = decided(api, "false-positive")
    clock.advance(seconds=364 * 86400)
    assert check(api, screened(api))["provenance"]["inheritedFromAmlCheckId"] == source
    clock.advance(seconds=2 * 86400)
    assert_waits(check(api, screened(api)))


def test_a_false_positive_is_never_inherited_without_suppression(api: TestClient) -> None:
    settings = api.get("/aml-settings").json()
    changed = api.put("/aml-settings", json={**settings, "falsePositiveSuppressionDays": 0})
    assert changed.status_code == 201, changed.text
    decided(api, "false-positive")
    assert_waits(check(api, screened(api)))


def test_nothing_is_inherited_from_another_person_or_an_undecided_check(api: TestClient) -> None:
    screened(api, phoneNumbers=phone("+7 495 123 45 67"))  # waits for a person
    assert_waits(check(api, screened(api)))
    decided(api, "confirmed-match", dob="1970-03-16", email="namesake@example.com")
    # Same name, another birth date, another phone: someone else.
    assert_waits(check(api, screened(api, dob="1970-03-17", phoneNumbers=phone("+7 1111111"))))


def test_decisions_that_disagree_leave_the_check_to_a_person(api: TestClient) -> None:
    decided(api, "false-positive")
    # A second customer, the same person: inherits, and a person reverses it.
    copy = screened(api)
    reviewed = api.post(f"/aml-checks/{copy}/review", json={"status": "confirmed-match"})
    assert reviewed.json()["status"] == "confirmed-match"
    assert_waits(check(api, screened(api)))


def test_the_bot_s_decisions_are_not_inherited_from(api: TestClient, clock: FrozenClock) -> None:
    source = decided(api, "confirmed-match")
    clock.advance(seconds=60)
    assert check(api, screened(api))["provenance"]["inheritedFromAmlCheckId"] == source
    clock.advance(seconds=60)
    # The latest decided check of the person is the bot's: the person's is the source.
    assert check(api, screened(api))["provenance"]["inheritedFromAmlCheckId"] == source


def test_nothing_is_inherited_across_organizations(
    api: TestClient, app: Any, other_tenant: Tenant
) -> None:
    decided(api, "confirmed-match", phoneNumbers=phone("+7 495 123 45 67"))
    with TestClient(app, base_url="http://openkyc.test", headers=other_tenant.headers) as other:
        found = check(other, screened(other, phoneNumbers=phone("+7 495 123 45 67")))
        assert_waits(found)
        assert other.get(f"/aml-checks/{found['id']}/decisions").json() == []
