"""Deliveries to real receivers on 127.0.0.1, by the delivery worker of a running openkyc, on
both databases: signed requests with the contract's payloads, retries, give-ups, resends,
credentials, timeouts, refusals and deactivation. The clock stands still: a retry happens
when the test moves it to the attempt's time (``app.until``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from openkyc import clock
from openkyc.events.repository import EventRepository
from openkyc.metrics import REGISTRY
from tests.fixtures import kyc, webhooks
from tests.webhooks.receivers import Reply, answering, basic_auth, digest_auth, running, wait_for


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """The README's verification, written from the specification, not from openkyc's code."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(clock.timestamp() - int(timestamp)) > tolerance:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split())


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def outbox(live: Any) -> dict[str, Any]:
    """Every event of the live tenant, by id."""
    with live.database.sessionmaker() as session:
        events = EventRepository(session, live.tenant.organization_id).all()
    return {event.id: event for event in events}


def _first_attempts_delivered() -> float:
    labels = {"outcome": "delivered", "attempt": "1"}
    return REGISTRY.get_sample_value("openkyc_webhook_deliveries_total", labels) or 0.0


def test_an_accepted_document_is_announced_signed_with_the_contracts_payloads(live) -> None:
    with running() as receiver, live() as app:
        hook = webhooks.subscribe(
            app.api,
            receiver.url(),
            eventsFilter=["kyc-document-accepted", "kyc-request-fulfilled"],
        )
        customer_id = kyc.customer(app.api)
        request = kyc.kyc_request(app.api, customer_id, "address-proof")
        document = kyc.document(app.api, customer_id, "address-proof", request_id=request["id"])
        delivered_before = _first_attempts_delivered()
        accepted = kyc.accept(app.api, document["id"])
        wait_for(lambda: len(receiver.received) == 2, what="two deliveries")
        # The server runs in this process: its metrics count both, delivered at once.
        wait_for(lambda: _first_attempts_delivered() >= delivered_before + 2, what="metrics")

        events = outbox(app)
        by_type = {json.loads(r.body)["eventType"]: r for r in receiver.received}
        assert sorted(by_type) == ["kyc-document-accepted", "kyc-request-fulfilled"]
        for received in receiver.received:
            assert received.method == "POST" and received.path == "/hooks"
            assert received.headers["content-type"] == "application/json"
            assert verify(hook["signingSecret"], received.headers, received.body)
            assert not verify(hook["signingSecret"], received.headers, received.body + b" ")
            event = events[received.headers["webhook-id"]]
            assert json.loads(received.body) == event.payload

        document_event = json.loads(by_type["kyc-document-accepted"].body)
        assert document_event["customerId"] == customer_id
        assert document_event["kycDocumentId"] == document["id"]
        assert document_event["fileId"] == document["fileIds"][0]
        assert document_event["_embedded"]["kycDocument"] == accepted
        assert document_event["_embedded"]["customer"]["id"] == customer_id
        assert {link["rel"]: link["href"] for link in document_event["_links"]} == {
            "customer": f"http://openkyc.test/customers/{customer_id}",
            "kycDocument": f"http://openkyc.test/kyc-documents/{document['id']}",
            "file": f"http://openkyc.test/files/{document['fileIds'][0]}",
        }
        request_event = json.loads(by_type["kyc-request-fulfilled"].body)
        assert request_event["kycRequestId"] == request["id"]
        assert request_event["_embedded"]["kycRequest"]["status"] == "fulfilled"
        assert [link["rel"] for link in request_event["_links"]] == ["customer", "kycRequest"]

        wait_for(lambda: {d["deliveryStatus"] for d in webhooks.log(app.api)} == {"delivered"})
        log = webhooks.log(app.api)
        assert sorted(d["eventType"] for d in log) == sorted(by_type)
        for entry in log:
            received = by_type[entry["eventType"]]
            assert (entry["status"], entry["attempt"], entry["error"]) == (200, 1, None)
            assert entry["request"] == received.body.decode()
            assert entry["response"] == "ok"
            assert entry["requestHeaders"]["webhook-id"] == received.headers["webhook-id"]
            assert entry["url"] == receiver.url() and entry["method"] == "POST"
            assert entry["webhookId"] == hook["id"] and entry["source"] == "webhooks"


def _customers(app: Any, count: int) -> list[str]:
    return [kyc.customer(app.api, first=f"Ada{n}") for n in range(count)]


def _refused(app: Any) -> int:
    """Deliveries whose last attempt found no receiver."""
    return sum(1 for d in webhooks.log(app.api) if d["status"] is None and d["error"])


def _delivered(app: Any, count: int) -> bool:
    log = webhooks.log(app.api)
    return len(log) == count and all(d["deliveryStatus"] == "delivered" for d in log)


def test_a_receiver_failing_half_the_time_and_down_for_a_while_gets_every_event(live) -> None:
    calls = Counter[str]()

    def flaky(method: str, headers: dict[str, str], body: bytes) -> Reply:
        calls["all"] += 1
        return Reply(500 if calls["all"] % 2 else 200)

    # Half the attempts fail, whichever delivery they are of: some deliveries need many.
    with running(flaky) as receiver, live(webhook_max_attempts=30) as app:
        webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        first = _customers(app, 15)
        receiver.stop()
        second = _customers(app, 15)
        # Attempts fail while the receiver is down before it comes back.
        app.until(lambda: _refused(app) >= 5, what="refused attempts")
        receiver.start()
        app.until(lambda: _delivered(app, 30), what="every delivery")

        events = outbox(app)
        delivered = Counter(r.headers["webhook-id"] for r in receiver.ok())
        assert sorted(delivered) == sorted(events) and set(delivered.values()) == {1}
        assert {events[i].resource_id for i in delivered} == set(first + second)
        failed = [r for r in receiver.received if r.status == 500]
        assert len(failed) >= 14
        log = webhooks.log(app.api)
        refused = [d for d in log if d["attempt"] > 1 and d["status"] == 200]
        assert refused and sum(d["attempt"] for d in log) >= 30 + len(failed)


def test_the_last_failed_attempt_fails_the_delivery_and_a_resend_delivers_it(live) -> None:
    status = {"now": 503}
    with (
        running(lambda m, h, b: Reply(status["now"])) as receiver,
        live(webhook_max_attempts=3) as app,
    ):
        hook = webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        kyc.customer(app.api)
        app.until(lambda: webhooks.log(app.api)[0]["deliveryStatus"] == "failed", what="failed")
        # Failed means no attempt is scheduled: the third was the last one sent.
        [entry] = webhooks.log(app.api)
        assert (entry["attempt"], entry["status"], entry["nextAttemptTime"]) == (3, 503, None)
        assert len(receiver.received) == 3
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
        assert app.api.get(f"/webhooks/{hook['id']}").json()["failingSince"] is not None

        status["now"] = 204
        resent = app.api.post(f"/tracking/webhooks/{entry['id']}/resend")
        assert resent.status_code == 204
        wait_for(lambda: webhooks.log(app.api)[0]["deliveryStatus"] == "delivered")
        [entry] = webhooks.log(app.api)
        assert (entry["attempt"], entry["status"], entry["error"]) == (4, 204, None)
        assert [r.status for r in receiver.received] == [503, 503, 503, 204]
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
        last = receiver.received[-1]
        assert verify(hook["signingSecret"], last.headers, last.body)
        assert app.api.get(f"/webhooks/{hook['id']}").json()["failingSince"] is None


def test_a_hanging_receiver_times_out_without_holding_up_another(live) -> None:
    with (
        running(answering(delay=30)) as hanging,
        running() as healthy,
        live(webhook_timeout=1.5, webhook_max_attempts=1, webhook_concurrency=4) as app,
    ):
        stuck = webhooks.subscribe(app.api, hanging.url(), eventsFilter=["customer-created"])
        webhooks.subscribe(app.api, healthy.url(), eventsFilter=["kyc-document-created"])
        customers = _customers(app, 8)
        wait_for(lambda: len(hanging.arrived) == 2, what="the hanging receiver to hold two")
        kyc.document(app.api, customers[0], "address-proof")
        # Eight older deliveries wait for the hanging receiver, which may hold only half of
        # the four slots, two at a time until they time out: the healthy receiver's delivery
        # goes out beside them. Queued behind them, it would come after all eight reached
        # the hanging receiver.
        wait_for(lambda: len(healthy.received) == 1, what="the healthy receiver")
        assert len(hanging.arrived) < 8

        failed_filter = f"webhookId:{stuck['id']};deliveryStatus:failed"
        wait_for(lambda: len(webhooks.log(app.api, failed_filter)) == 8, what="the time-outs")
        failed = webhooks.log(app.api, f"webhookId:{stuck['id']}")
        assert {(d["deliveryStatus"], d["status"], d["error"]) for d in failed} == {
            ("failed", None, "no answer within 1.5s")
        }
        assert len(hanging.arrived) == 8 and hanging.received == []


def test_private_addresses_are_refused_unless_the_organization_allows_them(live) -> None:
    with running() as receiver, live(webhook_max_attempts=1) as app:
        webhooks.allow_private_networks(app.api, False)
        webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        kyc.customer(app.api)
        wait_for(lambda: webhooks.log(app.api)[0]["deliveryStatus"] == "failed")
        [entry] = webhooks.log(app.api)
        assert entry["error"] == "the host 127.0.0.1 is refused: 127.0.0.1 is a loopback address"
        assert entry["status"] is None and receiver.received == []

        webhooks.allow_private_networks(app.api)
        app.api.post(f"/tracking/webhooks/{entry['id']}/resend")
        wait_for(lambda: webhooks.log(app.api)[0]["deliveryStatus"] == "delivered")
        assert len(receiver.received) == 1


def test_host_credentials_authenticate_with_basic_and_digest(live) -> None:
    with (
        running(basic_auth("shop", "s3cret")) as basic,
        running(digest_auth("shop", "d1gest")) as digest,
        live() as app,
    ):
        for receiver, auth in (
            (basic, {"type": "basic", "username": "shop", "password": "s3cret"}),
            (digest, {"type": "digest", "username": "shop", "password": "d1gest"}),
        ):
            credential = webhooks.credential(app.api, "127.0.0.1", auth)
            body = {
                "method": "POST",
                "url": receiver.url(),
                "credentialHash": credential,
                "eventsFilter": ["customer-created"],
            }
            assert app.api.post("/webhooks", json=body).status_code == 201
        kyc.customer(app.api)
        wait_for(lambda: _delivered(app, 2), what="both deliveries")
        assert [r.status for r in basic.received] == [200]
        assert [r.status for r in digest.received] == [401, 200]
        shown = {d["requestHeaders"]["Authorization"] for d in webhooks.log(app.api)}
        assert shown == {"Basic [hidden]", "Digest [hidden]"}
        assert "s3cret" not in json.dumps(webhooks.log(app.api))


def test_an_inactive_credential_holds_deliveries_back(live) -> None:
    with running() as receiver, live(webhook_max_attempts=2) as app:
        hook = webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        app.api.patch(
            f"/service-credentials/webhook/{hook['credentialHash']}", json={"status": "inactive"}
        )
        kyc.customer(app.api)
        app.until(lambda: webhooks.log(app.api)[0]["deliveryStatus"] == "failed", what="failed")
        [entry] = webhooks.log(app.api)
        credential_id = hook["credentialHash"]
        assert entry["error"] == f"not sent: service credential {credential_id} is inactive"
        assert entry["attempt"] == 2 and receiver.received == []


def test_a_webhook_failing_for_too_long_is_deactivated_visibly(live) -> None:
    with (
        running(answering(500)) as receiver,
        running() as witness,
        live(webhook_disable_after_seconds=3600) as app,
    ):
        hook = webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        _customers(app, 3)
        app.until(
            lambda: app.api.get(f"/webhooks/{hook['id']}").json()["status"] == "inactive",
            what="the webhook deactivated",
        )
        of_hook = f"webhookId:{hook['id']}"
        app.until(
            lambda: {d["deliveryStatus"] for d in webhooks.log(app.api, of_hook)} == {"failed"},
            what="its deliveries failed",
        )
        shown = app.api.get(f"/webhooks/{hook['id']}").json()
        assert shown["deactivationReason"].startswith("every delivery attempt failed since ")
        assert shown["deactivationTime"] is not None and shown["failingSince"] is not None
        # Deactivated once it had failed for the hour, by the clock the worker decides by.
        failing_for = parse_time(shown["deactivationTime"]) - parse_time(shown["failingSince"])
        assert failing_for >= timedelta(hours=1)
        assert len(webhooks.log(app.api, of_hook)) == 3
        # Nothing more is sent, and new events are not queued for it: another webhook's
        # delivery of the next event shows the worker has handled that event.
        sent = len(receiver.received)
        webhooks.subscribe(app.api, witness.url(), eventsFilter=["customer-created"])
        kyc.customer(app.api)
        wait_for(lambda: len(witness.received) == 1, what="the other webhook's delivery")
        assert len(receiver.received) == sent and len(webhooks.log(app.api, of_hook)) == 3

        reactivated = app.api.put(
            f"/webhooks/{hook['id']}",
            json={**{k: shown[k] for k in ("method", "url", "credentialHash", "eventsFilter")}},
        ).json()
        assert (reactivated["status"], reactivated["deactivationReason"]) == ("active", None)
        assert reactivated["failingSince"] is None


