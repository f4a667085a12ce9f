"""Functions the process-pool tests send to other processes (they must be importable)."""

from __future__ import annotations

import os
import time


def square(value: int) -> int:
    return value * value


def pid() -> int:
    return os.getpid()


def die() -> None:
    os._exit(17)


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def allocate(megabytes: int) -> int:
    """Touch that much memory (a list of pages, as a decoder's buffers would)."""
    return len(bytearray(megabytes * 1024 * 1024))


def fail(message: str) -> None:
    raise ValueError(message)
