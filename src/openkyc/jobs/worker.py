"""Workers run claimed jobs. Each job's handler owns its transactions (long work such as a
document analysis runs outside any); the worker only claims, renews the leases of the jobs it
runs, finishes and retries."""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from openkyc import clock
from openkyc.db.models import Job
from openkyc.jobs import queue, repository
from openkyc.jobs.enums import JobStatus
from openkyc.jobs.leases import Backoff, Heartbeat, Outage
from openkyc.logs import JOB_REQUEST_ID, request_context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handler:
    """How to run one kind of job, and what to do when it has failed for the last time."""

    run: Callable[[Job], None]
    gave_up: Callable[[Job, str], None] | None = None


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        handlers: dict[str, Handler],
        *,
        threads: int = 2,
        poll_seconds: float = 0.5,
        lease: timedelta = timedelta(seconds=60),
        retry_base_seconds: float = 2.0,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.lease = lease
        self.retry = Backoff(base_seconds=retry_base_seconds, max_delay_seconds=300.0)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        # A job's lease is renewed while it runs: a lease far shorter than the longest job
        # still hands a dead worker's jobs over soon.
        self.heartbeat = Heartbeat(queue.JOBS, sessions, self.name, lease, clock.now)
        self.outage = Outage(f"job worker {self.name}", max_pause=max(poll_seconds, 30.0))
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._pending_wakes = 0
        self._pool: list[threading.Thread] = []

    def wake(self) -> None:
        with self._wake:
            self._pending_wakes += self.threads
            self._wake.notify_all()

    def _sleep(self) -> None:
        with self._wake:
            if self._pending_wakes == 0:
                self._wake.wait(self.poll_seconds)
            self._pending_wakes = max(0, self._pending_wakes - 1)

    def run_one(self) -> bool:
        """Claim and run one job; False when there was none."""
        with self.sessions.begin() as session:
            claimed = queue.claim(session, self.name, list(self.handlers), self.lease)
            job = claimed[0] if claimed else None
            if job is not None:
                session.expunge(job)
        if job is None:
            return False
        handler = self.handlers[job.kind]
        self.heartbeat.hold(job.id)
        try:
            with request_context(job.payload.get(JOB_REQUEST_ID)):
                handler.run(job)
        except Exception:
            self._failed(job, handler, traceback.format_exc())
            return True
        finally:
            self.heartbeat.release(job.id)
        with self.sessions.begin() as session:
            current = repository.get(session, job.id, for_update=True)
            if (
                current is not None
                and current.worker_id == self.name
                and current.status == JobStatus.RUNNING
            ):
                queue.finish(session, current)
        return True

    def _failed(self, job: Job, handler: Handler, error: str) -> None:
        log.warning("job %s (%s) failed on attempt %d:\n%s", job.id, job.kind, job.attempts, error)
        with self.sessions.begin() as session:
            current = repository.get(session, job.id, for_update=True)
            if (
                current is None
                or current.worker_id != self.name
                or current.status != JobStatus.RUNNING
            ):
                return
            gave_up = queue.retry_or_fail(session, current, error, self.retry)
        if gave_up and handler.gave_up is not None:
            handler.gave_up(job, error)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_one()
                self.outage.succeeded()
            except Exception as error:
                self._stop.wait(self.outage.failed(error))
                continue
            if not ran:
                self._sleep()

    def start(self) -> None:
        queue.on_enqueue(self.wake)
        self.heartbeat.start()
        for index in range(self.threads):
            thread = threading.Thread(
                target=self._loop, name=f"openkyc-worker-{index}", daemon=True
            )
            thread.start()
            self._pool.append(thread)

    def stop(self) -> None:
        queue.forget_enqueue_listener(self.wake)
        self._stop.set()
        self.wake()
        for thread in self._pool:
            thread.join(timeout=30)
        self.heartbeat.stop()
