"""Rebilly's filter and sort syntax, run as SQL on both backends through the customers API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openkyc.db.collection import Field, parse_value
from openkyc.errors import ValidationFailed
from tests.fixtures.payloads import customer_body
from tests.web.test_conventions import assert_problem

PEOPLE = [
    ("c1", "John", "Doe", "1980-01-01", "US"),
    ("c2", "Bob", "Smith", "1990-06-15", "GB"),
    ("c3", "Alice", "Doe", "2000-02-29", "CA"),
    ("c4", "john", "Adams", "1970-12-31", "US"),
]


@pytest.fixture
def people(api: TestClient) -> TestClient:
    for customer_id, first, last, dob, country in PEOPLE:
        api.put(
            f"/customers/{customer_id}",
            json=customer_body(first=first, last=last, dob=dob, country=country),
        )
    api.put("/customers/c5", json={"primaryAddress": {"lastName": "Nameless"}})
    return api


def ids(api: TestClient, filter: str, sort: str = "id") -> list[str]:
    response = api.get("/customers", params={"filter": filter, "sort": sort})
    assert response.status_code == 200, response.text
    assert response.headers["pagination-total"] == str(len(response.json()))
    return [c["id"] for c in response.json()]


def test_exact_text_matches_ignore_case(people: TestClient) -> None:
    assert ids(people, "firstName:JOHN") == ["c1", "c4"]
    assert ids(people, "primaryAddress.firstName:john") == ["c1", "c4"]


def test_commas_are_or_and_semicolons_are_and(people: TestClient) -> None:
    assert ids(people, "firstName:Bob,Alice") == ["c2", "c3"]
    assert ids(people, "lastName:Doe;primaryAddress.country:US") == ["c1"]


def test_bang_excludes_and_keeps_missing_values(people: TestClient) -> None:
    assert ids(people, "firstName:!John,!Bob") == ["c3", "c5"]
    assert ids(people, "lastName:Doe,!Doe") == []


def test_ranges_on_dates_and_times(people: TestClient) -> None:
    assert ids(people, "primaryAddress.dob:1980-01-01..1999-12-31") == ["c1", "c2"]
    assert ids(people, "primaryAddress.dob:1995-01-01..") == ["c3"]
    assert ids(people, "primaryAddress.dob:..1975-01-01") == ["c4"]
    assert ids(people, "createdTime:2000-01-01T00:00:00Z..") == ["c1", "c2", "c3", "c4", "c5"]
    assert ids(people, "createdTime:..2000-01-01T00:00:00Z") == []


def test_a_time_copied_from_a_response_finds_its_record(people: TestClient) -> None:
    """Times are shown to the second and stored finer: a shown time stands for its second,
    a date for its day, as an exact value and as either end of a range."""
    shown = people.get("/customers/c3").json()["createdTime"]
    same_second = {c["id"] for c in people.get("/customers").json() if c["createdTime"] == shown}
    assert set(ids(people, f"createdTime:{shown}")) == same_second
    assert "c3" in ids(people, f"createdTime:..{shown}")
    assert "c3" in ids(people, f"createdTime:{shown}..{shown}")
    assert "c3" not in ids(people, f"createdTime:!{shown}")
    day = shown[:10]
    that_day = sorted(c["id"] for c in people.get("/customers").json() if c["createdTime"] >= day)
    assert ids(people, f"createdTime:{day}") == that_day
    assert "c3" in ids(people, f"createdTime:..{day}")
    # Written to the microsecond, the time stands for that microsecond only.
    assert "c3" in ids(people, f"createdTime:{shown[:-1]}.000000Z..")
    assert "c3" not in ids(people, f"createdTime:..{shown[:-1]}.000000Z")


def test_null_and_quoted_values(people: TestClient) -> None:
    assert ids(people, "firstName:null") == ["c5"]
    assert ids(people, 'lastName:"Doe"') == ["c1", "c3"]
    people.put("/customers/c6", json=customer_body(first="Jean", last="Dupont, fils"))
    assert ids(people, 'lastName:"Dupont, fils"') == ["c6"]


def test_sorting_ascending_and_descending(people: TestClient) -> None:
    assert ids(people, "lastName:Doe,Smith,Adams", sort="-lastName,firstName") == [
        "c2",
        "c3",
        "c1",
        "c4",
    ]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"filter": "hasFulfilledKyc:maybe"}, "filter", "true or false"),
        ({"filter": "primaryAddress.dob:yesterday"}, "filter", "YYYY-MM-DD"),
        ({"filter": "createdTime:soon.."}, "filter", "ISO 8601"),
        ({"filter": "firstName:a..b"}, "filter", "range"),
        ({"filter": "password:x"}, "filter", "cannot filter by 'password'"),
        ({"filter": "firstName"}, "filter", "field:value"),
        ({"filter": 'lastName:"open'}, "filter", "not closed"),
        ({"sort": "password"}, "sort", "cannot sort by 'password'"),
        ({"sort": "hasFulfilledKyc"}, "sort", "cannot sort"),
    ],
)
def test_bad_queries_are_422_naming_the_parameter(
    people: TestClient, params: dict, field: str, words: str
) -> None:
    problem = assert_problem(people.get("/customers", params=params), 422)
    assert problem["invalidFields"][0]["field"] == field
    assert words in problem["invalidFields"][0]["message"]


def test_values_are_typed_before_reaching_sql() -> None:
    integer = Field("size", None, "integer")
    assert parse_value(integer, "!10..20").__dict__ == {
        "negated": True,
        "low": 10,
        "high": 20,
        "is_range": True,
    }
    assert parse_value(integer, "..5").high == 5
    with pytest.raises(ValidationFailed):
        parse_value(integer, "1.5")
    with pytest.raises(ValidationFailed):
        parse_value(integer, "..")
    with pytest.raises(ValidationFailed):
        parse_value(Field("name", None, "text"), "@vip")
