"""Periodic tasks run in a thread of their own, each run in transactions of its own.

State lives in the database (e.g. each request's expiration time), so a restart loses
nothing: the first run after it catches up. Every worker process runs the same tasks, but a
task runs under a lock named after it: while one process runs it, the others skip their turn
instead of doing the same work again. A task that works in batches runs batch after batch,
each in a short transaction of its own, until one comes back short."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from openkyc.db import locks
from openkyc.jobs.leases import Outage

log = logging.getLogger(__name__)


def _once(_result: Any) -> bool:
    return False


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every_seconds: float
    run: Callable[[Session], Any]
    # Given what a run returned: whether it left more to do (a full batch) and runs again now.
    more: Callable[[Any], bool] = _once


class PeriodicRunner:
    def __init__(self, sessions: sessionmaker[Session], tasks: list[PeriodicTask]) -> None:
        self.sessions = sessions
        self.tasks = tasks
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._outage = Outage("periodic tasks")

    def run_once(self, task: PeriodicTask) -> int:
        """Run the task's batches unless another process runs it now; returns how many ran."""
        batches = 0
        try:
            with locks.held_if_free(self.sessions.kw["bind"], f"periodic:{task.name}") as ours:
                while ours and not self._stop.is_set():
                    with self.sessions.begin() as session:
                        result = task.run(session)
                    batches += 1
                    if not task.more(result):
                        break
            self._outage.succeeded()
        except Exception as error:  # a bad run must not end the loop
            log.warning("periodic task %s did not finish; it runs again later", task.name)
            self._outage.failed(error)
        return batches

    def _loop(self) -> None:
        next_runs = {task.name: 0.0 for task in self.tasks}
        clock = 0.0
        tick = min((t.every_seconds for t in self.tasks), default=1.0)
        while not self._stop.is_set():
            for task in self.tasks:
                if clock >= next_runs[task.name]:
                    self.run_once(task)
                    next_runs[task.name] = clock + task.every_seconds
            self._stop.wait(tick)
            clock += tick

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="openkyc-periodic", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
