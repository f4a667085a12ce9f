"""The review queue and the document page: a person takes the oldest waiting document, looks
at it and decides, through the same services (holds, decisions, timeline) as the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from openkyc.backoffice import views
from openkyc.backoffice.deps import Person, ensure_may, may
from openkyc.backoffice.pages import PageRoute, render
from openkyc.customers import service as customers
from openkyc.files import service as files
from openkyc.kyc.documents import service as documents
from openkyc.kyc.documents.schemas import RejectionIn
from openkyc.kyc.enums import RejectionType, UploadableDocumentType
from openkyc.kyc.liveness import service as liveness
from openkyc.web.deps import AppSettings, AppStorage, RequestLinks, ResourceIdPath, Session

router = APIRouter(prefix="/backoffice", route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
DOCUMENT_TYPES: tuple[str, ...] = tuple(UploadableDocumentType)
Score = Annotated[int | None, Query(ge=0, le=100)]


async def _filter(
    type: Annotated[UploadableDocumentType | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=255)] = None,
    check: Annotated[str | None, Query(max_length=50)] = None,
    min_score: Annotated[int | None, Query(alias="min", ge=0, le=100)] = None,
    max_score: Annotated[int | None, Query(alias="max", ge=0, le=100)] = None,
    hours: Annotated[int | None, Query(ge=0, le=24 * 365)] = None,
    mine: Annotated[bool, Query()] = False,
) -> dict[str, object]:
    return {
        "type": type or "",
        "tag": tag or "",
        "check": check or "",
        "min": "" if min_score is None else min_score,
        "max": "" if max_score is None else max_score,
        "hours": "" if hours is None else hours,
        "mine": mine,
    }


Filters = Annotated[dict[str, object], Depends(_filter)]


def _wanted(filters: dict[str, object], person_id: str) -> documents.QueueFilter:
    def number(key: str) -> int | None:
        value = filters[key]
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    hours = number("hours")
    return documents.QueueFilter(
        document_type=str(filters["type"]) or None,
        tag=str(filters["tag"]) or None,
        failed_check=str(filters["check"]) or None,
        min_score=number("min"),
        max_score=number("max"),
        older_than=timedelta(hours=hours) if hours else None,
        held_by=person_id if filters["mine"] else None,
    )


def _query(filters: dict[str, object]) -> str:
    kept = {k: ("1" if v is True else v) for k, v in filters.items() if v not in ("", False)}
    return urlencode(kept)


@router.get("/queue")
def queue(
    request: Request,
    person: Person,
    session: Session,
    filters: Filters,
    after: Annotated[str | None, Query(max_length=50)] = None,
    before: Annotated[str | None, Query(max_length=50)] = None,
    size: Annotated[int, Query(ge=1, le=200)] = PAGE_SIZE,
) -> Response:
    """The documents waiting for a person, oldest first, a page at a time: the page after
    (before) a document of the queue, found through the queue's index however deep."""
    wanted = _wanted(filters, person.actor_id)
    found = documents.review_queue(
        session, person.organization_id, wanted, size, after=after, before=before
    )
    query = _query(filters) + ("" if size == PAGE_SIZE else f"&size={size}")
    return render(
        request,
        "queue.html",
        {
            "documents": found.documents,
            "summary": found.summary,
            "filters": filters,
            "query": query.lstrip("&"),
            "earlier": found.earlier,
            "later": found.later,
            "document_types": DOCUMENT_TYPES,
            "score_of": views.score,
            "may_take": may(person, "PostKycDocumentStartReview"),
        },
    )


@router.post("/queue/next")
def take_next(
    request: Request, person: Person, session: Session, links: RequestLinks, filters: Filters
) -> Response:
    """Hold the oldest waiting document nobody else holds, and open it."""
    ensure_may(person, "PostKycDocumentStartReview")
    taken = documents.take_next(session, person, _wanted(filters, person.actor_id), links)
    if taken is None:
        return render(
            request,
            "queue_empty.html",
            {"query": _query(filters)},
        )
    return RedirectResponse(f"/backoffice/documents/{taken.id}", status_code=303)


@router.get("/documents/{id}")
def document_page(
    request: Request, person: Person, session: Session, id: ResourceIdPath
) -> Response:
    """One document: its pictures, what was read and checked, and the decision."""
    document = documents.get(session, person.organization_id, id)
    customer = customers.get(session, person.organization_id, document.customer_id)
    return render(
        request,
        "document.html",
        {
            "document": document,
            "customer": customer,
            "files": [files.get(session, person.organization_id, f) for f in document.file_ids],
            "compared": views.compared(document, customer),
            "checks": views.checks(document),
            "mrz": views.mrz(document),
            "face": views.face(document),
            "score": views.score(document),
            "shared_with": documents.shared_with(session, document),
            "liveness": liveness.for_request(
                session, person.organization_id, document.customer_id, document.request_id
            )
            if document.request_id
            else [],
            "decisions": documents.history(session, person.organization_id, id),
            "rejection_types": views.REJECTION_TYPES,
            "held_by_me": document.reviewer_id == person.actor_id
            and document.review_start_time is not None,
            "may_decide": may(person, "PostKycDocumentAcceptance"),
        },
    )


def _back_to(document_id: str) -> Response:
    return RedirectResponse(f"/backoffice/documents/{document_id}", status_code=303)


@router.post("/documents/{id}/accept")
def accept(person: Person, session: Session, links: RequestLinks, id: ResourceIdPath) -> Response:
    ensure_may(person, "PostKycDocumentAcceptance")
    documents.accept(session, person, id, links)
    return _back_to(id)


@router.post("/documents/{id}/reject")
def reject(
    person: Person,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    reason: Annotated[RejectionType, Form()],
    message: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    ensure_may(person, "PostKycDocumentRejection")
    rejection = RejectionIn(type=reason, message=message.strip() or None)
    documents.reject(session, person, id, rejection, links)
    return _back_to(id)


@router.post("/documents/{id}/hold")
def hold(person: Person, session: Session, links: RequestLinks, id: ResourceIdPath) -> Response:
    ensure_may(person, "PostKycDocumentStartReview")
    documents.start_review(session, person, id, links)
    return _back_to(id)


@router.post("/documents/{id}/release")
def release(person: Person, session: Session, links: RequestLinks, id: ResourceIdPath) -> Response:
    ensure_may(person, "PostKycDocumentStopReview")
    documents.stop_review(session, person, id, links)
    return RedirectResponse("/backoffice/queue", status_code=303)


@router.get("/files/{id}")
def file_bytes(
    person: Person,
    session: Session,
    storage: AppStorage,
    settings: AppSettings,
    id: ResourceIdPath,
) -> Response:
    """A file of the organization, for the document page's viewer (scaled to fit 1600 px)."""
    file = files.get(session, person.organization_id, id)
    download = files.download(storage, file, "1600x1600", settings)
    content = (
        download.content if isinstance(download.content, bytes) else b"".join(download.content)
    )
    return Response(
        content,
        media_type=download.media_type,
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            # Uploaded bytes are hostile: opened on their own, they run nothing.
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
