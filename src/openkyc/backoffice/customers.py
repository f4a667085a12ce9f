"""A customer's page (their requests, documents and timeline, where people comment) and the
list of KYC requests with status filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from openkyc import clock
from openkyc.aml.checks import service as aml_checks
from openkyc.backoffice.deps import Person, ensure_may, may
from openkyc.backoffice.pages import PageRoute, render
from openkyc.customers import service as customers
from openkyc.db.collection import AtLeast, CollectionQuery
from openkyc.kyc.documents import service as documents
from openkyc.kyc.enums import RequestStatus
from openkyc.kyc.requests import service as requests
from openkyc.kyc.status import PERMANENT
from openkyc.timeline import authors
from openkyc.timeline import service as timeline
from openkyc.web.deps import ResourceIdPath, Session

router = APIRouter(prefix="/backoffice", route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
REQUEST_STATUSES: tuple[str, ...] = tuple(RequestStatus)


@router.get("/customers/{id}")
def customer_page(
    request: Request, person: Person, session: Session, id: ResourceIdPath
) -> Response:
    """The customer: requests, documents and timeline (newest first)."""
    customer = customers.get(session, person.organization_id, id)
    wanted = f"customerId:{customer.id}"
    their_requests, _ = requests.page(
        session, person.organization_id, CollectionQuery(limit=PAGE_SIZE, filter=wanted)
    )
    their_documents, _ = documents.page(
        session, person.organization_id, CollectionQuery(limit=PAGE_SIZE, filter=wanted)
    )
    entries, _ = timeline.page(
        session, person.organization_id, customer.id, CollectionQuery(limit=PAGE_SIZE)
    )
    return render(
        request,
        "customer.html",
        {
            "customer": customer,
            "requests": their_requests,
            "documents": their_documents,
            "entries": entries,
            "aml_checks": aml_checks.for_customer(session, person.organization_id, customer.id),
            "may_comment": may(person, "PostCustomerTimeline"),
        },
    )


@router.post("/customers/{id}/comments")
def comment(
    person: Person,
    session: Session,
    id: ResourceIdPath,
    message: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    ensure_may(person, "PostCustomerTimeline")
    customers.get(session, person.organization_id, id)
    timeline.comment(session, person.organization_id, id, message.strip(), authors.of(person))
    return RedirectResponse(f"/backoffice/customers/{id}#timeline", status_code=303)


@router.get("/requests")
def request_list(
    request: Request,
    person: Person,
    session: Session,
    status: Annotated[RequestStatus | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """KYC requests, newest first, by status."""
    query = CollectionQuery(
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        filter=f"status:{status}" if status else None,
        sort=("-createdTime",),
    )
    found, total = requests.page(session, person.organization_id, query)
    grouped = documents.for_requests(session, person.organization_id, [r.id for r in found])
    now = clock.now()
    return render(
        request,
        "requests.html",
        {
            "requests": found,
            "total": total,
            # Counting stops a little past the page: past it, the figure is a floor.
            "total_is_floor": isinstance(total, AtLeast),
            "documents": grouped,
            "status": status or "",
            "statuses": REQUEST_STATUSES,
            "page": page,
            "more": len(found) == PAGE_SIZE and total > page * PAGE_SIZE,
            "link_state": lambda r: (
                "closed (" + r.status + ")"
                if r.status in PERMANENT
                else ("open" if r.expiration_time > now else "expired, closing")
            ),
        },
    )
