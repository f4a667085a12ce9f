"""The delivery queue, shared by every worker of every organization.

A worker claims due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on
SQLite) and leases them; a delivery whose lease lapsed (its worker died) is due again. The
outcome of an attempt is written only by the worker that still holds the claim, so a worker
that lost its lease cannot overwrite its successor's result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from openkyc.db.models import OutboxEvent, ServiceCredential, Webhook, WebhookDelivery
from openkyc.db.models import WebhookSettings as SettingsRow
from openkyc.jobs.leases import Backoff, Queue, Wakeup
from openkyc.webhooks.enums import DeliveryStatus, WebhookStatus
from openkyc.webhooks.outgoing import Credential, Subscription
from openkyc.webhooks.replies import storable_headers, storable_text
from openkyc.webhooks.sender import Answer

PENDING, SENDING = DeliveryStatus.PENDING, DeliveryStatus.SENDING
DELIVERED, FAILED = DeliveryStatus.DELIVERED, DeliveryStatus.FAILED
GONE = 410
TABLE = cast(Table, WebhookDelivery.__table__)
DELIVERIES = Queue(TABLE, waiting=PENDING, held=SENDING, attempts_column="attempt")
WAKEUP = Wakeup("webhook-deliveries")


def on_new_deliveries(callback: Callable[[], None]) -> None:
    """Call ``callback()`` after a transaction of this process that made deliveries due
    commits, so an idle worker starts at once instead of at its next poll."""
    WAKEUP.listen(callback)


def forget_new_deliveries_listener(callback: Callable[[], None]) -> None:
    WAKEUP.forget(callback)


def announce(session: Session) -> None:
    WAKEUP.announce(session)


@dataclass(frozen=True)
class RetryPolicy(Backoff):
    """Attempt n waits base * 3**(n-1) seconds, at most ``max_delay_seconds``, each wait
    drawn within +-25% so retries of many deliveries spread; after ``max_attempts`` the
    delivery fails, and a webhook failing for ``disable_after`` is deactivated."""

    base_seconds: float = 5.0
    factor: float = 3.0
    max_delay_seconds: float = 86400.0
    max_attempts: int = 13
    disable_after: timedelta = timedelta(days=5)

    def schedule(self) -> list[float]:
        """The waits between attempts, without jitter."""
        return self.waits(self.max_attempts)


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds: what it needs to send, in plain values."""

    id: str
    organization_id: str
    webhook_id: str
    event_id: str
    attempt: int
    max_attempts: int | None
    payload: dict[str, Any] | None
    subscription: Subscription | None
    allow_private: bool
    # Whether its webhook was failing when claimed (a success then ends that).
    failing: bool = False


@dataclass(frozen=True)
class Attempt:
    """What one attempt sent and got. ``final``: no retry whatever happened (the webhook is
    gone or inactive, or the event is); ``sent``: it counts for the webhook's health."""

    claimed: Claimed
    answer: Answer
    url: str | None = None
    method: str | None = None
    request_body: str | None = None
    request_headers: dict[str, str] | None = None
    final: bool = False
    sent: bool = True


WebhookKey = tuple[str, str]  # (organization id, webhook id)


def _due(
    session: Session, now: datetime, limit: int, busy: Mapping[WebhookKey, int], cap: int
) -> list[str]:
    """Due deliveries, oldest first, at most ``cap`` in flight per webhook in this worker
    (``busy`` counts those already sent), so one slow receiver cannot take every slot."""
    full = [key for key, count in busy.items() if count >= cap]
    statement = DELIVERIES.waiting_due(
        now, TABLE.c.id, TABLE.c.organization_id, TABLE.c.webhook_id
    ).limit(limit)
    if full:
        statement = statement.where(
            tuple_(TABLE.c.organization_id, TABLE.c.webhook_id).not_in(full)
        )
    taken = Counter(busy)
    chosen = []
    for delivery_id, organization_id, webhook_id in session.execute(statement):
        if taken[organization_id, webhook_id] < cap:
            taken[organization_id, webhook_id] += 1
            chosen.append(delivery_id)
    return chosen


