from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from openkyc.customers import service as customers
from openkyc.db.ids import ID_PATTERN
from openkyc.db.models import CustomerTimelineEntry, TimelineCustomEvent
from openkyc.timeline import authors, service
from openkyc.timeline.enums import TimelineType
from openkyc.timeline.schemas import CustomEventIn, CustomEventOut, TimelineIn, TimelineOut
from openkyc.web.collections import Collection, member_response, page_response
from openkyc.web.deps import RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.links import Links
from openkyc.web.routing import OneHopRoute

router = APIRouter(tags=["Customers timeline"], route_class=OneHopRoute)
MessageIdPath = Annotated[
    str,
    Path(max_length=50, pattern=ID_PATTERN.pattern, description="ID of the timeline message."),
]


def _out(entry: CustomerTimelineEntry, links: Links) -> TimelineOut:
    return TimelineOut.of(entry, links.href("customers", entry.customer_id, "timeline", entry.id))


@router.get(
    "/customers/{id}/timeline",
    operation_id="GetCustomerTimelineCollection",
    response_model=list[TimelineOut],
)
def list_timeline(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    query: Collection,
) -> JSONResponse:
    """The customer's timeline, newest first: every change to their KYC requests and
    documents, every review hold, release, decision and reversal, and people's comments, each
    with its author (`extraData.author`) and what changed (`extraData.tables`)."""
    customers.get(session, auth.organization_id, id)
    entries, total = service.page(session, auth.organization_id, id, query)
    return page_response([_out(e, links) for e in entries], total, query)


@router.post(
    "/customers/{id}/timeline",
    operation_id="PostCustomerTimeline",
    status_code=201,
    response_model=TimelineOut,
)
def post_timeline(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath, body: TimelineIn
) -> JSONResponse:
    """Comment on the customer's timeline, or add a custom event of a type defined with
    `POST /customer-timeline-custom-events`."""
    customers.get(session, auth.organization_id, id)
    entry = service.comment(
        session,
        auth.organization_id,
        id,
        body.message,
        authors.of(auth),
        body.type or TimelineType.COMMENT,
        body.customEventType,
        body.customData,
    )
    out = _out(entry, links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get(
    "/customers/{id}/timeline/{messageId}",
    operation_id="GetCustomerTimeline",
    response_model=TimelineOut,
)
def get_timeline_message(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    messageId: MessageIdPath,
) -> JSONResponse:
    """One message of the customer's timeline."""
    return member_response(_out(service.get(session, auth.organization_id, id, messageId), links))


@router.delete(
    "/customers/{id}/timeline/{messageId}",
    operation_id="DeleteCustomerTimeline",
    status_code=204,
    responses={409: {"description": "A system entry of the audit trail cannot be deleted."}},
)
def delete_timeline_message(
    auth: SecretKeyAuth, session: Session, id: ResourceIdPath, messageId: MessageIdPath
) -> Response:
    """Delete a comment or custom event. The entries openkyc writes are the audit trail: a
    `409`."""
    service.delete(session, auth.organization_id, id, messageId)
    return Response(status_code=204)


def _event_out(custom: TimelineCustomEvent, links: Links) -> CustomEventOut:
    return CustomEventOut.of(custom, links.href("customer-timeline-custom-events", custom.id))


@router.get(
    "/customer-timeline-custom-events",
    operation_id="GetCustomerTimelineCustomEventTypeCollection",
    response_model=list[CustomEventOut],
)
def list_custom_events(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection
) -> JSONResponse:
    """The custom event types of the organization."""
    found, total = service.custom_events(session, auth.organization_id, query)
    return page_response([_event_out(c, links) for c in found], total, query)


@router.post(
    "/customer-timeline-custom-events",
    operation_id="PostCustomerTimelineCustomEventType",
    status_code=201,
    response_model=CustomEventOut,
)
def create_custom_event(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, body: CustomEventIn
) -> JSONResponse:
    """Define a custom event type (its name must not be a system event's)."""
    out = _event_out(service.create_custom_event(session, auth.organization_id, body.name), links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get(
    "/customer-timeline-custom-events/{id}",
    operation_id="GetCustomerTimelineCustomEventType",
    response_model=CustomEventOut,
)
def get_custom_event(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One custom event type."""
    return member_response(
        _event_out(service.custom_event(session, auth.organization_id, id), links)
    )
