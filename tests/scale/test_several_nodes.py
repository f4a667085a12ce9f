"""Two API nodes and two workers on PostgreSQL, SeaweedFS and Redis, driven through both API
nodes in turn while one API node and one worker are killed with SIGKILL and restarted.

Afterwards every acknowledged write is there (files with their bytes, read through either
node), every document was decided exactly once, every event reached the merchant's receiver
(at least once, always under the same id), and the rate limit counted the requests of both
nodes together. The run prints its figures."""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.analysis import documents as drawn
from tests.conftest import POSTGRES_URL
from tests.fixtures.seaweedfs import SeaweedFS
from tests.fixtures.waiting import until
from tests.fixtures.webhooks import allow_private_networks, subscribe
from tests.scale.cluster import Cluster, cluster
from tests.webhooks.receivers import Receiver, running

# About a minute on an idle 2-core machine; much longer when the machine is shared.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROUNDS = 8
KILL_AT = 3  # the round before which api-0 and worker-0 are killed
RESTART_AT = 5  # the round before which they are started again
RATE = 500  # mutations per organization in the window, for both nodes together
EVENTS = ["customer-created", "kyc-request-created", "kyc-document-created"]
DECIDED = ("accepted", "rejected", "pending")


@dataclass
class Written:
    """What the API acknowledged."""

    customers: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # id -> SHA-1 of the bytes sent
    mutations: int = 0


def _scan(round_: int) -> bytes:
    holder = drawn.Holder().but(number=f"X{4821900 + round_}")
    return drawn.encode(drawn.passport(holder))


def _post(client: httpx.Client, written: Written, path: str, body: dict[str, Any]) -> Any:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    written.mutations += 1
    return response.json()


def _one_round(client: httpx.Client, written: Written, round_: int) -> None:
    customer = _post(
        client,
        written,
        "/customers",
        {"primaryAddress": {"firstName": "Eileen", "lastName": "Collins", "dob": "1986-11-19"}},
    )
    request = _post(
        client,
        written,
        "/kyc-requests",
        {"customerId": customer["id"], "documents": [{"type": "identity-proof"}]},
    )
    scan = _scan(round_)
    file = _post(
        client,
        written,
        "/files",
        {"file": base64.b64encode(scan).decode(), "tags": ["kyc", "id-front"]},
    )
    document = _post(
        client,
        written,
        "/kyc-documents",
        {
            "customerId": customer["id"],
            "documentType": "identity-proof",
            "fileIds": [file["id"]],
            "requestId": request["id"],
        },
    )
    written.customers.append(customer["id"])
    written.requests.append(request["id"])
    written.files[file["id"]] = hashlib.sha1(scan).hexdigest()
    written.documents.append(document["id"])


def _wait_for(what: str, done: Any, seconds: float, state: Any = lambda: None) -> float:
    started = time.monotonic()
    try:
        until(done, seconds, what)
    except AssertionError as error:
        raise AssertionError(f"{error}: {state()}") from None
    return time.monotonic() - started


def _statuses(client: httpx.Client, documents: list[str]) -> dict[str, str]:
    return {d: client.get(f"/kyc-documents/{d}").json()["status"] for d in documents}


def test_two_api_nodes_and_two_workers_survive_a_kill(
    tmp_path: Path, seaweed: SeaweedFS, redis_url: str
) -> None:
    shared = {
        **seaweed.environment(f"nodes-{tmp_path.name}"),
        "OPENKYC_RATE_LIMIT": f"{RATE}/hour",
        "OPENKYC_RATE_LIMIT_STORAGE": redis_url,
        # A killed worker's claims lapse quickly, so the test need not wait long.
        "OPENKYC_JOB_LEASE_SECONDS": "6",
        "OPENKYC_WEBHOOK_TIMEOUT": "3",
        "OPENKYC_WEBHOOK_LEASE_SECONDS": "6",
        "OPENKYC_WEBHOOK_RETRY_BASE_SECONDS": "1",
        "OPENKYC_WEBHOOK_POLL_SECONDS": "0.2",
    }
    started = time.monotonic()
    with running() as receiver, cluster(tmp_path, POSTGRES_URL, shared) as nodes:
        clients = [nodes.client(node) for node in nodes.apis]
        allow_private_networks(clients[1])  # type: ignore[arg-type]
        subscribe(clients[1], receiver.url(), eventsFilter=EVENTS)  # type: ignore[arg-type]
        written = Written(mutations=3)
        restart_seconds = _drive(nodes, clients, written)

        # Generous: on a shared, oversubscribed machine eight analyses can take minutes; a
        # node that crashed fails at once, a document stuck in-progress with every status shown.
        def all_decided() -> bool:
            nodes.assert_alive()
            return all(s in DECIDED for s in _statuses(clients[1], written.documents).values())

        decided_in = _wait_for(
            "every document to be decided",
            all_decided,
            300,
            lambda: _statuses(clients[1], written.documents),
        )
        _assert_every_write_is_there(clients, written)
        decisions = _assert_decided_once(nodes, written)
        delivered_in, requests, duplicates = _assert_every_event_delivered(nodes, receiver)
        refused_on = _assert_limit_is_shared(clients, written)
        print(
            f"\nseveral nodes: {ROUNDS} rounds, {written.mutations} acknowledged writes through "
            f"2 API nodes; api-0 and worker-0 killed (SIGKILL) before round {KILL_AT}, "
            f"back in {restart_seconds:.1f} s; documents decided by worker {decisions}, "
            f"{decided_in:.1f} s after the last write; {requests} webhook requests "
            f"({duplicates} repeats), all events {delivered_in:.1f} s after the decisions; "
            f"the shared limit of {RATE} refused on {refused_on}; "
            f"{time.monotonic() - started:.1f} s in all"
        )


