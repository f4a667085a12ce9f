"""What changed on a KYC document or request, attribute by attribute, so the timeline can show
the previous and the new value.

The service that changes a row takes its ``snapshot`` first (once it holds the row, before it
sets anything) and hands it in with the row's entry; ``since`` compares the row with it. A
row just made has no snapshot: every value it was made with is new."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

from openkyc.db.models import KycDocument, KycRequest
from openkyc.wire import format_time

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
Tracked = KycDocument | KycRequest
Snapshot = dict[str, Any]


def snapshot(row: Tracked) -> Snapshot:
    """The tracked values of the row as they are now (copies: a later change to the row does
    not reach them)."""
    return {attribute: copy.deepcopy(getattr(row, attribute)) for attribute in TRACKED[type(row)]}


def since(before: Snapshot | None, row: Tracked) -> list[dict[str, Any]]:
    """The three-column rows (attribute, previous value, new value) of what changed on the row
    since ``before`` (None: the row was just made)."""
    rows = []
    for attribute, name in TRACKED[type(row)].items():
        old = before.get(attribute) if before is not None else None
        new = getattr(row, attribute)
        if old != new:
            rows.append({"attribute": name, "previousValue": shown(old), "newValue": shown(new)})
    return rows


def shown(value: Any) -> str | int | bool:
    """A value as the timeline's table shows it (no nulls: nothing is an empty text)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return format_time(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
