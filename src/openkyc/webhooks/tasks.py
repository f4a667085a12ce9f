"""The delivery worker: part of `openkyc serve` (embedded) and of every `openkyc worker`.

One thread claims due deliveries, as many as there are free sending slots, and writes the
outcomes of finished attempts in batches; a pool of threads sends. A slow or hanging receiver
holds one slot for at most the timeout, never the others. Workers in other processes and on
other machines share the queue through the database."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial

import httpx
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from openkyc import clock
from openkyc.config import Settings
from openkyc.files.fetch import FetchPolicy, IPNetwork
from openkyc.jobs.leases import Outage
from openkyc.metrics import webhook_attempt
from openkyc.sealing import PREFIX, SealBroken, Sealer
from openkyc.webhooks import queue
from openkyc.webhooks.outgoing import (
    Subscription,
    credential_problem,
    logged_headers,
    outgoing,
    request_body,
)
from openkyc.webhooks.queue import Attempt, Claimed, RetryPolicy
from openkyc.webhooks.sender import RESPONSE_KEPT_BYTES, Answer, Sender

log = logging.getLogger(__name__)
# How long a finished attempt may wait to be recorded together with others.
GATHER = 0.02


@dataclass(frozen=True)
class DeliveryConfig:
    concurrency: int = 64
    poll_seconds: float = 1.0
    lease: timedelta = timedelta(seconds=60)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout: float = 5.0
    timeout: float = 15.0
    private_opt_in: bool = True
    allowed_networks: tuple[IPNetwork, ...] = ()
    # Opens the stored signing secrets and passwords; without one only unsealed values work.
    sealer: Sealer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryConfig:
        return cls(
            concurrency=settings.webhook_concurrency,
            poll_seconds=settings.webhook_poll_seconds,
            lease=timedelta(seconds=settings.webhook_lease_seconds),
            retry=RetryPolicy(
                max_attempts=settings.webhook_max_attempts,
                base_seconds=settings.webhook_retry_base_seconds,
                max_delay_seconds=settings.webhook_retry_max_delay_seconds,
                disable_after=timedelta(seconds=settings.webhook_disable_after_seconds),
            ),
            connect_timeout=settings.webhook_connect_timeout,
            timeout=settings.webhook_timeout,
            private_opt_in=bool(settings.webhook_private_networks_opt_in),
            allowed_networks=tuple(settings.webhook_allowed_networks),
            sealer=Sealer(settings.resolved_secret_key, settings.previous_secret_keys),
        )

    def policy(self, organization_allows_private: bool) -> FetchPolicy:
        """Where deliveries may connect: public addresses, the operator's networks, and
        private ones when the organization chose so and the operator lets it."""
        return FetchPolicy(
            timeout=self.timeout,
            max_redirects=0,
            max_bytes=RESPONSE_KEPT_BYTES,
            allow_private=organization_allows_private and self.private_opt_in,
            allowed_networks=self.allowed_networks,
        )


def attempt_delivery(claimed: Claimed, sender: Sender, config: DeliveryConfig) -> Attempt:
    """Make one attempt of a claimed delivery (no database here)."""
    if claimed.payload is None:
        return _unsent(claimed, "the event no longer exists")
    if claimed.subscription is None:
        return _unsent(claimed, "the webhook is inactive")
    try:
        subscription = opened(claimed.subscription, config.sealer)
    except SealBroken as broken:
        return _unsent(claimed, str(broken))
    body = request_body(subscription, claimed.payload)
    request = outgoing(
        subscription,
        claimed.event_id,
        body,
        config.policy(claimed.allow_private),
        clock.timestamp(),
    )
    try:
        problem = credential_problem(subscription, httpx.URL(subscription.url).host)
    except httpx.InvalidURL:
        problem = None  # the sender says what is wrong with it
    answer = Answer(0, error=f"not sent: {problem}") if problem else sender.send(request)
    return Attempt(
        claimed,
        answer,
        url=subscription.url,
        method=subscription.method,
        request_body=body,
        request_headers=logged_headers(request),
    )


def opened(subscription: Subscription, sealer: Sealer | None) -> Subscription:
    """The subscription with its signing secret and its credential's password readable."""

    def open_(value: str | None) -> str | None:
        if sealer is None:
            if value is not None and value.startswith(PREFIX):
                raise SealBroken("a stored secret is sealed and this process has no key")
            return value
        return sealer.open(value)

    credential = subscription.credential
    if credential is not None:
        credential = replace(credential, password=open_(credential.password))
    return replace(
        subscription, signing_secret=open_(subscription.signing_secret), credential=credential
    )


def _webhook(claimed: Claimed) -> tuple[str, str]:
    return claimed.organization_id, claimed.webhook_id


def _unsent(claimed: Claimed, reason: str) -> Attempt:
    return Attempt(claimed, Answer(0, error=f"not sent: {reason}"), final=True, sent=False)


class DeliveryWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: DeliveryConfig,
        *,
        sender: Sender | None = None,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.config = config
        self.sender = sender or Sender(config.connect_timeout, config.timeout)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._pool = ThreadPoolExecutor(config.concurrency, thread_name_prefix="openkyc-webhook")
        self._changed = threading.Condition()
        self._finished: list[Attempt] = []
        self._first_finished = 0.0
        self._in_flight = 0
        # Attempts under way per webhook: one webhook gets at most half the slots.
        self._per_webhook: Counter[tuple[str, str]] = Counter()
        self._released = 0  # attempts finished since the last claim
        self._woken = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None
        self._outage = Outage(f"webhook worker {self.name}")

    def wake(self) -> None:
        with self._changed:
            self._woken = True
            self._changed.notify_all()

    def start(self) -> None:
        queue.on_new_deliveries(self.wake)
        self._thread = threading.Thread(target=self._loop, name="openkyc-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming, let attempts under way finish and record them."""
        queue.forget_new_deliveries_listener(self.wake)
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=self.config.timeout + 10)
        self._pool.shutdown(wait=True)
        self._cycle(self._finished, 0, False)
        self._disconnect()
        self.sender.close()

    def _loop(self) -> None:
        more, last_claim, last_lapsed = True, 0.0, 0.0
        while True:
            finished, free = self._wait(more, last_claim)
            lapsed = time.monotonic() - last_lapsed >= self.config.poll_seconds
            claimed = self._cycle(finished, free, lapsed)
            if free:
                # More may be due: the claim took all it asked for, or a webhook's cap held
                # it back (then it claims again as attempts finish).
                more = len(claimed) == free or self._capped()
                last_claim = time.monotonic()
                last_lapsed = last_claim if lapsed else last_lapsed
            for item in claimed:
                future = self._pool.submit(attempt_delivery, item, self.sender, self.config)
                future.add_done_callback(partial(self._done, item))
            if self._stop.is_set():
                return

    def _wait(self, more: bool, last_claim: float) -> tuple[list[Attempt], int]:
        """Sleep until there is something worth a transaction: slots to fill (new deliveries,
        the poll interval, or enough free while more work is due), or finished attempts to
        record (enough of them, the last ones, or one that waited long enough). Returns the
        attempts to record and how many deliveries to claim."""
        batch = max(1, self.config.concurrency // 4)
        with self._changed:
            while True:
                now = time.monotonic()
                free = 0 if self._stop.is_set() else self.config.concurrency - self._in_flight
                poll_left = self.config.poll_seconds - (now - last_claim)
                # Claim in batches: after enough attempts finished, or the last ones.
                refill = self._released >= batch or (self._released and not self._in_flight)
                fill = more and free > 0 and refill
                claim = free > 0 and (self._woken or poll_left <= 0 or fill)
                gathered = now - self._first_finished
                record = bool(self._finished) and (
                    len(self._finished) >= batch or self._in_flight == 0 or gathered >= GATHER
                )
                if claim or record or self._stop.is_set():
                    break
                waits = [poll_left] if free else []
                waits += [GATHER - gathered] if self._finished else []
                self._changed.wait(timeout=max(0.001, min(waits)) if waits else None)
            finished, self._finished = self._finished, []
            if claim:
                self._woken, self._released = False, 0
            return finished, free if claim else 0

    def _cycle(self, finished: list[Attempt], limit: int, lapsed: bool) -> list[Claimed]:
        """Record finished attempts and claim up to ``limit`` deliveries, in one transaction.
        If it fails, the leases of both lapse and the deliveries are tried again: at least
        once, never lost."""
        if not finished and not limit:
            return []
        with self._changed:
            busy = dict(self._per_webhook)
        try:
            with self._session() as session, session.begin():
                now = clock.now()
                queue.record(session, self.name, finished, self.config.retry, now)
                claimed = queue.claim(
                    session,
                    self.name,
                    limit,
                    self.config.lease,
                    now,
                    lapsed=lapsed,
                    busy=busy,
                    cap=self._cap,
                    max_attempts=self.config.retry.max_attempts,
                )
        except Exception as error:
            self._disconnect()
            self._stop.wait(self._outage.failed(error))
            return []
        self._outage.succeeded()
        with self._changed:
            self._in_flight += len(claimed)
            self._per_webhook.update(_webhook(item) for item in claimed)
        return claimed

    @property
    def _cap(self) -> int:
        return max(1, self.config.concurrency // 2)

    def _capped(self) -> bool:
        with self._changed:
            return any(count >= self._cap for count in self._per_webhook.values())

    def _session(self) -> Session:
        """A session on the loop's own connection: taken from the pool once, not checked out
        (and pinged) for every cycle."""
        bind = self.sessions.kw["bind"]
        if isinstance(bind, Connection):  # a test's single connection
            return self.sessions()
        if self._connection is None:
            self._connection = bind.connect()
        return self.sessions(bind=self._connection)

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _done(self, claimed: Claimed, future: Future[Attempt]) -> None:
        try:
            attempt = future.result()
        except Exception as error:  # a bug must not lose the delivery: it is retried
            log.exception("webhook delivery %s failed unexpectedly", claimed.id)
            attempt = Attempt(claimed, Answer(0, error=f"openkyc failed: {type(error).__name__}"))
        webhook_attempt(_outcome(attempt), claimed.attempt)
        with self._changed:
            if not self._finished:
                self._first_finished = time.monotonic()
            self._finished.append(attempt)
            self._in_flight -= 1
            self._released += 1
            self._per_webhook[_webhook(claimed)] -= 1
            if self._per_webhook[_webhook(claimed)] <= 0:
                del self._per_webhook[_webhook(claimed)]
            self._changed.notify_all()


def _outcome(attempt: Attempt) -> str:
    if not attempt.sent:
        return "unsent"
    return "delivered" if attempt.answer.ok else "failed"


def delivery_worker(settings: Settings, sessions: sessionmaker[Session]) -> DeliveryWorker:
    return DeliveryWorker(sessions, DeliveryConfig.from_settings(settings))