def _drive(nodes: Cluster, clients: list[httpx.Client], written: Written) -> float:
    restart_seconds = 0.0
    for round_ in range(ROUNDS):
        if round_ == KILL_AT:
            nodes.apis[0].kill()
            nodes.workers[0].kill()
        if round_ == RESTART_AT:
            nodes.apis[0].start()
            nodes.workers[0].start()
            restart_seconds = nodes.wait_until_serving(nodes.apis[0])
            nodes.wait_until_working(nodes.workers[0])
        down = KILL_AT <= round_ < RESTART_AT
        _one_round(clients[1 if down else round_ % 2], written, round_)
    return restart_seconds


def _assert_every_write_is_there(clients: list[httpx.Client], written: Written) -> None:
    for client in clients:
        for customer in written.customers:
            assert client.get(f"/customers/{customer}").status_code == 200
        for request in written.requests:
            assert client.get(f"/kyc-requests/{request}").status_code == 200
        for file_id, sha1 in written.files.items():
            download = client.get(f"/files/{file_id}/download")
            assert download.status_code == 200
            assert hashlib.sha1(download.content).hexdigest() == sha1
        listed = client.get("/customers", params={"limit": 100})
        assert int(listed.headers["pagination-total"]) == len(written.customers)


def _assert_decided_once(nodes: Cluster, written: Written) -> dict[str, int]:
    with nodes.engine.connect() as connection:
        decisions = connection.execute(
            text(
                "SELECT resource_id, count(*) FROM outbox_events WHERE event_type IN "
                "('kyc-document-accepted', 'kyc-document-rejected', 'kyc-document-reviewed') "
                "GROUP BY resource_id"
            )
        ).all()
        jobs = connection.execute(
            text("SELECT worker_id, status FROM jobs WHERE kind = 'analyze-kyc-document'")
        ).all()
    per_document: dict[str, int] = {str(d): int(n) for d, n in decisions}
    assert all(per_document.get(d, 0) <= 1 for d in written.documents), per_document
    assert len(jobs) == len(written.documents)
    assert {status for _, status in jobs} == {"done"}
    by_worker: dict[str, int] = {}
    for worker_id, _ in jobs:
        by_worker[worker_id] = by_worker.get(worker_id, 0) + 1
    return by_worker


def _assert_every_event_delivered(nodes: Cluster, receiver: Receiver) -> tuple[float, int, int]:
    with nodes.engine.connect() as connection:
        events = set(
            connection.execute(
                text("SELECT id FROM outbox_events WHERE event_type = ANY(:types)"),
                {"types": EVENTS},
            ).scalars()
        )
    waited = _wait_for(
        "every event to reach the receiver",
        lambda: events <= {r.headers.get("webhook-id") for r in receiver.ok()},
        60,
    )
    received = [r.headers.get("webhook-id") for r in receiver.ok()]
    assert set(received) == events
    return waited, len(received), len(received) - len(set(received))


def _assert_limit_is_shared(clients: list[httpx.Client], written: Written) -> str:
    probe = clients[0].post("/customers", json={"primaryAddress": {"firstName": "Probe"}})
    assert probe.status_code == 201
    written.mutations += 1
    remaining = int(probe.headers["x-ratelimit-remaining"])
    assert remaining == RATE - written.mutations
    for i in range(remaining):
        spent = clients[i % 2].post("/customers", json={"primaryAddress": {"firstName": "S"}})
        assert spent.status_code == 201, spent.text
    refused = [c.post("/customers", json={"primaryAddress": {"firstName": "X"}}) for c in clients]
    assert [r.status_code for r in refused] == [429, 429]
    return "both nodes"
