"""How a document's status may change, when a person may act on it, and who holds its review.

The status changes only through ``move``, along the table below. A person may act at any
time, the analyser working or not; only an archived document is closed. A review hold
belongs to one person: another person's action on a held document is refused unless an
admin overrides it."""

from __future__ import annotations

from openkyc.db.models import KycDocument
from openkyc.errors import Conflict, ValidationFailed
from openkyc.kyc.enums import DocumentStatus

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
