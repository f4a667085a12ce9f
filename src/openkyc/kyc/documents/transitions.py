"""Which manual action a document allows in which status, and who holds its review.

One table, so the rules are read in one place and tested action by action."""

from __future__ import annotations

from datetime import datetime, timedelta

from openkyc.auth.principal import Principal
from openkyc.db.models import KycDocument
from openkyc.errors import Conflict

# Statuses an action may start from. ``in-progress`` means the analyser is working on the
# document; a person waits for its result. ``archived`` is final.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "accept": frozenset({"pending", "rejected"}),
    "reject": frozenset({"pending", "accepted"}),
    "review": frozenset({"pending", "accepted", "rejected"}),
    "start-review": frozenset({"pending", "accepted", "rejected"}),
    "stop-review": frozenset({"pending", "accepted", "rejected"}),
    "matches": frozenset({"pending", "accepted", "rejected"}),
    "update": frozenset({"pending", "accepted", "rejected"}),
    "archive": frozenset({"pending", "in-progress", "rejected", "accepted"}),
}
# A review left open by a reviewer who went away stops blocking others after this long.
REVIEW_HOLD = timedelta(minutes=30)

_REFUSALS = {
    "archived": "the document is archived",
    "in-progress": "the document is being analysed; wait for its result",
    "accepted": "the document is already accepted",
    "rejected": "the document is already rejected",
}


def ensure_allowed(action: str, document: KycDocument) -> None:
    if document.status not in ALLOWED_FROM[action]:
        reason = _REFUSALS.get(document.status, f"the document is {document.status}")
        raise Conflict(f"Cannot {action.replace('-', ' ')} {document.id}: {reason}")


def review_holder(document: KycDocument, now: datetime) -> str | None:
    """Who is reviewing the document right now, if anyone."""
    if document.reviewer_id is None or document.review_start_time is None:
        return None
    if now - document.review_start_time >= REVIEW_HOLD:
        return None
    return document.reviewer_id


def ensure_not_held_by_another(document: KycDocument, principal: Principal, now: datetime) -> None:
    holder = review_holder(document, now)
    if holder is not None and holder != principal.actor_id:
        raise Conflict(f"{document.reviewer_name or holder} is reviewing {document.id}")
