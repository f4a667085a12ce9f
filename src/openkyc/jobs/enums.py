from __future__ import annotations

from openkyc.enums import WireEnum


class JobStatus(WireEnum):
    """Where a job stands: queued (due at its time), running (leased by a worker), done or
    failed (both final)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
