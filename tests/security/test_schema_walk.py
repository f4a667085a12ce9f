"""Every operation of the served OpenAPI document, with hostile values in each of its path
and query parameters and in each field of its JSON body (dates past the calendar and UTC's
offsets, integers past 64 bits, thousands of filter clauses, NULs, lone surrogates, very long
text, the wrong JSON type) and non-ASCII bytes in its request headers: never a 5xx. Refusals
are problem documents, and a value that cannot be what the field is names the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage import Storage
from openkyc.web.app import create_app
from tests.fixtures import kyc
from tests.fixtures.storefront import customer_token
from tests.fixtures.tenants import Tenant

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
METHODS = ("get", "put", "post", "patch", "delete")
LONG = "x" * 100_000
EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "+99999-01-01T00:00:00Z"]
HUGE = [2**64, -(2**64), 10**40]


@dataclass(frozen=True)
class Hostile:
    """A value to send, and whether the field it is sent in must be named in the refusal
    (a value that cannot be what the field is)."""

    label: str
    value: Any
    named: bool


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema behind a $ref; for a union, its first variant that is not null."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for union in ("anyOf", "oneOf"):
        variants = [v for v in schema.get(union, []) if v.get("type") != "null"]
        if variants:
            return _resolve(document, variants[0])
    return schema


def _wrong_type(kind: str | None) -> Any:
    return {"string": {"not": "text"}, "array": "not a list", "object": [1, 2]}.get(
        kind or "", {"not": "a value"}
    )


def body_values(schema: dict[str, Any]) -> list[Hostile]:
    kind = schema.get("type")
    values = [Hostile("wrong type", _wrong_type(kind), True)]
    if kind == "integer" or kind == "number":
        values += [Hostile(f"integer {v:.0e}", v, True) for v in HUGE]
    if kind == "string":
        values += [
            Hostile("NUL", "a\x00b", True),
            Hostile("lone surrogate", "a\ud800b", False),
            Hostile("100k characters", LONG, False),
            Hostile("right-to-left override", "\u202egnp.exe", False),
        ]
        if schema.get("format") in ("date-time", "date"):
            values += [Hostile(f"time {t}", t, True) for t in EDGE_TIMES]
        if "enum" in schema:
            values.append(Hostile("not one of the values", "\u2603", True))
    return values


def query_values(name: str, schema: dict[str, Any]) -> list[Hostile]:
    kind = schema.get("type")
    values = [
        Hostile("NUL", "a\x00b", False),
        Hostile("60k characters", LONG[:60_000], False),  # near what a URL can carry
        Hostile("non-ASCII", "\u2603\u202e", False),
    ]
    if kind == "integer":
        values += [Hostile(f"integer {v:.0e}", str(v), True) for v in HUGE]
        values.append(Hostile("not a number", "12abc", True))
    if name == "filter":
        values += [
            Hostile("2,000 clauses", ";".join(f"id:x{n}" for n in range(2000)), True),
            Hostile("5,000 values", "id:" + ",".join(f"x{n}" for n in range(5000)), True),
        ]
        values += [Hostile(f"time {t}", f"createdTime:{t}..", True) for t in EDGE_TIMES]
    if name == "sort":
        values.append(Hostile("2,000 fields", ",".join(["-createdTime"] * 2000), False))
    return values


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def customer(self) -> bool:
        return {"CustomerJWT": []} in (self.spec.get("security") or [])

    def url(self, path_values: dict[str, str] | None = None) -> str:
        """The path with the given values, and elsewhere an id that does not exist (or the
        first of the values a path parameter may take)."""
        url = self.path
        for parameter in self.spec.get("parameters", []):
            if parameter["in"] == "path":
                name = parameter["name"]
                usual = (parameter.get("schema", {}).get("enum") or ["xyz_1"])[0]
                url = url.replace("{" + name + "}", (path_values or {}).get(name, usual))
        return url


def operations(document: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ]


def _variants(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The kinds of body an operation takes: each member of a union told apart by a field,
    with that field set; otherwise the one schema."""
    tag = schema.get("discriminator", {}).get("propertyName")
    if not tag:
        return [{"schema": _resolve(document, schema), "base": {}}]
    return [
        {"schema": _resolve(document, {"$ref": ref}), "base": {tag: value}}
        for value, ref in schema["discriminator"]["mapping"].items()
    ]


