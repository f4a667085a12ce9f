"""Crafted values (dates at the ends of the calendar, offsets past UTC's range, integers past
64 bits, filters of thousands of clauses, non-ASCII header values) get a 4xx problem naming
the field, on every collection and body that takes them; never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import kyc

COLLECTIONS = [
    "/customers",
    "/files",
    "/attachments",
    "/kyc-requests",
    "/kyc-documents",
    "/tags",
    "/webhooks",
    "/tracking/webhooks",
    "/api-keys",
]
EDGE_TIMES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31",
]
HUGE_INTEGERS = [str(2**64), str(-(2**64)), "9" * 40]


def _problem(response: Any, field: str) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    fields = {f["field"]: f["message"] for f in response.json().get("invalidFields", [])}
    assert field in fields, response.json()
    return fields[field]


@pytest.mark.parametrize("path", COLLECTIONS)
@pytest.mark.parametrize("moment", EDGE_TIMES)
def test_a_filter_on_a_time_at_the_end_of_the_calendar_is_a_422(
    api: TestClient, path: str, moment: str
) -> None:
    for expression in (
        f"createdTime:{moment}",
        f"createdTime:{moment}..",
        f"createdTime:..{moment}",
    ):
        response = api.get(path, params={"filter": expression})
        if response.status_code == 200:  # a representable moment: an empty page
            continue
        _problem(response, "filter")


@pytest.mark.parametrize("path", COLLECTIONS)
def test_a_filter_of_two_thousand_clauses_or_values_is_a_422(api: TestClient, path: str) -> None:
    clauses = ";".join(f"id:x{n}" for n in range(2000))
    assert "at most 50 clauses" in _problem(api.get(path, params={"filter": clauses}), "filter")
    values = "id:" + ",".join(f"x{n}" for n in range(5000))
    assert "at most 500 values" in _problem(api.get(path, params={"filter": values}), "filter")
    assert api.get(path, params={"filter": ";".join(f"id:x{n}" for n in range(50))}).is_success


@pytest.mark.parametrize("value", HUGE_INTEGERS)
@pytest.mark.parametrize("parameter", ["limit", "offset"])
def test_a_paging_integer_past_64_bits_is_a_422(
    api: TestClient, parameter: str, value: str
) -> None:
    _problem(api.get("/customers", params={parameter: value}), parameter)


@pytest.mark.parametrize("value", HUGE_INTEGERS)
def test_an_integer_filter_past_64_bits_is_a_422(api: TestClient, value: str) -> None:
    assert "an integer" in _problem(
        api.get("/kyc-requests", params={"filter": f"matchLevel:{value}"}), "filter"
    )


@pytest.mark.parametrize("moment", EDGE_TIMES[:3])
def test_a_body_time_past_utcs_range_is_a_422_naming_it(api: TestClient, moment: str) -> None:
    session = api.post("/sessions", json={"permissions": ["GetCustomer"], "expiredTime": moment})
    _problem(session, "expiredTime")
    customer_id = kyc.customer(api)
    request = api.post(
        "/kyc-requests",
        json={
            "customerId": customer_id,
            "documents": [{"type": "identity-proof"}],
            "expirationTime": moment,
        },
    )
    _problem(request, "expirationTime")


@pytest.mark.parametrize("value", [2**64, -(2**64), 10**40])
def test_a_body_integer_past_64_bits_is_a_422_naming_it(api: TestClient, value: int) -> None:
    customer_id = kyc.customer(api)
    body = {
        "customerId": customer_id,
        "documents": [{"type": "identity-proof", "maxAttempts": value}],
    }
    _problem(api.post("/kyc-requests", json=body), "documents.0.maxAttempts")


@pytest.mark.parametrize("value", ["Ren\u00e9e", "\u2603", "line\r\nInjected: 1", "\x00"])
def test_a_webhook_header_value_that_http_cannot_carry_is_a_422(
    api: TestClient, value: str
) -> None:
    credential = api.post("/service-credentials/webhook", json={"host": "example.com"})
    body = {
        "eventsFilter": ["customer-created"],
        "url": "https://example.com/hooks",
        "method": "POST",
        "headers": [{"name": "x-name", "value": value}],
        "credentialHash": credential.json().get("id"),
    }
    _problem(api.post("/webhooks", json=body), "headers.0.value")
    assert api.get("/webhooks").json() == []
