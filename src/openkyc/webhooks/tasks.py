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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from openkyc.config import Settings
from openkyc.db.types import utcnow
from openkyc.files.fetch import FetchPolicy, IPNetwork
from openkyc.webhooks import queue
from openkyc.webhooks.outgoing import credential_problem, logged_headers, outgoing, request_body
from openkyc.webhooks.queue import Attempt, Claimed, RetryPolicy
from openkyc.webhooks.sender import RESPONSE_KEPT_BYTES, Answer, Sender

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryConfig:
    concurrency: int = 16
    poll_seconds: float = 1.0
    lease: timedelta = timedelta(seconds=60)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout: float = 5.0
    timeout: float = 15.0
    private_opt_in: bool = True
    allowed_networks: tuple[IPNetwork, ...] = ()

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
            private_opt_in=settings.webhook_private_networks_opt_in,
            allowed_networks=tuple(settings.webhook_allowed_networks),  # type: ignore[arg-type]
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
    subscription = claimed.subscription
    if subscription is None:
        return _unsent(claimed, "the webhook is inactive")
    body = request_body(subscription, claimed.payload)
    request = outgoing(
        subscription, claimed.event_id, body, config.policy(claimed.allow_private), time.time()
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
        self._in_flight = 0
        self._woken = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

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
        self._write(self._take_finished())
        self.sender.close()

    def _loop(self) -> None:
        more, last_claim = True, 0.0
        while not self._stop.is_set():
            woken, free = self._wait(more, last_claim)
            self._write(self._take_finished())
            if self._stop.is_set():
                break
            poll_due = time.monotonic() - last_claim >= self.config.poll_seconds
            if free and (woken or more or poll_due):
                claimed = self._claim(free)
                last_claim = time.monotonic()
                more = len(claimed) == free
                for item in claimed:
                    self._pool.submit(
                        attempt_delivery, item, self.sender, self.config
                    ).add_done_callback(lambda future, item=item: self._done(item, future))

    def _wait(self, more: bool, last_claim: float) -> tuple[bool, int]:
        """Sleep until there is something to do: attempts to record, new deliveries, a free
        slot while more work may be due, or the poll interval."""
        with self._changed:
            while not (self._stop.is_set() or self._finished or self._woken):
                free = self.config.concurrency - self._in_flight
                left = self.config.poll_seconds - (time.monotonic() - last_claim)
                if free and (more or left <= 0):
                    break
                self._changed.wait(timeout=max(left, 0.01) if free else None)
            free = self.config.concurrency - self._in_flight
            woken = self._woken
            if free:  # a wake with no free slot waits for one
                self._woken = False
            return woken, free

    def _take_finished(self) -> list[Attempt]:
        with self._changed:
            finished, self._finished = self._finished, []
            return finished

    def _claim(self, limit: int) -> list[Claimed]:
        try:
            with self.sessions.begin() as session:
                claimed = queue.claim(session, self.name, limit, self.config.lease, utcnow())
        except Exception:
            log.exception("webhook worker %s could not claim deliveries", self.name)
            return []
        with self._changed:
            self._in_flight += len(claimed)
        return claimed

    def _done(self, claimed: Claimed, future: Future[Attempt]) -> None:
        try:
            attempt = future.result()
        except Exception as error:  # a bug must not lose the delivery: it is retried
            log.exception("webhook delivery %s failed unexpectedly", claimed.id)
            attempt = Attempt(claimed, Answer(0, error=f"openkyc failed: {type(error).__name__}"))
        with self._changed:
            self._finished.append(attempt)
            self._in_flight -= 1
            self._changed.notify_all()

    def _write(self, attempts: list[Attempt]) -> None:
        """Record outcomes. If that fails the leases lapse and the deliveries are tried again:
        at least once, never lost."""
        if not attempts:
            return
        try:
            with self.sessions.begin() as session:
                queue.record(session, self.name, attempts, self.config.retry, utcnow())
        except Exception:
            log.exception(
                "webhook worker %s could not record %d attempts", self.name, len(attempts)
            )


def delivery_worker(settings: Settings, sessions: sessionmaker[Session]) -> DeliveryWorker:
    return DeliveryWorker(sessions, DeliveryConfig.from_settings(settings))
