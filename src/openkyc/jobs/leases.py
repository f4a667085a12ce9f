"""The one mechanism behind every durable queue of openkyc (jobs, webhook deliveries): claim due
rows with a lease, renew the lease while the work runs, retry with back-off, wake idle workers
when new work commits, and wait quietly while the database is away.

A queue is a table with ``status``, ``run_after``, ``worker_id``, ``lease_expires_at`` and an
attempt counter. A row is due when it waits and its ``run_after`` has come, or when it is held
and its lease lapsed (its worker died). Claiming is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(workers never wait for each other) and runs under the write lock on SQLite."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Select, Table, event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Queue:
    """How one table keeps its queue: the status of waiting and of held rows, and the name of
    its attempt counter."""

    table: Table
    waiting: str
    held: str
    attempts_column: str = "attempts"

    @property
    def _c(self) -> Any:
        return self.table.c

    @property
    def attempts(self) -> Column[int]:
        column: Column[int] = self._c[self.attempts_column]
        return column

    def waiting_due(self, now: datetime, *columns: Any) -> Select[Any]:
        """Waiting rows whose time has come, oldest first, locked for this worker alone."""
        return (
            select(*(columns or (self._c.id,)))
            .where(self._c.status == self.waiting, self._c.run_after <= now)
            .order_by(self._c.run_after)
            .with_for_update(skip_locked=True)
        )

    def lapsed(self, now: datetime, *columns: Any) -> Select[Any]:
        """Held rows whose worker stopped renewing their lease."""
        return (
            select(*(columns or (self._c.id,)))
            .where(self._c.status == self.held, self._c.lease_expires_at <= now)
            .order_by(self._c.lease_expires_at)
            .with_for_update(skip_locked=True)
        )

    def lease(
        self,
        session: Session,
        chosen: Any,
        worker_id: str,
        lease: timedelta,
        now: datetime,
        **values: Any,
    ) -> list[str]:
        """Hold the chosen rows for ``worker_id`` until ``now + lease``; returns their ids."""
        statement = (
            update(self.table)
            .where(self._c.id.in_(chosen))
            .values(
                status=self.held,
                worker_id=worker_id,
                lease_expires_at=now + lease,
                updated_time=now,
                **{self.attempts_column: self.attempts + 1},
                **values,
            )
            .returning(self._c.id)
        )
        return list(session.scalars(statement))

    def renew(
        self, session: Session, ids: Iterable[str], worker_id: str, lease: timedelta, now: datetime
    ) -> set[str]:
        """Extend the leases ``worker_id`` still holds; returns the ids it still holds."""
        ids = sorted(ids)
        if not ids:
            return set()
        statement = (
            update(self.table)
            .where(
                self._c.id.in_(ids),
                self._c.worker_id == worker_id,
                self._c.status == self.held,
            )
            .values(lease_expires_at=now + lease)
            .returning(self._c.id)
        )
        return set(session.scalars(statement))


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off with jitter: retry n waits ``base * factor**(n-1)`` seconds, at most
    ``max_delay_seconds``, drawn within ``spread`` of that so retries of many rows spread out."""

    base_seconds: float = 2.0
    factor: float = 2.0
    max_delay_seconds: float = 300.0
    spread: tuple[float, float] = (0.75, 1.25)

    def nominal(self, attempt: int) -> float:
        return float(min(self.max_delay_seconds, self.base_seconds * self.factor ** (attempt - 1)))

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The wait after failed attempt ``attempt``; ``retry_after`` (what a receiver asked
        for) lengthens it, up to the maximum."""
        wait = self.nominal(attempt) * random.uniform(*self.spread)
        if retry_after:
            wait = max(wait, min(retry_after, self.max_delay_seconds))
        return wait

    def waits(self, attempts: int) -> list[float]:
        """The nominal waits between ``attempts`` attempts."""
        return [self.nominal(n) for n in range(1, attempts)]


class Wakeup:
    """Wakes this process's idle workers of one queue as soon as a transaction that made work
    due commits, instead of at their next poll. Other processes find it by polling."""

    def __init__(self, name: str) -> None:
        self._key = f"openkyc_due_{name}"
        self._callbacks: list[Callable[[], None]] = []

    def announce(self, session: Session) -> None:
        """Work is due once ``session`` commits: wake the workers then (not on a rollback)."""
        session.info[self._key] = True
        if not event.contains(session, "after_commit", self._committed):
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_rollback", self._rolled_back)

    def listen(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def forget(self, callback: Callable[[], None]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def _committed(self, session: Session) -> None:
        if session.info.pop(self._key, False):
            for callback in list(self._callbacks):
                callback()

    def _rolled_back(self, session: Session) -> None:
        session.info.pop(self._key, None)


class Outage:
    """How a worker loop lives through the database going away: one warning when it goes, one
    line when it is back, and growing pauses in between (no traceback per poll)."""

    def __init__(self, who: str, first_pause: float = 0.5, max_pause: float = 30.0) -> None:
        self.who = who
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.failures = 0
        self._lock = threading.Lock()  # shared by a worker's threads: one line for all

    def failed(self, error: BaseException) -> float:
        """Report a failed round; returns how long to pause before the next."""
        if not isinstance(error, DBAPIError):
            log.error("%s failed; it goes on", self.who, exc_info=error)
            return self.first_pause
        with self._lock:
            self.failures += 1
            first = self.failures == 1
            failures = self.failures
        if first:
            reason = str(getattr(error, "orig", error)).strip().splitlines()[:1]
            log.warning(
                "%s cannot reach the database (%s); retrying quietly until it is back",
                self.who,
                reason[0] if reason else type(error).__name__,
            )
        return float(min(self.max_pause, self.first_pause * 2 ** (failures - 1)))

    def succeeded(self) -> None:
        with self._lock:
            was_down, self.failures = self.failures > 0, 0
        if was_down:
            log.warning("%s reaches the database again", self.who)


class Heartbeat:
    """Renews the leases a worker holds while their work runs, every third of the lease, so a
    long piece of work keeps its rows and a dead worker's rows are free soon after it died."""

    def __init__(
        self,
        queue: Queue,
        sessions: sessionmaker[Session],
        worker_id: str,
        lease: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self.queue = queue
        self.sessions = sessions
        self.worker_id = worker_id
        self.lease = lease
        self.clock = clock
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._outage = Outage(f"lease renewal of {worker_id}")

    def hold(self, row_id: str) -> None:
        with self._lock:
            self._held.add(row_id)

    def release(self, row_id: str) -> None:
        with self._lock:
            self._held.discard(row_id)

    def held(self) -> Sequence[str]:
        with self._lock:
            return sorted(self._held)

    def beat(self) -> set[str]:
        """Renew now; returns the ids whose lease was lost (another worker may have them)."""
        held = self.held()
        if not held:
            return set()
        with self.sessions.begin() as session:
            kept = self.queue.renew(session, held, self.worker_id, self.lease, self.clock())
        lost = set(held) - kept
        for row_id in sorted(lost):
            log.warning("%s lost its lease on %s", self.worker_id, row_id)
        return lost

    def _loop(self) -> None:
        pause = self.lease.total_seconds() / 3
        while not self._stop.wait(pause):
            try:
                self.beat()
                self._outage.succeeded()
                pause = self.lease.total_seconds() / 3
            except Exception as error:
                pause = min(self.lease.total_seconds() / 3, self._outage.failed(error))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="openkyc-leases", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
