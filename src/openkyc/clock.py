"""The time openkyc decides by.

Every rule that depends on the time (a request's expiry, a token's lifetime, a webhook's retry
schedule, a job's ``run_after``) asks this module, never ``datetime.now`` or ``time.time``.
The running service uses the system clock; a test installs a :class:`FrozenClock` and moves it
instead of sleeping. Durations of I/O (timeouts, latencies) are measured with
``time.monotonic`` as before: they budget work, they decide nothing about the calendar.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

__all__ = ["Clock", "FrozenClock", "SystemClock", "now", "timestamp", "use"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until it is moved."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime.now(UTC)).astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by ``delta`` or by keyword parts (``seconds=90``); returns the new now."""
        self._now += delta if delta is not None else timedelta(**parts)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


_current: Clock = SystemClock()
C = TypeVar("C", bound=Clock)


def now() -> datetime:
    """The current instant according to the installed clock."""
    return _current.now()


def timestamp() -> float:
    """The current instant as Unix seconds, for wire formats that carry them (JWTs, signatures)."""
    return _current.now().timestamp()


@contextmanager
def use(clock: C) -> Iterator[C]:
    """Install ``clock`` for the duration of the block (process-wide, threads included)."""
    global _current
    previous, _current = _current, clock
    try:
        yield clock
    finally:
        _current = previous
