"""A verification from end to end on a live server (uvicorn over TCP, its embedded worker and
the real analyser, committed transactions), on both databases: what a merchant uploads is
analysed, decided, announced to its receiver and written on the customer's timeline; people
deciding at the same moment are serialised by the database's locks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.analysis import documents as drawn
from tests.fixtures import kyc, webhooks
from tests.fixtures.live import Live
from tests.webhooks.receivers import running, wait_for
from tests.webhooks.test_delivery import verify

# The analyser in worker processes: seconds on an idle machine, more on a shared one.
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def api(live: Live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=live.headers, timeout=60) as client:
        yield client


def _timeline(api: httpx.Client, customer_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/customers/{customer_id}/timeline", params={"sort": "occurredTime"})
    assert response.status_code == 200, response.text
    return list(response.json())


def test_an_uploaded_passport_is_analysed_decided_announced_and_on_the_timeline(
    api: httpx.Client,
) -> None:
    webhooks.allow_private_networks(api)
    with running() as receiver:
        hook = webhooks.subscribe(
            api, receiver.url(), eventsFilter=["kyc-document-accepted", "kyc-request-fulfilled"]
        )
        customer_id = kyc.customer(api, first="Eileen", last="Collins", dob="1986-11-19")
        request = kyc.kyc_request(api, customer_id, "identity-proof")
        passport = drawn.encode(drawn.passport(drawn.Holder()))
        scan = kyc.upload(api, ["kyc", "id-front"], image=passport)
        body = {"customerId": customer_id, "documentType": "identity-proof", "fileIds": [scan]}
        created = api.post("/kyc-documents", json={**body, "requestId": request["id"]})
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "in-progress"
        document_id = created.json()["id"]

        document = kyc.decided(api, document_id, seconds=240)
        assert document["status"] == "accepted", document
        assert document["documentMatches"]["data"]["documentNumber"] == "X4821937"
        assert document["documentMatches"]["data"]["lastName"] == "Collins"
        assert kyc.status_of(api, request["id"]) == "fulfilled"

        wait_for(lambda: len(receiver.received) == 2, seconds=60, what="both deliveries")
        by_type = {json.loads(r.body)["eventType"]: r for r in receiver.received}
        assert sorted(by_type) == ["kyc-document-accepted", "kyc-request-fulfilled"]
        for received in receiver.received:
            assert verify(hook["signingSecret"], received.headers, received.body)
        accepted = json.loads(by_type["kyc-document-accepted"].body)
        assert (accepted["kycDocumentId"], accepted["customerId"]) == (document_id, customer_id)
        assert accepted["_embedded"]["kycDocument"]["status"] == "accepted"
        fulfilled = json.loads(by_type["kyc-request-fulfilled"].body)
        assert fulfilled["_embedded"]["kycRequest"]["status"] == "fulfilled"
        wait_for(lambda: {d["deliveryStatus"] for d in webhooks.log(api)} == {"delivered"})

    entries = _timeline(api, customer_id)
    decided = [
        e for e in entries if e["type"] in ("kyc-document-accepted", "kyc-request-fulfilled")
    ]
    assert [(e["type"], e["triggeredBy"]) for e in decided] == [
        ("kyc-document-accepted", "rebilly"),
        ("kyc-request-fulfilled", "rebilly"),
    ]
    assert decided[0]["extraData"]["author"] == {"userId": "openkyc", "userFullName": "openkyc"}
    assert {"resourceType": "kyc-document", "resourceId": document_id} in [
        {k: link[k] for k in ("resourceType", "resourceId")}
        for link in decided[0]["extraData"]["links"]
    ]
    assert entries[0]["type"] == "kyc-request-created"


def _second_reviewer(api: httpx.Client, live: Live) -> httpx.Client:
    created = api.post("/api-keys", json={"description": "Second reviewer"})
    assert created.status_code == 201, created.text
    headers = {"REB-APIKEY": created.json()["secretKey"]}
    return httpx.Client(base_url=live.base_url, headers=headers, timeout=60)


def test_two_people_deciding_the_same_document_at_once_propose_then_confirm(
    api: httpx.Client, live: Live
) -> None:
    """Four eyes on committed data: two people accept the same documents at the same moment.
    The document's row lock makes one the proposal and the other its confirmation; without
    it both would see no proposal and both would propose."""
    settings = api.get("/kyc-settings").json()
    assert api.put("/kyc-settings", json={**settings, "fourEyes": True}).status_code == 200
    requests = {}
    for _ in range(3):
        customer_id = kyc.customer(api)
        request = kyc.kyc_request(api, customer_id, "address-proof")
        document = kyc.document(api, customer_id, "address-proof", request_id=request["id"])
        requests[document["id"]] = request["id"]
    for document_id in requests:  # the analyser has had its say: only people act now
        kyc.decided(api, document_id, seconds=240)
    with _second_reviewer(api, live) as other:
        people = {"Initial key": api, "Second reviewer": other}
        for document_id, request_id in requests.items():
            answers = _at_once(people, f"/kyc-documents/{document_id}/acceptance")
            assert sorted(answers.values()) == [201, 201], answers
            assert api.get(f"/kyc-documents/{document_id}").json()["status"] == "accepted"
            proposal, confirmation = api.get(f"/kyc-documents/{document_id}/decisions").json()
            assert (proposal["state"], confirmation["state"]) == ("proposed", "effective")
            assert confirmation["confirms"] == proposal["id"]
            assert {proposal["authorName"], confirmation["authorName"]} == set(people)
            assert kyc.status_of(api, request_id) == "fulfilled"


def _at_once(people: dict[str, httpx.Client], path: str) -> dict[str, int]:
    """POST ``path`` as each person, the requests released together; their statuses."""
    start = threading.Barrier(len(people))
    answers: dict[str, int] = {}

    def act(name: str, client: httpx.Client) -> None:
        start.wait(timeout=30)
        answers[name] = client.post(path).status_code

    threads = [threading.Thread(target=act, args=item) for item in people.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers
