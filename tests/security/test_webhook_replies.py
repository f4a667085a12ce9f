"""Whatever a webhook receiver sends back (NUL bytes, bytes that are not UTF-8, a huge body,
odd or many headers) is stored bounded and escaped on both databases; the delivery ends as
its status says, within the attempt limit; the delivery log keeps answering."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from openkyc.db.types import utcnow
from openkyc.webhooks import queue
from openkyc.webhooks.replies import KEPT_HEADERS, KEPT_TEXT
from tests.fixtures import kyc, webhooks
from tests.webhooks.conftest import Live, live  # noqa: F401 (the fixture)
from tests.webhooks.receivers import Reply, running, wait_for

HOSTILE_BODIES = {
    "nul-bytes": b"ok\x00\x00\x00done",
    "only-nul": b"\x00" * 64,
    "not-utf-8": b"\xff\xfe\xc3\x28 \xa0\xa1 latin-1 \xe9t\xe9",
    "huge": b"A" * (3 * 1024 * 1024),
    "json-with-nul": b'{"ok": "\\u0000", "raw": "\x00"}',
}
HOSTILE_HEADERS = {
    "latin-1-value": (("x-name", "Ren\xe9e"),),
    "many": tuple((f"x-h{n}", "v" * 10) for n in range(300)),
    "long-value": (("x-long", "v" * 20_000),),
    "repeated": (("x-dup", "a"), ("x-dup", "b"), ("set-cookie", "c=1")),
}


def _entry(app: Live) -> dict[str, Any]:
    response = app.api.get("/tracking/webhooks")
    assert response.status_code == 200, response.text
    [entry] = response.json()
    return dict(entry)


def _finished(app: Live) -> dict[str, Any]:
    app.until(lambda: _entry(app)["deliveryStatus"] in ("delivered", "failed"), "the last attempt")
    return _entry(app)


def _ended(app: Live) -> list[tuple[str, int]]:
    """(status, attempts) of the tenant's stored deliveries that no worker holds or will pick
    up again: neither leased nor waiting for a retry."""
    table = queue.TABLE
    with app.database.sessionmaker() as session:
        rows = session.execute(
            select(table.c.status, table.c.attempt).where(
                table.c.organization_id == app.tenant.organization_id,
                table.c.lease_expires_at.is_(None),
                table.c.status.not_in([queue.PENDING, queue.SENDING]),
            )
        )
        return [(row.status, row.attempt) for row in rows]


@pytest.mark.parametrize("kind", sorted(HOSTILE_BODIES))
def test_a_hostile_body_of_a_2xx_reply_is_stored_and_the_delivery_is_delivered(
    live: Callable[..., AbstractContextManager[Live]],  # noqa: F811
    kind: str,
) -> None:
    body = HOSTILE_BODIES[kind]
    with running(lambda m, h, b: Reply(200, body=body)) as receiver, live() as app:
        webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        kyc.customer(app.api)
        entry = _finished(app)
        assert (entry["deliveryStatus"], entry["attempt"], entry["status"]) == ("delivered", 1, 200)
        assert "\x00" not in entry["response"] and len(entry["response"]) <= KEPT_TEXT
        if b"\x00" in body:
            assert "\\u0000" in entry["response"]
        assert _ended(app) == [(queue.DELIVERED, 1)]  # nothing left to send again
        assert len(receiver.received) == 1
        one = app.api.get(f"/tracking/webhooks/{entry['id']}")
        assert one.status_code == 200 and one.json()["response"] == entry["response"]


@pytest.mark.parametrize("kind", sorted(HOSTILE_BODIES))
def test_a_hostile_failing_reply_still_ends_at_the_attempt_limit(
    live: Callable[..., AbstractContextManager[Live]],  # noqa: F811
    kind: str,
) -> None:
    body = HOSTILE_BODIES[kind]
    with (
        running(lambda m, h, b: Reply(500, body=body)) as receiver,
        live(webhook_max_attempts=3) as app,
    ):
        webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        kyc.customer(app.api)
        entry = _finished(app)
        assert (entry["deliveryStatus"], entry["attempt"], entry["status"]) == ("failed", 3, 500)
        assert _ended(app) == [(queue.FAILED, 3)]
        assert len(receiver.received) == 3


@pytest.mark.parametrize("kind", sorted(HOSTILE_HEADERS))
def test_hostile_reply_headers_are_stored_bounded(
    live: Callable[..., AbstractContextManager[Live]],  # noqa: F811
    kind: str,
) -> None:
    headers = HOSTILE_HEADERS[kind]
    with running(lambda m, h, b: Reply(204, headers=headers)) as receiver, live() as app:
        webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
        kyc.customer(app.api)
        entry = _finished(app)
        assert (entry["deliveryStatus"], entry["attempt"]) == ("delivered", 1)
        stored = entry["responseHeaders"]
        assert len(stored) <= KEPT_HEADERS
        assert all(len(name) + len(value) <= KEPT_TEXT for name, value in stored.items())
        assert len(receiver.received) == 1


def test_the_lapsed_lease_of_the_last_attempt_fails_the_delivery(
    live: Callable[..., AbstractContextManager[Live]],  # noqa: F811
) -> None:
    with running() as receiver:
        receiver.stop()  # nobody answers: no attempt of the live worker ends well
        with live(webhook_max_attempts=3, webhook_poll_seconds=3600) as app:
            webhooks.subscribe(app.api, receiver.url(), eventsFilter=["customer-created"])
            kyc.customer(app.api)
            wait_for(lambda: _entry(app)["attempt"] >= 1)
            _claimed_by_a_worker_that_always_dies(app)


def _claimed_by_a_worker_that_always_dies(app: Live) -> None:
    """Claim the delivery again and again an hour from now (beyond the live worker's reach),
    never recording an outcome, each time after the lease lapsed."""
    mine = queue.TABLE.c.organization_id == app.tenant.organization_id
    now, lease = utcnow() + timedelta(hours=1), timedelta(seconds=30)
    with app.database.write_sessionmaker.begin() as session:
        session.execute(
            queue.TABLE.update()
            .where(mine)
            .values(status=queue.PENDING, attempt=0, run_after=now, lease_expires_at=None)
        )
    attempts = []
    for _ in range(6):
        with app.database.write_sessionmaker.begin() as session:
            claimed = queue.claim(session, "dies-every-time", 10, lease, now, max_attempts=3)
            attempts += [
                c.attempt for c in claimed if c.organization_id == app.tenant.organization_id
            ]
        now += lease + timedelta(seconds=1)
    assert attempts == [1, 2, 3]
    with app.database.sessionmaker() as session:
        row = session.execute(queue.TABLE.select().where(mine)).one()
    assert (row.status, row.attempt) == (queue.FAILED, 3)
    assert row.error == "the outcome of the last attempt was never recorded"
