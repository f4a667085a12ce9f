"""Where CPU-heavy work runs: in a pool of processes (each loads the analyser's models once
and keeps them warm), or inline in the calling thread."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Runner(Protocol):
    def run(self, function: Callable[..., T], *args: Any) -> T: ...

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


class InlineRunner:
    def run(self, function: Callable[..., T], *args: Any) -> T:
        return function(*args)

    def start(self) -> None:
        return None

    def shutdown(self) -> None:
        return None


def _warm_up() -> None:
    from openkyc.analysis import warm_up

    try:
        warm_up()
    except Exception:  # the first real job will report it properly
        log.exception("could not warm up the analyser")


class ProcessRunner:
    """A spawn-started process pool (no fork of a threaded server). A crashed process breaks
    the pool: the call fails (its job is retried) and a fresh pool replaces it."""

    def __init__(self, processes: int, timeout: float, warm: bool = True) -> None:
        self.processes = processes
        self.timeout = timeout
        self.warm = warm
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = self._new()
            return self._executor

    def start(self) -> None:
        """Start the processes now (and load their models) rather than at the first job."""
        executor = self._current()
        for _ in range(self.processes):
            executor.submit(int)

    def _new(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        initializer = _warm_up if self.warm else None
        return ProcessPoolExecutor(self.processes, mp_context=context, initializer=initializer)

    def run(self, function: Callable[..., T], *args: Any) -> T:
        executor = self._current()
        try:
            return executor.submit(function, *args).result(timeout=self.timeout)
        except BrokenProcessPool:
            with self._lock:
                if self._executor is executor:
                    log.error("an analysis process died; starting a fresh pool")
                    self._executor = self._new()
            raise

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None


def runner_for(processes: int, timeout: float) -> Runner:
    return ProcessRunner(processes, timeout) if processes > 0 else InlineRunner()
