"""Periodic tasks run in a thread of their own, each run in a transaction of its own.

State lives in the database (e.g. each request's expiration time), so a restart loses
nothing: the first run after it catches up. Any number of processes may run the same task;
the tasks lock what they work on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every_seconds: float
    run: Callable[[Session], object]


class PeriodicRunner:
    def __init__(self, sessions: sessionmaker[Session], tasks: list[PeriodicTask]) -> None:
        self.sessions = sessions
        self.tasks = tasks
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, task: PeriodicTask) -> None:
        try:
            with self.sessions.begin() as session:
                task.run(session)
        except Exception:  # a bad run must not end the loop
            log.exception("periodic task %s failed; it runs again later", task.name)

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
