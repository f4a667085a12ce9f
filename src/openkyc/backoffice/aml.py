"""AML checks for people: the list of checks by status, and a check's page with the
customer's data beside each hit and why it matched, where a person holds the check and
decides it through the same service (holds, four eyes, timeline) as the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from openkyc import clock, reviews
from openkyc.aml.checks import service as aml_checks
from openkyc.aml.enums import DECISIONS, AmlCheckStatus
from openkyc.backoffice import views
from openkyc.backoffice.deps import Person, ensure_may, may
from openkyc.backoffice.pages import PageRoute, render
from openkyc.customers import service as customers
from openkyc.db.collection import AtLeast, CollectionQuery
from openkyc.timeline import service as timeline
from openkyc.web.deps import ResourceIdPath, Session

router = APIRouter(prefix="/backoffice/aml-checks", route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
STATUSES: tuple[str, ...] = tuple(AmlCheckStatus)
# The customer's timeline entries read for those about the check.
TIMELINE_READ = 200


@router.get("")
def check_list(
    request: Request,
    person: Person,
    session: Session,
    status: Annotated[AmlCheckStatus | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """AML checks of a status (by default those waiting for a person), most urgent
    priority first, then newest first."""
    wanted = ",".join([status] if status else sorted(aml_checks.OPEN))
    query = CollectionQuery(
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        filter=f"status:{wanted}",
        sort=("priority", "-createdTime"),
    )
    found, total = aml_checks.page(session, person.organization_id, query)
    return render(
        request,
        "aml_checks.html",
        {
            "checks": found,
            "total": total,
            "total_is_floor": isinstance(total, AtLeast),
            "status": status or "",
            "statuses": STATUSES,
            "page": page,
            "more": len(found) == PAGE_SIZE and total > page * PAGE_SIZE,
            "holder": lambda c: reviews.review_holder(c, clock.now()),
        },
    )


def _about(entries: list[Any], check_id: str) -> list[Any]:
    return [
        e
        for e in entries
        if any(
            link.get("resourceId") == check_id for link in (e.extra_data or {}).get("links") or []
        )
    ]


@router.get("/{id}")
def check_page(request: Request, person: Person, session: Session, id: ResourceIdPath) -> Response:
    """One check: the customer's data screened beside each hit, its reasons, the decision."""
    check = aml_checks.get(session, person.organization_id, id)
    customer = customers.get(session, person.organization_id, check.customer_id)
    entries, _ = timeline.page(
        session, person.organization_id, check.customer_id, CollectionQuery(limit=TIMELINE_READ)
    )
    holder = reviews.review_holder(check, clock.now())
    return render(
        request,
        "aml_check.html",
        {
            "check": check,
            "customer": customer,
            "hits": [views.aml_hit(check.customer_data or {}, hit) for hit in check.hits],
            "screened": check.customer_data or {},
            "holder": holder,
            "held_by_me": holder == person.actor_id,
            "open": check.status in aml_checks.OPEN,
            "decisions": aml_checks.history(session, person.organization_id, id),
            "entries": _about(entries, check.id),
            "decision_labels": views.AML_DECISIONS,
            "may_decide": may(person, "PostAmlCheckReview"),
        },
    )


def _back_to(check_id: str) -> Response:
    return RedirectResponse(f"/backoffice/aml-checks/{check_id}", status_code=303)


@router.post("/{id}/start-review")
def start_review(person: Person, session: Session, id: ResourceIdPath) -> Response:
    ensure_may(person, "PostAmlCheckStartReview")
    aml_checks.start_review(session, person, id)
    return _back_to(id)


@router.post("/{id}/stop-review")
def stop_review(person: Person, session: Session, id: ResourceIdPath) -> Response:
    ensure_may(person, "PostAmlCheckStopReview")
    aml_checks.stop_review(session, person, id)
    return RedirectResponse("/backoffice/aml-checks", status_code=303)


@router.post("/{id}/review")
def review(
    person: Person,
    session: Session,
    id: ResourceIdPath,
    status: Annotated[str, Form(pattern="^(" + "|".join(sorted(DECISIONS)) + ")$")],
) -> Response:
    ensure_may(person, "PostAmlCheckReview")
    aml_checks.review(session, person, id, status)
    return _back_to(id)
