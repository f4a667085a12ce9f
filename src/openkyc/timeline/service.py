"""Writing and reading customers' timelines, and checking their chain.

Entries are written as the change happens but take their place in the organization's chain
when the unit of work commits: the chain's head is the last lock a transaction takes, so
adding to the trail never waits on a lock held by someone who waits for it.

How: ``record`` keeps the entry with the session that wrote it and, the first time, hooks
*that session* (not every session of the process) to chain its entries just before it
commits and to forget them if it rolls back. Nothing happens to a session that records
nothing; the whole mechanism is ``record``, ``_pending``, ``_chain_pending`` and
``_drop_pending`` below."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import AuditChainHead, CustomerTimelineEntry, TimelineCustomEvent
from openkyc.db.types import utcnow
from openkyc.errors import Conflict, NotFound, ValidationFailed
from openkyc.timeline import authors, chain
from openkyc.timeline.enums import DELETABLE, TimelineType
from openkyc.timeline.repository import (
    CustomEventRepository,
    TimelineRepository,
    organizations_with_a_trail,
)

_PENDING = "openkyc.timeline.pending"
_HOOKED = "openkyc.timeline.hooked"


@dataclass(frozen=True)
class Link:
    resource_type: str
    resource_id: str
    placeholder: str

    def to_wire(self) -> dict[str, str]:
        return {
            "resourceType": self.resource_type,
            "resourceId": self.resource_id,
            "placeholder": self.placeholder,
        }


def record(
    session: Session,
    organization_id: str,
    customer_id: str,
    type_: str,
    message: str,
    *,
    author: authors.Author,
    changes: Sequence[dict[str, Any]] = (),
    links: Sequence[Link] = (),
    custom_event_type: str | None = None,
    table: dict[str, Any] | None = None,
) -> CustomerTimelineEntry:
    """Add an entry, by ``author``, to the customer's timeline."""
    tables: list[dict[str, Any]] = []
    if changes:
        tables.append({"type": "three-columns", "title": "Changes", "data": list(changes)})
    if table:
        tables.append(table)
    entry = CustomerTimelineEntry(
        organization_id=organization_id,
        id=new_id("tmln"),
        customer_id=customer_id,
        type=str(type_),
        custom_event_type=custom_event_type,
        message=message,
        extra_data={
            "author": author.to_wire(),
            "tables": tables,
            "links": [link.to_wire() for link in links],
            "actions": [],
            "mentions": {},
        },
        triggered_by=author.triggered_by.value,
        occurred_time=utcnow(),
    )
    _pending(session).append(entry)
    return entry


def _pending(session: Session) -> list[CustomerTimelineEntry]:
    """The entries ``session`` recorded in its current transaction; the first one hooks the
    session to chain them at its commit."""
    if not session.info.get(_HOOKED):
        event.listen(session, "before_commit", _chain_pending)
        event.listen(session, "after_rollback", _drop_pending)
        session.info[_HOOKED] = True
    pending: list[CustomerTimelineEntry] = session.info.setdefault(_PENDING, [])
    return pending


def _chain_pending(session: Session) -> None:
    pending: list[CustomerTimelineEntry] = session.info.pop(_PENDING, [])
    by_organization: dict[str, list[CustomerTimelineEntry]] = {}
    for entry in pending:
        by_organization.setdefault(entry.organization_id, []).append(entry)
    for organization_id in sorted(by_organization):
        _append(session, organization_id, by_organization[organization_id])
    if pending:
        session.flush()


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _append(session: Session, organization_id: str, entries: list[CustomerTimelineEntry]) -> None:
    repository = TimelineRepository(session, organization_id)
    head = repository.head(for_update=True)
    if head is None:
        head = AuditChainHead(organization_id=organization_id, seq=0, hash=chain.GENESIS)
        session.add(head)
    for entry in entries:
        entry.seq = head.seq + 1
        entry.previous_hash = head.hash
        entry.content_digest = _digest(entry)
        entry.hash = _link(entry)
        session.add(entry)
        head.seq, head.hash = entry.seq, entry.hash
    head.updated_time = utcnow()


def _digest(entry: CustomerTimelineEntry) -> str:
    return chain.content_digest(
        entry_id=entry.id,
        customer_id=entry.customer_id,
        type_=entry.type,
        custom_event_type=entry.custom_event_type,
        message=entry.message,
        extra_data=entry.extra_data,
        triggered_by=entry.triggered_by,
        occurred_time=entry.occurred_time,
    )


def _link(entry: CustomerTimelineEntry) -> str:
    return chain.link_hash(
        entry.previous_hash,
        organization_id=entry.organization_id,
        seq=entry.seq,
        entry_id=entry.id,
        customer_id=entry.customer_id,
        type_=entry.type,
        occurred_time=entry.occurred_time,
        digest=entry.content_digest,
    )


def page(
    session: Session, organization_id: str, customer_id: str, query: CollectionQuery
) -> tuple[list[CustomerTimelineEntry], int]:
    return TimelineRepository(session, organization_id).page(customer_id, query)


