"""Helpers of the security suite: keys with limits, clients from a given address, tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

BASE_URL = "http://openkyc.test"
# A public address the test client pretends to come from.
OFFICE_IP = "1.2.3.4"


@contextmanager
def client_from(app: FastAPI, address: str, **headers: str) -> Iterator[TestClient]:
    """A client whose requests come from ``address``."""
    with TestClient(
        app,
        base_url=BASE_URL,
        raise_server_exceptions=False,
        headers=headers,
        client=(address, 50000),
    ) as c:
        yield c


def acl(*permissions: str) -> list[dict[str, Any]]:
    return [{"scope": {}, "permissions": list(permissions)}]


def new_key(api: TestClient, description: str = "Limited", **fields: Any) -> dict[str, Any]:
    created = api.post("/api-keys", json={"description": description, **fields})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def key_headers(key: dict[str, Any]) -> dict[str, str]:
    return {"REB-APIKEY": key["secretKey"]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_token(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    created = client.post("/sessions", json=fields, headers=headers)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def exchange(client: TestClient, link_token: str, publishable: dict[str, Any]) -> dict[str, str]:
    """A customer token for a gatherer link, exchanged with a publishable key."""
    exchanged = client.post(
        f"/authentication-tokens/{link_token}/exchange",
        json={},
        headers={"Authorization": publishable["secretKey"]},
    )
    assert exchanged.status_code == 201, exchanged.text
    return bearer(exchanged.json()["token"])
