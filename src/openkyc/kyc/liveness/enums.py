from __future__ import annotations

from openkyc.enums import WireEnum


class LivenessStatus(WireEnum):
    """Where a liveness session stands: pending until a check decides it."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABANDONED = "abandoned"
