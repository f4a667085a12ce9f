"""What schemathesis found, pinned as exact requests to a live server on both backends, so a
regression fails every run rather than when the search happens upon it again."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.live import Live


def _invalid_fields(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields: list[dict[str, str]] = response.json()["invalidFields"]
    return fields


def _post(live: Live, path: str, body: Any) -> httpx.Response:
    return httpx.post(f"{live.base_url}{path}", json=body, headers=live.headers)


def _customer_total(live: Live) -> str:
    response = httpx.get(f"{live.base_url}/customers", headers=live.headers)
    return response.headers["Pagination-Total"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/customers", "GET, POST"),
        ("/customers/cus_1", "DELETE, GET, PUT"),
        ("/api-keys/key_1", "DELETE, GET, PUT"),
    ],
)
def test_method_not_allowed_lists_every_method_of_the_path(
    live: Live, path: str, allowed: str
) -> None:
    for prefix in ("", f"/organizations/{live.organization_id}"):
        response = httpx.request("OPTIONS", f"{live.base_url}{prefix}{path}", headers=live.headers)
        assert response.status_code == 405
        assert response.headers["Allow"] == allowed
        assert response.json()["type"] == "/problems/method-not-allowed"


@pytest.mark.parametrize("offset", ["1001", "173332584057873596416"])
def test_offset_beyond_the_documented_maximum_is_refused(live: Live, offset: str) -> None:
    response = httpx.get(
        f"{live.base_url}/customers", params={"offset": offset}, headers=live.headers
    )
    fields = _invalid_fields(response)
    assert [f["field"] for f in fields] == ["offset"]


@pytest.mark.parametrize("parameter", ["q", "filter"])
def test_nul_in_a_query_that_reaches_sql_is_refused(live: Live, parameter: str) -> None:
    value = "email:a\x00" if parameter == "filter" else "a\x00"
    response = httpx.get(
        f"{live.base_url}/customers", params={parameter: value}, headers=live.headers
    )
    assert [f["field"] for f in _invalid_fields(response)] == [parameter]


NUL = "Value error, must not contain the NUL character (U+0000)"
# 254 characters, each label at most 63: the longest address email-validator takes.
LONGEST_EMAIL = "a@" + ".".join(["b" * 61, "c" * 61, "d" * 61, "e" * 63]) + ".io"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"customFields": {"note": "a\x00b"}}, [{"field": "customFields", "message": NUL}]),
        ({"customFields": {"\x00": 1}}, [{"field": "customFields", "message": NUL}]),
        (
            {
                "primaryAddress": {
                    "firstName": "Ada\x00",
                    "emails": [{"label": "\x00", "value": "a@b.io"}],
                }
            },
            [
                {"field": "primaryAddress.firstName", "message": NUL},
                {"field": "primaryAddress.emails.0.label", "message": NUL},
            ],
        ),
        (
            {"taxNumbers": [{"type": "other", "value": "1", "isDefault": 1}]},
            [{"field": "taxNumbers.0.isDefault", "message": "Input should be a valid boolean"}],
        ),
        (
            {"primaryAddress": {"dob": 0}},
            [
                {
                    "field": "primaryAddress.dob",
                    "message": "Value error, must be an ISO 8601 string, not a number",
                }
            ],
        ),
        (
            {"email": LONGEST_EMAIL.replace("@", "@b")},
            [
                {
                    "field": "email",
                    "message": "value is not a valid email address: "
                    "The email address is too long (1 character too many).",
                }
            ],
        ),
    ],
    ids=[
        "nul-in-value",
        "nul-in-key",
        "nul-in-text",
        "number-as-boolean",
        "number-as-date",
        "long-email",
    ],
)
def test_bodies_the_document_does_not_allow_are_refused_and_nothing_is_stored(
    live: Live, body: dict[str, Any], expected: list[dict[str, str]]
) -> None:
    assert _invalid_fields(_post(live, "/customers", body)) == expected
    put = httpx.put(f"{live.base_url}/customers/cus-refused", json=body, headers=live.headers)
    assert _invalid_fields(put) == expected
    assert _customer_total(live) == "0"


def test_half_a_surrogate_pair_is_refused(live: Live) -> None:
    response = httpx.post(
        f"{live.base_url}/customers",
        content=b'{"customFields": {"note": "\\udb3f"}}',
        headers={**live.headers, "Content-Type": "application/json"},
    )
    assert _invalid_fields(response) == [
        {"field": "customFields", "message": "Value error, must be valid Unicode text"}
    ]
    assert _customer_total(live) == "0"


def test_a_number_is_not_a_session_expiry(live: Live) -> None:
    response = _post(live, "/sessions", {"expiredTime": 4102444800})
    assert _invalid_fields(response) == [
        {"field": "expiredTime", "message": "Value error, must be an ISO 8601 string, not a number"}
    ]


def test_allowed_ips_take_what_the_document_describes(live: Live) -> None:
    document = httpx.get(f"{live.base_url}/openapi.json").json()
    allowed_ips = document["components"]["schemas"]["ApiKeyIn"]["properties"]["allowedIps"]
    forms = allowed_ips["anyOf"][0]["items"]["anyOf"]
    assert forms[:2] == [{"format": "ipv4"}, {"format": "ipv6"}]
    assert [sorted(form) for form in forms[2:]] == [["pattern"], ["pattern"]]
    networks = ["153.12.32.33", "201.54.122.0/24", "2001:4860:4860::8888", "2001:4860::/32"]
    created = _post(live, "/api-keys", {"description": "office", "allowedIps": networks})
    assert created.status_code == 201, created.text
    assert created.json()["allowedIps"] == networks
    for refused, message in (
        ("", "Value error, '' does not appear to be an IPv4 or IPv6 network"),
        ("10.0.0.0/8", "Value error, 10.0.0.0/8 is a private network; list public addresses"),
    ):
        response = _post(live, "/api-keys", {"description": "office", "allowedIps": [refused]})
        assert _invalid_fields(response) == [{"field": "allowedIps", "message": message}]


def test_the_document_bounds_emails_where_the_server_does(live: Live) -> None:
    document = httpx.get(f"{live.base_url}/openapi.json").json()
    customer = document["components"]["schemas"]["CustomerIn"]["properties"]
    assert customer["email"]["anyOf"][0] == {"type": "string", "format": "email", "maxLength": 254}
    created = _post(live, "/customers", {"email": LONGEST_EMAIL})
    assert (created.status_code, created.json()["email"]) == (201, LONGEST_EMAIL)


@pytest.mark.parametrize("path", ["/customers/%C3%99", "/api-keys/%C3%99", "/customers/a%0A"])
def test_ids_are_the_ascii_the_document_describes(live: Live, path: str) -> None:
    response = httpx.put(
        f"{live.base_url}{path}", json={"description": "key"}, headers=live.headers
    )
    assert [f["field"] for f in _invalid_fields(response)] == ["id"]


def test_optional_parameters_are_left_out_not_null(live: Live) -> None:
    document = httpx.get(f"{live.base_url}/openapi.json").json()
    schemas = [
        parameter["schema"]
        for path in document["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
    ]
    assert {"name": "q", "in": "query", "required": False} | {
        "schema": {
            "type": "string",
            "maxLength": 200,
            "pattern": "^[^\\x00]*$",
            "title": "Q",
            "description": "Partial text search.",
        },
        "description": "Partial text search.",
    } in document["paths"]["/customers"]["get"]["parameters"]
    assert [schema for schema in schemas if "anyOf" in schema] == []
