"""The status of a KYC request, derived from its documents. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from openkyc.kyc.enums import (
    ADDRESS,
    CREDIT_FILE,
    DEFAULT_MAX_ATTEMPTS,
    IDENTITY,
    DocumentStatus,
    RequestStatus,
)

PERMANENT = frozenset(
    {RequestStatus.FULFILLED, RequestStatus.FAILED, RequestStatus.ABANDONED, RequestStatus.EXPIRED}
)
# A credit-file decision stands in for these when they are requested with it.
CREDIT_FILE_COVERS = frozenset({IDENTITY, ADDRESS})
STILL_OPEN = frozenset({DocumentStatus.PENDING, DocumentStatus.IN_PROGRESS})


@dataclass(frozen=True)
class Requested:
    type: str
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True)
class Provided:
    type: str
    status: str
    # For credit files: whether the bureau's decision proves identity and address.
    proves_identity: bool = False


def _accepted_types(documents: Sequence[Provided]) -> set[str]:
    accepted = {d.type for d in documents if d.status == DocumentStatus.ACCEPTED}
    if any(
        d.type == CREDIT_FILE and d.status == DocumentStatus.ACCEPTED and d.proves_identity
        for d in documents
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
    current: RequestStatus = RequestStatus.GATHERING,
    now: datetime | None = None,
    expiration_time: datetime | None = None,
) -> RequestStatus:
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
        return RequestStatus.FULFILLED
    if any(_used_up(r, provided, accepted) for r in required):
        return RequestStatus.FAILED
    if now is not None and expiration_time is not None and now >= expiration_time:
        return RequestStatus.ABANDONED if provided else RequestStatus.EXPIRED
    if any(r.type in accepted for r in required):
        return RequestStatus.PARTIAL
    if any(d.status == DocumentStatus.PENDING for d in provided):
        return RequestStatus.PENDING_REVIEW
    return RequestStatus.ATTEMPTED if provided else RequestStatus.GATHERING
