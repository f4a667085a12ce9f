"""What changed on a KYC document or request in this unit of work, attribute by attribute,
collected at every flush, so the timeline can show the previous and the new value."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from openkyc.db.models import KycDocument, KycRequest
from openkyc.wire import format_time

_KEY = "openkyc.changes"
# The attributes a person cares about, by their names on the wire.
TRACKED: dict[type, dict[str, str]] = {
    KycDocument: {
        "status": "status",
        "document_subtype": "documentSubtype",
        "file_ids": "fileIds",
        "notes": "notes",
        "reason": "reason",
        "match_level": "matchLevel",
        "rejection_reason": "rejectionReason",
        "reviewer_id": "reviewerId",
        "reviewer_name": "reviewerName",
        "review_start_time": "reviewStartTime",
        "review_time": "reviewTime",
        "customer_id": "customerId",
    },
    KycRequest: {
        "status": "status",
        "documents": "documents",
        "redirect_url": "redirectUrl",
        "reason": "reason",
        "match_level": "matchLevel",
        "expiration_time": "expirationTime",
        "ui_version": "uiVersion",
        "deleted_time": "deletedTime",
        "customer_id": "customerId",
    },
}
Key = tuple[str, str, str]


def _key(obj: Any) -> Key:
    return (type(obj).__name__, obj.organization_id, obj.id)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    collected: dict[Key, dict[str, list[Any]]] = session.info.setdefault(_KEY, {})
    for obj in [*session.new, *session.dirty]:
        tracked = TRACKED.get(type(obj))
        if tracked is None:
            continue
        state = inspect(obj)
        changes = collected.setdefault(_key(obj), {})
        for attribute in tracked:
            history = state.attrs[attribute].history
            if not history.added and obj not in session.new:
                continue
            old = history.deleted[0] if history.deleted else None
            new = getattr(obj, attribute)
            if attribute in changes:
                changes[attribute][1] = new
            else:
                changes[attribute] = [old, new]


def take(session: Session, obj: KycDocument | KycRequest) -> list[dict[str, Any]]:
    """The three-column rows (attribute, previous value, new value) of what changed on
    ``obj`` since they were last taken; flushes first."""
    session.flush()
    collected: dict[Key, dict[str, list[Any]]] = session.info.get(_KEY, {})
    changes = collected.pop(_key(obj), {})
    names = TRACKED[type(obj)]
    return [
        {"attribute": names[attribute], "previousValue": shown(old), "newValue": shown(new)}
        for attribute, (old, new) in changes.items()
        if old != new
    ]


def shown(value: Any) -> str | int | bool:
    """A value as the timeline's table shows it (no nulls: nothing is an empty text)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return format_time(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
