"""The status of a KYC request, derived from its documents. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

PERMANENT = frozenset({"fulfilled", "failed", "abandoned", "expired"})
CREDIT_FILE = "credit-file-proof"
# A credit-file decision stands in for these when they are requested with it.
CREDIT_FILE_COVERS = frozenset({"identity-proof", "address-proof"})
STILL_OPEN = frozenset({"pending", "in-progress"})


@dataclass(frozen=True)
class Requested:
    type: str
    max_attempts: int = 3


@dataclass(frozen=True)
class Provided:
    type: str
    status: str
    # For credit files: whether the bureau's decision proves identity and address.
    proves_identity: bool = False


def _accepted_types(documents: Sequence[Provided]) -> set[str]:
    accepted = {d.type for d in documents if d.status == "accepted"}
    if any(
        d.type == CREDIT_FILE and d.status == "accepted" and d.proves_identity for d in documents
    ):
        accepted |= CREDIT_FILE_COVERS
    return accepted


def _required(requested: Sequence[Requested]) -> list[Requested]:
    """The types that must be accepted. A credit file requested with identity or address proof
    is an alternative to them, not a requirement of its own."""
    types = {r.type for r in requested}
    has_fallback = bool(types & CREDIT_FILE_COVERS)
    return [r for r in requested if not (r.type == CREDIT_FILE and has_fallback)]


def _used_up(required: Requested, documents: Sequence[Provided], accepted: set[str]) -> bool:
    if required.max_attempts == 0 or required.type in accepted:
        return False
    mine = [d for d in documents if d.type == required.type]
    return len(mine) >= required.max_attempts and not any(d.status in STILL_OPEN for d in mine)


def request_status_from(
    requested: Sequence[Requested],
    documents: Iterable[Provided],
    *,
    current: str = "gathering",
    now: datetime | None = None,
    expiration_time: datetime | None = None,
) -> str:
    """What the request's status is, given the documents provided for its requested types.

    fulfilled > failed > partial > pending-review > attempted > gathering; past the
    expiration a temporary status becomes abandoned (documents provided) or expired (none).
    Permanent statuses never change.
    """
    if current in PERMANENT:
        return current
    wanted = {r.type for r in requested}
    provided = [d for d in documents if d.type in wanted]
    accepted = _accepted_types(provided)
    required = _required(requested)
    if required and all(r.type in accepted for r in required):
        return "fulfilled"
    if any(_used_up(r, provided, accepted) for r in required):
        return "failed"
    if now is not None and expiration_time is not None and now >= expiration_time:
        return "abandoned" if provided else "expired"
    if any(r.type in accepted for r in required):
        return "partial"
    if any(d.status == "pending" for d in provided):
        return "pending-review"
    return "attempted" if provided else "gathering"
