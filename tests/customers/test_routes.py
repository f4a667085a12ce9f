from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session as OrmSession

from openkyc.db.models import Customer
from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.files.helpers import settings_with
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import make_tenant
from tests.web.test_conventions import assert_problem


def test_create_and_read_a_customer(api: TestClient, tenant) -> None:
    created = api.post(
        "/customers",
        json=customer_body(phoneNumbers=[{"label": "mobile", "value": "+44 20 7946 0958"}]),
    )
    assert created.status_code == 201
    customer = created.json()
    assert customer["id"].startswith("cus_") and len(customer["id"]) == 30
    assert (customer["firstName"], customer["lastName"], customer["email"]) == (
        "Ada",
        "Lovelace",
        "ada@example.com",
    )
    assert customer["organizationId"] == tenant.organization_id
    assert customer["primaryAddress"]["dob"] == "1990-12-10"
    assert customer["primaryAddress"]["phoneNumbers"] == [
        {"label": "mobile", "value": "+44 20 7946 0958", "primary": None}
    ]
    assert len(customer["primaryAddress"]["hash"]) == 40
    assert customer["revision"] == 0 and customer["hasFulfilledKyc"] is False
    assert customer["createdTime"].endswith("Z")
    assert api.get(f"/customers/{customer['id']}").json() == customer


def test_put_creates_with_the_clients_id_then_replaces(api: TestClient) -> None:
    created = api.put("/customers/merchant-42", json=customer_body())
    assert created.status_code == 201
    assert created.headers["location"].endswith("/customers/merchant-42")
    first = created.json()
    replaced = api.put(
        "/customers/merchant-42", json=customer_body(first="Augusta", email="augusta@example.com")
    )
    assert replaced.status_code == 200
    second = replaced.json()
    assert (second["firstName"], second["email"], second["revision"]) == (
        "Augusta",
        "augusta@example.com",
        1,
    )
    assert second["createdTime"] == first["createdTime"]
    # The same body again changes nothing and keeps the revision.
    assert (
        api.put(
            "/customers/merchant-42",
            json=customer_body(first="Augusta", email="augusta@example.com"),
        ).json()["revision"]
        == 1
    )


def test_read_only_fields_sent_back_are_ignored(api: TestClient) -> None:
    customer = api.post("/customers", json=customer_body()).json()
    echoed = {**customer, "revision": 99, "hasFulfilledKyc": True, "organizationId": "org_x"}
    updated = api.put(f"/customers/{customer['id']}", json=echoed).json()
    assert (updated["revision"], updated["hasFulfilledKyc"]) == (0, False)
    assert updated["organizationId"] == customer["organizationId"]


def test_an_invalid_id_on_put_names_the_field(api: TestClient) -> None:
    problem = assert_problem(api.put("/customers/" + "x" * 51, json=customer_body()), 422)
    assert problem["invalidFields"][0]["field"] == "id"


def test_lead_source_is_write_only_and_expandable(api: TestClient) -> None:
    body = {**customer_body(), "leadSource": {"campaign": "spring", "source": "newsletter"}}
    customer = api.post("/customers", json=body).json()
    assert "leadSource" not in customer and "_embedded" not in customer
    expanded = api.get(f"/customers/{customer['id']}", params={"expand": "leadSource"}).json()
    assert expanded["_embedded"] == {"leadSource": {"campaign": "spring", "source": "newsletter"}}
    problem = assert_problem(
        api.get(f"/customers/{customer['id']}", params={"expand": "invoices"}), 422
    )
    assert problem["invalidFields"][0]["field"] == "expand"


def test_fields_limits_what_comes_back(api: TestClient) -> None:
    customer = api.post("/customers", json=customer_body()).json()
    assert api.get(f"/customers/{customer['id']}", params={"fields": "email,lastName"}).json() == {
        "id": customer["id"],
        "email": "ada@example.com",
        "lastName": "Lovelace",
    }


def test_q_searches_names_and_email(api: TestClient) -> None:
    api.post("/customers", json=customer_body(first="Grace", last="Hopper", email="grace@navy.mil"))
    api.post("/customers", json=customer_body())
    assert [c["firstName"] for c in api.get("/customers", params={"q": "navy"}).json()] == ["Grace"]
    assert [c["firstName"] for c in api.get("/customers", params={"q": "LOVE"}).json()] == ["Ada"]


