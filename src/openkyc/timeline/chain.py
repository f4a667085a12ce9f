"""The hash chain of an organization's timeline: pure functions, no database.

Each entry's ``content_digest`` is the SHA-256 of its content in canonical JSON; its ``hash``
is the SHA-256 of the previous entry's hash and the entry's place, identity and content
digest. Changing, removing or reordering an entry breaks every hash after it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def content_digest(
    *,
    entry_id: str,
    customer_id: str,
    type_: str,
    custom_event_type: str | None,
    message: str | None,
    extra_data: dict[str, Any] | None,
    triggered_by: str,
    occurred_time: datetime,
) -> str:
    content = {
        "id": entry_id,
        "customerId": customer_id,
        "type": type_,
        "customEventType": custom_event_type,
        "message": message,
        "extraData": extra_data,
        "triggeredBy": triggered_by,
        "occurredTime": _instant(occurred_time),
    }
    return hashlib.sha256(_canonical(content)).hexdigest()


def link_hash(
    previous_hash: str,
    *,
    organization_id: str,
    seq: int,
    entry_id: str,
    customer_id: str,
    type_: str,
    occurred_time: datetime,
    digest: str,
) -> str:
    header = {
        "previous": previous_hash,
        "organizationId": organization_id,
        "seq": seq,
        "id": entry_id,
        "customerId": customer_id,
        "type": type_,
        "occurredTime": _instant(occurred_time),
        "contentDigest": digest,
    }
    return hashlib.sha256(_canonical(header)).hexdigest()
