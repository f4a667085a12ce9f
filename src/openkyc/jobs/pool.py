"""Where CPU-heavy work runs: in a pool of processes (each loads the analyser's models once
and keeps them warm), or inline in the calling thread.

Every process of the pool runs one call at a time under a memory limit (its address space)
and the caller's wall-clock limit. A call over its time is stopped by killing its process,
which a fresh one replaces; a call that runs out of memory ends with :class:`LimitExceeded`.
A pool process never outlives the process that started it: it asks the kernel for SIGKILL
when its parent dies, watches its parent's pid as a fallback, and the pool is shut down on
every way out of the parent (its owner's shutdown, and at interpreter exit)."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

_PR_SET_PDEATHSIG = 1
_WATCH_PARENT_SECONDS = 1.0
_GRACE_SECONDS = 2.0


class LimitExceeded(Exception):
    """The work went over its memory or time budget and was stopped; the message says which."""


class ProcessDied(Exception):
    """The process running the work died (a crash, or killed from outside); a retry may pass."""


class Runner(Protocol):
    def run(self, function: Callable[..., T], *args: Any) -> T: ...

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


# The analyser's native parts (dlib's face detector, PDFium) are not safe in two threads at
# once: every runner in the calling thread (the analyses' and the quality gate's) takes this
# one lock, so a gate check and an analysis in the same process wait their turn rather than
# crash it. The work holds nothing else while it runs (no transaction, no other lock).
_IN_THREAD = threading.Lock()


class InlineRunner:
    """Runs the work in the calling thread, one call at a time in the whole process (see
    ``_IN_THREAD``): the worker's other threads and the gate wait their turn."""

    def run(self, function: Callable[..., T], *args: Any) -> T:
        with _IN_THREAD:
            return function(*args)

    def start(self) -> None:
        return None

    def shutdown(self) -> None:
        return None


def _die_with_parent(parent_pid: int) -> None:
    """SIGKILL from the kernel when the parent goes, and a thread that checks anyway (the
    kernel's signal follows the parent's thread that started us, and Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_WATCH_PARENT_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="openkyc-parent-watch", daemon=True).start()


def _limit_memory(limit_bytes: int) -> None:
    if limit_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def _warm_up() -> None:
    from openkyc.analysis import warm_up

    try:
        warm_up()
    except Exception:  # the first real job will report it properly
        log.exception("could not warm up the analyser")


def _serve(connection: Connection, parent_pid: int, memory_limit: int, warm: bool) -> None:
    """A pool process: run each call sent on the connection until it closes."""
    _die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group; the parent decides when its pool stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(memory_limit)
    if warm:
        _warm_up()
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", function(*args))
        except MemoryError:
            answer = ("memory", None)
        except Exception as error:
            answer = ("error", error)
        try:
            connection.send(answer)
        except MemoryError:
            connection.send(("memory", None))
        except Exception as error:  # a result or exception that does not pickle
            connection.send(("error", ProcessDied(f"the result could not be sent: {error!r}")))


class _PoolProcess:
    def __init__(self, memory_limit: int, warm: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve,
            args=(child, os.getpid(), memory_limit, warm),
            name="openkyc-analysis",
            daemon=True,
        )
        self.process.start()
        child.close()

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Any:
        self.connection.send((function, args))
        if not self.connection.poll(timeout):
            raise TimeoutError
        return self.connection.recv()

    def stop(self) -> None:
        """Terminate, then kill; a caller waiting on this process sees its pipe close."""
        self.process.terminate()
        self.process.join(_GRACE_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        with contextlib.suppress(OSError):
            self.connection.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        with contextlib.suppress(OSError):
            self.connection.close()


_RUNNERS: weakref.WeakSet[ProcessRunner] = weakref.WeakSet()


@atexit.register
def _shutdown_all() -> None:
    for runner in list(_RUNNERS):
        runner.shutdown()


class ProcessRunner:
    """A pool of spawn-started processes (no fork of a threaded server), one call at a time
    in each. ``memory_limit_bytes`` caps each process's address space (0: no cap)."""

    def __init__(
        self, processes: int, timeout: float, warm: bool = True, memory_limit_bytes: int = 0
    ) -> None:
        self.processes = processes
        self.timeout = timeout
        self.warm = warm
        self.memory_limit_bytes = memory_limit_bytes
        self._lock = threading.Lock()
        self._idle: queue.Queue[_PoolProcess] = queue.Queue()
        self._all: set[_PoolProcess] = set()
        self._started = False
        self._closed = False
        _RUNNERS.add(self)

    def start(self) -> None:
        """Start the processes now (and load their models) rather than at the first call."""
        with self._lock:
            if self._started and not self._closed:
                return
            self._started, self._closed = True, False
            for _ in range(self.processes):
                self._idle.put(self._spawn())

    def _spawn(self) -> _PoolProcess:
        process = _PoolProcess(self.memory_limit_bytes, self.warm)
        self._all.add(process)
        return process

    def _replace(self, process: _PoolProcess) -> None:
        process.kill()
        with self._lock:
            self._all.discard(process)
            if not self._closed:
                self._idle.put(self._spawn())

    def pids(self) -> list[int]:
        """The pool's processes (for operators and tests)."""
        with self._lock:
            return [p.process.pid for p in self._all if p.process.pid is not None]

    def _take(self) -> _PoolProcess:
        if not self._started and not self._closed:
            self.start()
        while not self._closed:
            with contextlib.suppress(queue.Empty):
                return self._idle.get(timeout=0.5)
        raise ProcessDied("the analysis processes are shut down")

    def run(self, function: Callable[..., T], *args: Any) -> T:
        process = self._take()
        try:
            kind, value = process.call(function, args, self.timeout)
        except TimeoutError:
            self._replace(process)
            raise LimitExceeded(
                f"the analysis took longer than {self.timeout:g} seconds and was stopped"
            ) from None
        except (EOFError, OSError) as error:
            self._replace(process)
            code = process.process.exitcode
            raise ProcessDied(f"the analysis process died (exit code {code})") from error
        self._idle.put(process)
        if kind == "memory":
            limit = self.memory_limit_bytes // (1024 * 1024)
            raise LimitExceeded(f"the analysis needed more than its memory limit of {limit} MB")
        if kind == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def shutdown(self) -> None:
        """Stop every process; a call in flight ends with ProcessDied."""
        with self._lock:
            self._closed = True
            processes = list(self._all)
            self._all.clear()
        while not self._idle.empty():
            self._idle.get_nowait()
        for process in processes:
            process.stop()


def runner_for(processes: int, timeout: float, memory_limit_mb: int = 0) -> Runner:
    if processes <= 0:
        return InlineRunner()
    return ProcessRunner(processes, timeout, memory_limit_bytes=memory_limit_mb * 1024 * 1024)