def get(
    session: Session, organization_id: str, customer_id: str, entry_id: str
) -> CustomerTimelineEntry:
    entry = TimelineRepository(session, organization_id).get(customer_id, entry_id)
    if entry is None:
        raise NotFound.resource("Timeline message", entry_id)
    return entry


def comment(
    session: Session,
    organization_id: str,
    customer_id: str,
    message: str | None,
    author: authors.Author,
    kind: str = TimelineType.COMMENT,
    custom_event_type: str | None = None,
    custom_data: dict[str, Any] | None = None,
) -> CustomerTimelineEntry:
    """A comment by ``author``, or a custom event of a type the organization defined."""
    if kind not in (TimelineType.COMMENT, TimelineType.CUSTOM_EVENT):
        raise ValidationFailed.field("type", "only comments and custom events can be created")
    if kind == TimelineType.COMMENT:
        if not message:
            raise ValidationFailed.field("message", "a comment needs a message")
        return record(
            session, organization_id, customer_id, TimelineType.COMMENT, message, author=author
        )
    if custom_event_type is None:
        raise ValidationFailed.field("customEventType", "a custom event names its type")
    custom = CustomEventRepository(session, organization_id).named(custom_event_type)
    if custom is None:
        raise ValidationFailed.field(
            "customEventType", f"no custom event type {custom_event_type!r}: create it first"
        )
    rows = [{"attribute": str(k), "value": _text(v)} for k, v in (custom_data or {}).items()]
    table = {"type": "two-columns", "title": custom.name, "data": rows} if rows else None
    return record(
        session,
        organization_id,
        customer_id,
        TimelineType.CUSTOM_EVENT,
        message or custom.name,
        author=author,
        custom_event_type=custom.name,
        table=table,
    )


def _text(value: Any) -> str:
    # Free-form values become text: what the chain hashes must read back the same from JSONB.
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def delete(session: Session, organization_id: str, customer_id: str, entry_id: str) -> None:
    """Delete a comment or custom event: its words go, its place in the chain stays. The
    system's entries are the audit trail and cannot be deleted."""
    entry = get(session, organization_id, customer_id, entry_id)
    if entry.type not in DELETABLE:
        raise Conflict(f"{entry_id} is a system entry of the audit trail; it cannot be deleted")
    entry.deleted_time = utcnow()
    entry.message = None
    entry.extra_data = None
    session.flush()


def create_custom_event(session: Session, organization_id: str, name: str) -> TimelineCustomEvent:
    if name.strip().lower() in {t.value for t in TimelineType}:
        raise ValidationFailed.field("name", "must not be the name of a system event")
    repository = CustomEventRepository(session, organization_id)
    if repository.named(name) is not None:
        raise ValidationFailed.field("name", "a custom event type of this name exists")
    now = utcnow()
    return repository.add(
        TimelineCustomEvent(
            id=new_id("tmln_evt"),
            organization_id=organization_id,
            name=name,
            revision=0,
            created_time=now,
            updated_time=now,
        )
    )


def custom_events(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[TimelineCustomEvent], int]:
    return CustomEventRepository(session, organization_id).page(query)


def custom_event(session: Session, organization_id: str, event_id: str) -> TimelineCustomEvent:
    found = CustomEventRepository(session, organization_id).get(event_id)
    if found is None:
        raise NotFound.resource("Custom event type", event_id)
    return found


@dataclass(frozen=True)
class Verdict:
    organization_id: str
    entries: int
    head: str
    broken_at: str | None = None
    reason: str = ""


def verify(session: Session, organization_id: str) -> Verdict:
    """Walk the organization's chain; name the first entry that does not fit."""
    repository = TimelineRepository(session, organization_id)
    previous, count = chain.GENESIS, 0
    for entry in repository.in_chain_order():
        problem = _misfit(entry, count + 1, previous)
        if problem:
            return Verdict(organization_id, count, previous, entry.id, problem)
        previous, count = entry.hash, count + 1
    head = repository.head()
    if head is not None and (head.seq, head.hash) != (count, previous):
        return Verdict(
            organization_id, count, previous, f"#{head.seq}", "entries after this one are missing"
        )
    return Verdict(organization_id, count, previous)


def _misfit(entry: CustomerTimelineEntry, seq: int, previous: str) -> str:
    if entry.seq != seq:
        return f"expected entry #{seq} of the chain, found #{entry.seq} (an entry is missing)"
    if entry.previous_hash != previous:
        return "its link to the previous entry does not match"
    if entry.deleted_time is None and _digest(entry) != entry.content_digest:
        return "its content was changed after it was written"
    if entry.deleted_time is not None and entry.type not in DELETABLE:
        return "a system entry was marked deleted"
    if _link(entry) != entry.hash:
        return "its hash does not match its place, identity and content"
    return ""


def verify_all(session: Session) -> list[Verdict]:
    return [verify(session, org) for org in organizations_with_a_trail(session)]