def body_fields(
    document: dict[str, Any], operation: Operation
) -> Iterator[tuple[str, Hostile, dict[str, Any]]]:
    """(dotted name, a body holding a hostile value there) for each field to depth two:
    ``{"a": v}``, ``{"a": {"b": v}}`` and ``{"a": [{"b": v}]}``."""
    content = (operation.spec.get("requestBody") or {}).get("content", {})
    if "application/json" not in content:
        return
    for variant in _variants(document, content["application/json"]["schema"]):
        base = variant["base"]
        for name, field in variant["schema"].get("properties", {}).items():
            field = _resolve(document, field)
            for hostile in body_values(field):
                yield name, hostile, {**base, name: hostile.value}
            inner, prefix = field, name
            if field.get("type") == "array":
                inner, prefix = _resolve(document, field.get("items", {})), f"{name}.0"
            for sub, subfield in inner.get("properties", {}).items():
                for hostile in body_values(_resolve(document, subfield)):
                    value: Any = {sub: hostile.value}
                    nested = [value] if prefix != name else value
                    yield f"{prefix}.{sub}", hostile, {**base, name: nested}


@dataclass
class Outcome:
    failures: list[str]
    sent: int = 0

    def check(self, where: str, response: httpx.Response, field: str, named: bool) -> None:
        self.sent += 1
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{where}: {status} {response.text[:300]}")
            return
        if status < 400:
            return
        if response.headers.get("content-type") != "application/problem+json":
            self.failures.append(f"{where}: {status} is not a problem document")
            return
        if status != 422 or not named:
            return
        names = [f["field"] for f in response.json().get("invalidFields", [])]
        if not any(n == field or n.startswith(field + ".") for n in names):
            self.failures.append(f"{where}: 422 names {names}, not {field}")


@pytest.fixture
def app(settings: Settings, database: Database, storage: Storage) -> FastAPI:
    # Thousands of refused writes in a row: no rate limit in the way.
    return create_app(
        settings.model_copy(update={"rate_limit": "100000/minute"}), database, storage
    )


@pytest.fixture
def customer_headers(api: TestClient) -> dict[str, str]:
    request = kyc.kyc_request(api, kyc.customer(api), "identity-proof")
    return {"Authorization": f"Bearer {customer_token(api, request)}"}


def _send(
    client: TestClient,
    operation: Operation,
    headers: dict[str, str],
    url: str,
    params: dict[str, str] | None = None,
    body: Any = None,
) -> httpx.Response:
    if body is None:
        return client.request(operation.method.upper(), url, params=params, headers=headers)
    # As JSON escapes it (a lone surrogate is "\\ud800" on the wire, as a client may send it).
    content = json.dumps(body).encode()
    headers = {**headers, "Content-Type": "application/json"}
    return client.request(operation.method.upper(), url, content=content, headers=headers)


def test_no_hostile_value_in_any_parameter_or_field_is_a_server_error(
    api: TestClient, tenant: Tenant, customer_headers: dict[str, str]
) -> None:
    document = api.get("/openapi.json").json()
    found = operations(document)
    assert len(found) >= 100
    outcome = Outcome([])
    for operation in found:
        headers = customer_headers if operation.customer else tenant.headers
        where = f"{operation.method.upper()} {operation.path}"
        for parameter in operation.spec.get("parameters", []):
            schema = _resolve(document, parameter.get("schema", {}))
            name = parameter["name"]
            if parameter["in"] == "path":
                for value in ("a%00b", "%ff%fe", LONG[:5000], "\u2603", "..%2F..%2Fetc"):
                    response = _send(api, operation, headers, operation.url({name: value}))
                    outcome.check(f"{where} {name}={value[:20]!r}", response, name, False)
                continue
            for hostile in query_values(name, schema):
                response = _send(
                    api, operation, headers, operation.url(), params={name: hostile.value}
                )
                outcome.check(f"{where} ?{name} {hostile.label}", response, name, hostile.named)
        for field, hostile, body in body_fields(document, operation):
            response = _send(api, operation, headers, operation.url(), body=body)
            outcome.check(f"{where} {field} {hostile.label}", response, field, hostile.named)
        wrong_bodies: list[Any] = [[], "text", 12, {"\x00": 1}]
        for wrong in wrong_bodies:
            if operation.spec.get("requestBody"):
                response = _send(api, operation, headers, operation.url(), body=wrong)
                outcome.check(f"{where} body {wrong!r}", response, "", False)
    assert outcome.failures == [], f"{len(outcome.failures)} of {outcome.sent}"
    assert outcome.sent > 2000


def test_request_headers_that_are_not_ascii_are_never_a_server_error(
    api: TestClient, tenant: Tenant
) -> None:
    document = api.get("/openapi.json").json()
    outcome = Outcome([])
    hostile = "\u2603 R\u00e9n\u00e9e".encode()
    for operation in operations(document):
        for name in ("REB-APIKEY", "Authorization", "X-Request-Id", "Accept-Language", "Origin"):
            headers = {**tenant.headers, name: hostile}
            response = api.request(operation.method.upper(), operation.url(), headers=headers)
            outcome.check(
                f"{operation.method.upper()} {operation.path} {name}", response, "", False
            )
    assert outcome.failures == [], f"{len(outcome.failures)} of {outcome.sent}"
