"""Functions the process-pool tests send to other processes (they must be importable)."""

from __future__ import annotations

import os


def square(value: int) -> int:
    return value * value


def pid() -> int:
    return os.getpid()


def die() -> None:
    os._exit(17)