def claim(
    session: Session,
    worker_id: str,
    limit: int,
    lease: timedelta,
    now: datetime,
    *,
    lapsed: bool = True,
    busy: Mapping[WebhookKey, int] | None = None,
    cap: int | None = None,
    max_attempts: int = RetryPolicy.max_attempts,
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries to this worker and load what sending them needs.
    ``lapsed``: look for deliveries whose lease ran out too (not needed on every claim);
    ``busy`` and ``cap``: what this worker sends to each webhook now, and the most it may."""
    ids = []
    if lapsed:
        _fail_exhausted(session, now, max_attempts)
        ids = DELIVERIES.lease(
            session, DELIVERIES.lapsed(now).limit(limit), worker_id, lease, now, sent_time=now
        )
    if len(ids) < limit:
        due = _due(session, now, limit - len(ids), busy or {}, cap or limit)
        ids += DELIVERIES.lease(session, due, worker_id, lease, now, sent_time=now) if due else []
    return _load(session, ids) if ids else []


_D, _E, _W = WebhookDelivery, OutboxEvent, Webhook
_C, _S = ServiceCredential, SettingsRow
_LOAD = (
    select(
        _D.id,
        _D.organization_id,
        _D.webhook_id,
        _D.event_id,
        _D.attempt,
        _D.max_attempts,
        _E.payload,
        _W.url,
        _W.method,
        _W.headers,
        _W.body_template,
        _W.signing_secret,
        _W.status.label("webhook_status"),
        _W.failing_since,
        _C.id.label("credential_id"),
        _C.host,
        _C.auth_type,
        _C.username,
        _C.password,
        _C.status.label("credential_status"),
        _S.allow_private_networks,
    )
    .select_from(_D)
    .outerjoin(_E, and_(_E.organization_id == _D.organization_id, _E.id == _D.event_id))
    .outerjoin(_W, and_(_W.organization_id == _D.organization_id, _W.id == _D.webhook_id))
    .outerjoin(_C, and_(_C.organization_id == _W.organization_id, _C.id == _W.credential_id))
    .outerjoin(_S, _S.organization_id == _D.organization_id)
)


def _load(session: Session, ids: Sequence[str]) -> list[Claimed]:
    """What sending needs, in plain values: the event, the webhook, its credential."""
    rows = session.execute(_LOAD.where(_D.id.in_(ids)))
    return [
        Claimed(
            id=row.id,
            organization_id=row.organization_id,
            webhook_id=row.webhook_id,
            event_id=row.event_id,
            attempt=row.attempt,
            max_attempts=row.max_attempts,
            payload=row.payload,
            subscription=_subscription(row) if row.webhook_status == WebhookStatus.ACTIVE else None,
            allow_private=bool(row.allow_private_networks),
            failing=row.failing_since is not None,
        )
        for row in rows
    ]


def _subscription(row: Any) -> Subscription:
    credential = None
    if row.credential_id is not None:
        credential = Credential(
            row.credential_id,
            row.host,
            row.auth_type,
            row.username,
            row.password,
            row.credential_status,
        )
    return Subscription(
        id=row.webhook_id,
        organization_id=row.organization_id,
        url=row.url,
        method=row.method,
        headers=list(row.headers),
        body_template=row.body_template,
        signing_secret=row.signing_secret,
        credential=credential,
    )


def credential_of(row: ServiceCredential) -> Credential:
    return Credential(row.id, row.host, row.auth_type, row.username, row.password, row.status)


def _fail_exhausted(session: Session, now: datetime, default_max_attempts: int) -> None:
    """A lapsed lease on the last allowed attempt: its outcome was never recorded (its worker
    died, or the outcome could not be stored), and it still counts. The delivery fails."""
    limit = func.coalesce(func.nullif(TABLE.c.max_attempts, 0), default_max_attempts)
    session.execute(
        update(TABLE)
        .where(
            TABLE.c.status == SENDING,
            TABLE.c.lease_expires_at <= now,
            TABLE.c.attempt >= limit,
        )
        .values(
            status=FAILED,
            lease_expires_at=None,
            error="the outcome of the last attempt was never recorded",
            updated_time=now,
        )
    )


def _outcome(attempt: Attempt, policy: RetryPolicy, now: datetime) -> tuple[str, datetime]:
    claimed, answer = attempt.claimed, attempt.answer
    if answer.ok:
        return DELIVERED, now
    last = claimed.max_attempts or policy.max_attempts
    if attempt.final or answer.status == GONE or claimed.attempt >= last:
        return FAILED, now
    wait = policy.delay(claimed.attempt, answer.retry_after_seconds)
    return PENDING, now + timedelta(seconds=wait)


_RECORD = (
    update(TABLE)
    .where(
        TABLE.c.id == bindparam("b_id"),
        TABLE.c.worker_id == bindparam("b_worker"),
        TABLE.c.attempt == bindparam("b_attempt"),
        TABLE.c.status == SENDING,
    )
    .values(
        status=bindparam("b_status"),
        run_after=bindparam("b_run_after"),
        lease_expires_at=None,
        url=bindparam("b_url"),
        method=bindparam("b_method"),
        request_body=bindparam("b_request_body"),
        request_headers=bindparam("b_request_headers"),
        response_status=bindparam("b_response_status"),
        response_body=bindparam("b_response_body"),
        response_headers=bindparam("b_response_headers"),
        duration_ms=bindparam("b_duration_ms"),
        error=bindparam("b_error"),
        updated_time=bindparam("b_now"),
    )
)


def _record_parameters(
    attempt: Attempt, worker_id: str, policy: RetryPolicy, now: datetime
) -> dict[str, Any]:
    status, run_after = _outcome(attempt, policy, now)
    answer = attempt.answer
    return {
        "b_id": attempt.claimed.id,
        "b_worker": worker_id,
        "b_attempt": attempt.claimed.attempt,
        "b_status": status,
        "b_run_after": run_after,
        # What the receiver sent (and anything quoting it) is stored bounded and escaped.
        "b_url": storable_text(attempt.url),
        "b_method": attempt.method,
        "b_request_body": storable_text(attempt.request_body),
        "b_request_headers": storable_headers(attempt.request_headers),
        "b_response_status": answer.status,
        "b_response_body": storable_text(answer.body) if answer.status is not None else None,
        "b_response_headers": storable_headers(answer.headers)
        if answer.status is not None
        else None,
        "b_duration_ms": answer.duration_ms,
        "b_error": storable_text(answer.error),
        "b_now": now,
    }


def record(
    session: Session,
    worker_id: str,
    attempts: Sequence[Attempt],
    policy: RetryPolicy,
    now: datetime,
) -> None:
    """Write the outcome of attempts (retry, delivered or failed) and each webhook's health."""
    if not attempts:
        return
    ordered = sorted(attempts, key=lambda a: a.claimed.id)
    session.execute(_RECORD, [_record_parameters(a, worker_id, policy, now) for a in ordered])
    _update_health(session, ordered, policy, now)


def _update_health(
    session: Session, attempts: Sequence[Attempt], policy: RetryPolicy, now: datetime
) -> None:
    """A success ends a webhook's failing run; a failure starts one. A webhook failing for
    longer than allowed, or whose receiver answered 410 Gone, is deactivated. Nothing to
    write (the usual case) costs no statement."""
    sent = [a for a in attempts if a.sent]
    working = {_hook_key(a) for a in sent if a.answer.ok}
    failed = [a for a in sent if not a.answer.ok and _hook_key(a) not in working]
    gone = {_hook_key(a) for a in attempts if a.answer.status == GONE}
    recovered = {_hook_key(a) for a in sent if a.answer.ok and a.claimed.failing}
    for organization_id, webhook_id in sorted(recovered):
        session.execute(
            _hook_update(organization_id, webhook_id)
            .where(Webhook.failing_since.is_not(None))
            .values(failing_since=None)
        )
    for organization_id, webhook_id in sorted(
        {_hook_key(a) for a in failed if not a.claimed.failing}
    ):
        session.execute(
            _hook_update(organization_id, webhook_id)
            .where(Webhook.failing_since.is_(None))
            .values(failing_since=now)
        )
    for hook in _active_hooks(session, {_hook_key(a) for a in failed} | gone):
        if (hook.organization_id, hook.id) in gone:
            deactivate(session, hook, "the receiver answered 410 Gone", now)
        elif hook.failing_since is not None and now - hook.failing_since >= policy.disable_after:
            since = f"{hook.failing_since:%Y-%m-%dT%H:%M:%SZ}"
            deactivate(session, hook, f"every delivery attempt failed since {since}", now)


def _hook_key(attempt: Attempt) -> tuple[str, str]:
    return attempt.claimed.organization_id, attempt.claimed.webhook_id


def _hook_update(organization_id: str, webhook_id: str) -> Any:
    return update(Webhook).where(
        Webhook.organization_id == organization_id, Webhook.id == webhook_id
    )


def _active_hooks(session: Session, keys: set[tuple[str, str]]) -> list[Webhook]:
    if not keys:
        return []
    statement = select(Webhook).where(
        or_(*(and_(Webhook.organization_id == o, Webhook.id == w) for o, w in sorted(keys))),
        Webhook.status == WebhookStatus.ACTIVE,
    )
    return list(session.scalars(statement))


def deactivate(session: Session, hook: Webhook, reason: str, now: datetime) -> None:
    """Switch a subscription off for good reason, visibly; its waiting deliveries fail (they
    can be resent once it is active again)."""
    hook.status = WebhookStatus.INACTIVE
    hook.deactivation_time = now
    hook.deactivation_reason = reason
    hook.touch()
    session.execute(
        update(TABLE)
        .where(
            TABLE.c.organization_id == hook.organization_id,
            TABLE.c.webhook_id == hook.id,
            TABLE.c.status == PENDING,
        )
        .values(
            status=FAILED,
            error=f"not sent: the webhook was deactivated ({reason})",
            updated_time=now,
        )
    )
    session.flush()