def test_a_receiver_answering_410_gone_deactivates_its_webhook_at_once(live) -> None:
    with running(answering(410)) as receiver, live() as app:
        hook = webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        kyc.customer(app.api)
        wait_for(lambda: app.api.get(f"/webhooks/{hook['id']}").json()["status"] == "inactive")
        shown = app.api.get(f"/webhooks/{hook['id']}").json()
        assert shown["deactivationReason"] == "the receiver answered 410 Gone"
        [entry] = webhooks.log(app.api)
        assert (entry["deliveryStatus"], entry["attempt"], entry["status"]) == ("failed", 1, 410)
        assert len(receiver.received) == 1


def test_body_templates_headers_and_methods(live) -> None:
    with running() as receiver, live() as app:
        template = (
            '{"doc":"{{kycDocument.id}}","who":"{{ customer.primaryAddress.firstName }}",'
            '"x":"{{nope.x}}"}'
        )
        put = webhooks.subscribe(
            app.api,
            receiver.url("/put"),
            method="PUT",
            eventsFilter=["kyc-document-created"],
            body=template,
            headers=[
                {"name": "X-Token", "value": "t0ken"},
                {"name": "X-Off", "value": "no", "status": "inactive"},
                {"name": "Content-Type", "value": "text/plain"},
                {"name": "webhook-id", "value": "forged"},
            ],
        )
        get = webhooks.subscribe(
            app.api, receiver.url("/get"), method="GET", eventsFilter=["kyc-document-created"]
        )
        customer_id = kyc.customer(app.api, first="Grace")
        document = kyc.document(app.api, customer_id, "address-proof")
        wait_for(lambda: len(receiver.received) == 2)
        by_path = {r.path: r for r in receiver.received}
        templated = by_path["/put"]
        assert templated.method == "PUT"
        assert json.loads(templated.body) == {"doc": document["id"], "who": "Grace", "x": ""}
        assert templated.headers["x-token"] == "t0ken" and "x-off" not in templated.headers
        assert templated.headers["content-type"] == "text/plain"
        assert templated.headers["webhook-id"].startswith("evt_")
        assert verify(put["signingSecret"], templated.headers, templated.body)
        bodiless = by_path["/get"]
        assert (bodiless.method, bodiless.body) == ("GET", b"")
        assert verify(get["signingSecret"], bodiless.headers, b"")
        assert bodiless.headers["webhook-id"] == templated.headers["webhook-id"]


def test_a_preview_sends_the_latest_matching_event_now(live) -> None:
    status = {"now": 200}
    with (
        running(lambda m, h, b: Reply(status["now"])) as receiver,
        running() as existing,
        live() as app,
    ):
        # The merchant's webhook already takes the event, so it is stored to preview with.
        taking = webhooks.subscribe(app.api, existing.url(), eventsFilter=["customer-created"])
        customer_id = kyc.customer(app.api, first="Grace")
        secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
        body = {
            "method": "POST",
            "url": receiver.url(),
            "credentialHash": webhooks.credential(app.api),
            "eventsFilter": ["customer-created"],
            "signingSecret": secret,
        }
        assert app.api.post("/previews/webhooks", json=body).status_code == 204
        [received] = receiver.received
        payload = json.loads(received.body)
        assert (payload["eventType"], payload["customerId"]) == ("customer-created", customer_id)
        assert verify(secret, received.headers, received.body)

        status["now"] = 500
        refused = app.api.post("/previews/webhooks", json=body)
        assert refused.status_code == 422
        assert refused.json()["invalidFields"] == [
            {"field": "url", "message": "the receiver answered 500"}
        ]
        assert {entry["webhookId"] for entry in webhooks.log(app.api)} == {taking["id"]}
        assert [hook["id"] for hook in app.api.get("/webhooks").json()] == [taking["id"]]
