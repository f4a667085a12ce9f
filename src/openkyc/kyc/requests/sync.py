"""A request's derived state: its status from the documents provided for it, and the event
and timeline entry of each change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from openkyc.customers.schemas import CustomerOut
from openkyc.db.models import Customer, KycRequest
from openkyc.events import service as events
from openkyc.events import types as event_types
from openkyc.kyc.enums import DEFAULT_MAX_ATTEMPTS
from openkyc.kyc.requests.repository import KycRequestRepository
from openkyc.kyc.requests.schemas import KycRequestOut
from openkyc.kyc.requests.tokens import gatherer_url
from openkyc.kyc.status import PERMANENT, Provided, Requested, request_status_from
from openkyc.timeline import changes
from openkyc.timeline import service as timeline
from openkyc.timeline.authors import Author
from openkyc.timeline.enums import TimelineType
from openkyc.wire import Link, Links


def requested(request: KycRequest) -> list[Requested]:
    return [
        Requested(d["type"], int(d.get("maxAttempts", DEFAULT_MAX_ATTEMPTS)))
        for d in request.documents
    ]


def request_links(links: Links, request: KycRequest) -> list[Link]:
    rendered = [
        Link(rel="self", href=links.href("kyc-requests", request.id)),
        Link(rel="documents", href=links.href("kyc-documents") + f"?filter=requestId:{request.id}"),
    ]
    if request.status not in PERMANENT:
        rendered.append(Link(rel="gatherer", href=gatherer_url(links, request)))
    return rendered


def request_payload(request: KycRequest, customer: Customer, links: Links) -> dict[str, Any]:
    """A KYC request webhook's body: ids, the customer and the request as they are now."""
    return {
        "customerId": customer.id,
        "kycRequestId": request.id,
        "_embedded": {
            "customer": CustomerOut.of(customer, links.href("customers", customer.id)).model_dump(
                mode="json", by_alias=True, warnings=False
            ),
            "kycRequest": KycRequestOut.of(request, request_links(links, request)).model_dump(
                mode="json", by_alias=True
            ),
        },
        "_links": [
            {"rel": "customer", "href": links.href("customers", customer.id)},
            {"rel": "kycRequest", "href": links.href("kyc-requests", request.id)},
        ],
    }


def record_request_event(
    session: Session,
    request: KycRequest,
    event_type: str,
    links: Links,
    author: Author,
    before: changes.Snapshot | None,
    customer: Customer | None = None,
) -> None:
    """The request's event and its entry on the customer's timeline, by ``author``: what
    changed since ``before`` (the snapshot taken before the change; None for a request just
    made)."""
    if customer is None:
        customer = session.get(Customer, (request.organization_id, request.customer_id))
    assert customer is not None
    events.record(
        session,
        request.organization_id,
        event_type,
        "kyc-request",
        request.id,
        lambda: request_payload(request, customer, links),
        partial(KycRequestRepository(session, request.organization_id).matches, request.id),
    )
    _on_timeline(session, request, event_type, author, before)


def _on_timeline(
    session: Session,
    request: KycRequest,
    event_type: str,
    author: Author,
    before: changes.Snapshot | None,
) -> None:
    kind = {
        event_types.KYC_REQUEST_FULFILLED: TimelineType.KYC_REQUEST_FULFILLED,
        event_types.KYC_REQUEST_CREATED: TimelineType.KYC_REQUEST_CREATED,
    }.get(event_type, TimelineType.KYC_REQUEST_MODIFIED)
    what = event_type.removeprefix("kyc-request-")
    timeline.record(
        session,
        request.organization_id,
        request.customer_id,
        kind,
        f"{author.name}: KYC request {request.id} {what}",
        author=author,
        changes=changes.since(before, request),
    )


def apply_status(
    session: Session,
    request: KycRequest,
    provided: Sequence[Provided],
    links: Links,
    now: datetime,
    author: Author,
) -> bool:
    """Derive the request's status from the documents provided for it (read after the request
    was locked); on a change, a revision and an event."""
    status = request_status_from(
        requested(request),
        provided,
        current=request.status,
        now=now,
        expiration_time=request.expiration_time,
    )
    if status == request.status:
        return False
    before = changes.snapshot(request)
    request.status = status
    request.touch()
    session.flush()
    event = event_types.REQUEST_STATUS_EVENTS.get(status, event_types.KYC_REQUEST_MODIFIED)
    record_request_event(session, request, event, links, author, before)
    return True
