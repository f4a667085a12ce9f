"""`q` finds the text it is given: `%`, `_` and `\\` are characters, never wildcards, in every
collection's text search."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.payloads import customer_body

WILDCARDS = ["%", "__", "\\", "\\%", "%a%"]
COLLECTIONS = [
    "/customers",
    "/files",
    "/attachments",
    "/webhooks",
    "/tracking/webhooks",
    "/service-credentials/webhook",
]


@pytest.mark.parametrize("q", WILDCARDS)
@pytest.mark.parametrize("path", COLLECTIONS)
def test_wildcards_match_only_themselves(api: TestClient, path: str, q: str) -> None:
    api.post("/customers", json=customer_body(first="Ada"))
    found = api.get(path, params={"q": q})
    assert found.status_code == 200, found.text
    assert found.json() == []


@pytest.mark.parametrize("q", ["50%", "a_b", "back\\slash"])
def test_the_characters_themselves_are_found(api: TestClient, q: str) -> None:
    api.post("/customers", json=customer_body(first="Ada"))
    named = api.post("/customers", json=customer_body(first="Ada", last=f"x{q}y"))
    assert named.status_code == 201, named.text
    found = api.get("/customers", params={"q": q}).json()
    assert [c["id"] for c in found] == [named.json()["id"]]