def test_pagination_headers_and_limits(api: TestClient) -> None:
    for i in range(5):
        api.put(f"/customers/c{i}", json=customer_body(first=f"N{i}"))
    page = api.get("/customers", params={"limit": 2, "offset": 1, "sort": "id"})
    assert [c["id"] for c in page.json()] == ["c1", "c2"]
    assert (
        page.headers["pagination-total"],
        page.headers["pagination-limit"],
        page.headers["pagination-offset"],
    ) == ("5", "2", "1")
    assert api.get("/customers", params={"limit": 0}).json() == []
    for bad in ({"limit": 1001}, {"limit": -1}, {"offset": -5}, {"limit": "ten"}):
        problem = assert_problem(api.get("/customers", params=bad), 422)
        assert problem["invalidFields"][0]["field"] == next(iter(bad))


def test_a_put_racing_another_to_create_the_same_id_is_a_409_and_keeps_the_winner(
    engines: dict[str, Engine], tmp_path: Path
) -> None:
    """Two PUTs create one id at once (PostgreSQL, where writers do not queue): the second to
    commit gets a 409 and stores nothing; the first one's customer stands."""
    database = Database.from_engine(engines["postgresql"])
    tenant = make_tenant(database, "Racing Ltd")
    app = create_app(settings_with(tmp_path), database, LocalStorage(tmp_path / "files"))
    customer_id = f"cus-race-{uuid.uuid4().hex[:8]}"
    raced = threading.Event()

    with (
        TestClient(app, headers=tenant.headers) as first,
        TestClient(app, headers=tenant.headers) as second,
    ):

        def the_other_request_commits_first(session: OrmSession, *_: Any) -> None:
            if not raced.is_set() and any(isinstance(o, Customer) for o in session.new):
                raced.set()
                winner = second.put(f"/customers/{customer_id}", json=customer_body(first="Ada"))
                assert winner.status_code == 201, winner.text

        event.listen(OrmSession, "before_flush", the_other_request_commits_first)
        try:
            loser = first.put(f"/customers/{customer_id}", json=customer_body(first="Grace"))
        finally:
            event.remove(OrmSession, "before_flush", the_other_request_commits_first)
        assert raced.is_set()
        problem = assert_problem(loser, 409)
        assert "Send it again" in problem["detail"]
        stored = first.get(f"/customers/{customer_id}").json()
        assert (stored["primaryAddress"]["firstName"], stored["revision"]) == ("Ada", 0)
        again = first.put(f"/customers/{customer_id}", json=customer_body(first="Grace"))
        assert (again.status_code, again.json()["primaryAddress"]["firstName"]) == (200, "Grace")


def test_pagination_total_is_exact_and_past_its_count_limit_left_out(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openkyc.db import collection

    for n in range(5):
        assert api.post("/customers", json=customer_body(first=f"Count{n}")).status_code == 201
    monkeypatch.setattr(collection, "COUNT_AHEAD", 3)

    def total(**params: object) -> str | None:
        response = api.get("/customers", params={"filter": "lastName:Lovelace", **params})
        assert response.status_code == 200
        return response.headers.get("Pagination-Total")

    # Pages that are not full tell the total; counts stop COUNT_AHEAD past a full page.
    assert total(limit=10) == "5"
    assert total(limit=2, offset=4) == "5"
    assert total(limit=2, offset=10) == "5"
    assert total(limit=1) is None  # a full page: counting stops at 0 + 1 + 3 = 4 < 5
    assert total(limit=1, offset=1) == "5"  # ... at 1 + 1 + 3 = 5: all of them, exact
    monkeypatch.setattr(collection, "COUNT_AHEAD", 100)
    assert total(limit=1) == "5"


def test_a_customer_is_read_with_its_tags_in_one_statement(
    api: TestClient, database: Database
) -> None:
    customer_id = api.post("/customers", json=customer_body()).json()["id"]
    for name in ("vip", "loyal"):
        assert api.post("/tags", json={"name": name, "type": "customer"}).status_code == 201
        assert api.post(f"/tags/{name}/customers/{customer_id}").status_code == 204
    statements: list[str] = []

    def record(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.lower())

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        read = api.get(f"/customers/{customer_id}")
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert [t["name"] for t in read.json()["tags"]] == ["loyal", "vip"]
    reading = [s for s in statements if "from customers" in s or "customer_tags" in s]
    assert len(reading) == 1 and "customer_tags" in reading[0]
    untagged = api.post("/customers", json=customer_body(first="Grace")).json()
    assert untagged["tags"] == [] and api.get(f"/customers/{untagged['id']}").json() == untagged
