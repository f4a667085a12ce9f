"""How a document's status may change, when a person may act on it, and who holds its review.

The status changes only through ``move``, along the table below. A person may act at any
time, the analyser working or not; only an archived document is closed. A review hold
belongs to one person: another person's action on a held document is refused unless an
admin overrides it."""

from __future__ import annotations

from datetime import datetime, timedelta

from openkyc.db.models import KycDocument
from openkyc.errors import Conflict, Forbidden, ValidationFailed
from openkyc.kyc.enums import DocumentStatus
from openkyc.principal import Principal
from openkyc.users.enums import Role

PENDING, IN_PROGRESS = DocumentStatus.PENDING, DocumentStatus.IN_PROGRESS
ACCEPTED, REJECTED = DocumentStatus.ACCEPTED, DocumentStatus.REJECTED
ARCHIVED = DocumentStatus.ARCHIVED
DECIDED = frozenset({ACCEPTED, REJECTED})
# Where each status may go. New files send any open document to the analyser (in-progress);
# the analyser leaves in-progress for a decision or, undecided, for pending; a person decides
# (or reverses a decision) at any time; archiving is final.
MOVES: dict[DocumentStatus, frozenset[DocumentStatus]] = {
    PENDING: frozenset({IN_PROGRESS, ACCEPTED, REJECTED, ARCHIVED}),
    IN_PROGRESS: frozenset({PENDING, ACCEPTED, REJECTED, ARCHIVED}),
    ACCEPTED: frozenset({IN_PROGRESS, REJECTED, ARCHIVED}),
    REJECTED: frozenset({IN_PROGRESS, ACCEPTED, ARCHIVED}),
    ARCHIVED: frozenset(),
}
# A review left open by a reviewer who went away stops blocking others after this long.
REVIEW_HOLD = timedelta(minutes=30)


def move(document: KycDocument, to: DocumentStatus) -> None:
    """The one writer of a document's status (staying where it is is no move)."""
    if to != document.status and to not in MOVES[document.status]:
        raise Conflict(f"{document.id} cannot go from {document.status} to {to}")
    document.status = to


def ensure_open(action: str, document: KycDocument) -> None:
    if document.status == ARCHIVED:
        raise Conflict(f"Cannot {action.replace('-', ' ')} {document.id}: the document is archived")


def ensure_reviewable(document: KycDocument) -> None:
    """A review hold is for a document no person has decided (the analyser's decision may
    be looked at again)."""
    ensure_open("start-review", document)
    if document.decision_id is not None and document.status in DECIDED:
        raise ValidationFailed.field(
            "status",
            f"{document.id} is already {document.status}; a decided document is not held for "
            "review (a person may still reverse the decision)",
        )


def review_holder(document: KycDocument, now: datetime) -> str | None:
    """Who is reviewing the document right now, if anyone."""
    if document.reviewer_id is None or document.review_start_time is None:
        return None
    if now - document.review_start_time >= REVIEW_HOLD:
        return None
    return document.reviewer_id


def ensure_may_act(
    document: KycDocument, principal: Principal, now: datetime, *, override: bool = False
) -> str | None:
    """Refuse an action on a document another person holds, unless an admin overrides.
    Returns the holder overridden, for the record."""
    holder = review_holder(document, now)
    if holder is None or holder == principal.actor_id:
        return None
    if not override:
        raise Conflict(
            f"{document.reviewer_name or holder} is reviewing {document.id}; "
            "an admin may override the hold (override=true)"
        )
    if principal.role != Role.ADMIN:
        raise Forbidden("Only an admin may override another person's review hold")
    return holder
