"""One hand-off to a worker thread per request (openkyc.web.routing): the authentication, the
endpoint and the end of its transaction run together in one thread, and a dependency that
runs there is never skipped nor handed on unchecked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated, Any

import anyio.to_thread
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from openkyc.db.session import Database
from openkyc.errors import Unauthorized
from openkyc.web import problems
from openkyc.web.app import api_routers, backoffice_routers
from openkyc.web.routing import OneHopRoute, in_endpoint_thread
from tests.backoffice.screen import form_token, screen
from tests.fixtures.people import make_team
from tests.fixtures.tenants import Tenant


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of what the app hands to a worker thread, in order."""
    made: list[str] = []
    handing = anyio.to_thread.run_sync

    async def counted(function: Any, *arguments: Any, **options: Any) -> Any:
        made.append(getattr(function, "__name__", type(function).__name__))
        return await handing(function, *arguments, **options)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    yield made


def _customer(api: TestClient) -> str:
    body = {"primaryAddress": {"firstName": "Ada", "lastName": "Lovelace", "country": "GB"}}
    created = api.post("/customers", json=body)
    assert created.status_code == 201
    return str(created.json()["id"])


def test_a_customer_read_takes_one_hand_off(api: TestClient, hand_offs: list[str]) -> None:
    customer_id = _customer(api)
    hand_offs.clear()
    read = api.get(f"/customers/{customer_id}", params={"fields": "firstName"})
    assert read.status_code == 200 and read.json() == {"id": customer_id, "firstName": "Ada"}
    assert len(hand_offs) == 1


def test_a_write_takes_one_hand_off_and_is_committed(api: TestClient, hand_offs: list[str]) -> None:
    customer_id = _customer(api)
    hand_offs.clear()
    body = {"primaryAddress": {"firstName": "Grace", "lastName": "Hopper", "country": "US"}}
    assert api.put(f"/customers/{customer_id}", json=body).status_code == 200
    assert len(hand_offs) == 1
    assert api.get(f"/customers/{customer_id}").json()["primaryAddress"]["firstName"] == "Grace"


def test_a_back_office_page_reads_its_person_in_the_pages_hand_off(
    app: FastAPI, client: TestClient, tenant: Tenant, database: Database, hand_offs: list[str]
) -> None:
    team = make_team(database, client, tenant.organization_id)
    with screen(app, team.rita.email) as rita:
        hand_offs.clear()
        page = rita.get("/backoffice/dashboard")
        assert page.status_code == 200 and "Rita" in page.text
        assert len(hand_offs) == 1
        # A form is read after its person is known: the person takes a hand-off of its own.
        token = form_token(page)
        hand_offs.clear()
        sent = rita.client.post(
            "/backoffice/signout", data={"csrf_token": token}, follow_redirects=False
        )
        assert sent.status_code == 303 and sent.headers["location"] == "/backoffice/signin"
        assert len(hand_offs) == 2
    with screen(app) as nobody:
        assert nobody.get("/backoffice/dashboard").status_code == 303


def test_a_refused_credential_takes_one_hand_off_and_reaches_no_endpoint(
    client: TestClient, tenant: Tenant, hand_offs: list[str]
) -> None:
    refused = client.get("/customers", headers={"REB-APIKEY": tenant.api_key + "x"})
    assert refused.status_code == 401
    assert len(hand_offs) == 1


def test_the_credentials_answer_before_a_malformed_request(
    client: TestClient, tenant: Tenant
) -> None:
    # FastAPI refuses the query before the endpoint's thread would run: the credentials
    # still come first.
    assert client.get("/customers", params={"limit": "many"}).status_code == 401
    wrong = {"REB-APIKEY": tenant.api_key + "x"}
    assert client.post("/customers", json={"email": 5}, headers=wrong).status_code == 401
    refused = client.get("/customers", params={"limit": "many"}, headers=tenant.headers)
    assert refused.status_code == 422


def test_every_route_of_the_app_is_a_one_hop_route() -> None:
    routers = [*api_routers(), *backoffice_routers()]
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert routes and [r.path for r in routes if not isinstance(r, OneHopRoute)] == []


# The mechanism itself, on an app of its own.

checked: list[str] = []


def _key(request: Request) -> str:
    """Refuses a request without the right key, like the app's authentication."""
    checked.append(threading.current_thread().name)
    if request.headers.get("key") != "right":
        raise Unauthorized("Send the right key")
    return "acme"


Key = Annotated[str, Depends(in_endpoint_thread(_key))]


def _owner(key: Key) -> str:
    return f"owner of {key}"


Owner = Annotated[str, Depends(in_endpoint_thread(_owner))]


def _mechanism_app() -> FastAPI:
    app = FastAPI()
    problems.install(app)
    one_hop = APIRouter(route_class=OneHopRoute)
    plain = APIRouter()
    ran: list[str] = []
    app.state.ran = ran

    @one_hop.get("/owner")
    def owner(owner: Owner, key: Key) -> dict[str, str]:
        ran.append(threading.current_thread().name)
        return {"owner": owner, "key": key}

    @one_hop.get("/guarded", dependencies=[Depends(in_endpoint_thread(_key))])
    def guarded() -> dict[str, str]:
        ran.append("guarded")
        return {"secret": "kept"}

    @one_hop.get("/async")
    async def asynchronous(key: Key) -> dict[str, str]:
        return {"key": key}

    @plain.get("/plain", dependencies=[Depends(in_endpoint_thread(_key))])
    def plain_route() -> dict[str, str]:
        ran.append("plain")
        return {"secret": "kept"}

    app.include_router(one_hop)
    app.include_router(plain)
    return app


@pytest.fixture
def mechanism() -> Iterator[TestClient]:
    checked.clear()
    with TestClient(_mechanism_app(), raise_server_exceptions=False) as client:
        yield client


def test_deferred_dependencies_run_once_in_the_endpoints_thread(mechanism: TestClient) -> None:
    answer = mechanism.get("/owner", headers={"key": "right"})
    assert answer.json() == {"owner": "owner of acme", "key": "acme"}
    ran: list[str] = mechanism.app.state.ran  # type: ignore[attr-defined]
    assert checked == ran and checked[0] != threading.current_thread().name
    assert mechanism.get("/async", headers={"key": "right"}).json() == {"key": "acme"}


def test_a_deferred_dependency_the_endpoint_does_not_take_still_guards_it(
    mechanism: TestClient,
) -> None:
    refused = mechanism.get("/guarded", headers={"key": "wrong"})
    assert refused.status_code == 401
    assert mechanism.get("/async").status_code == 401
    assert mechanism.app.state.ran == []  # type: ignore[attr-defined]
    assert mechanism.get("/guarded", headers={"key": "right"}).json() == {"secret": "kept"}


def test_a_deferred_dependency_refuses_to_run_on_another_kind_of_route(
    mechanism: TestClient,
) -> None:
    # Never skipped: a route that would not resolve it answers an error, not the endpoint.
    answer = mechanism.get("/plain", headers={"key": "right"})
    assert answer.status_code == 500 and "secret" not in answer.text
    assert mechanism.app.state.ran == []  # type: ignore[attr-defined]
