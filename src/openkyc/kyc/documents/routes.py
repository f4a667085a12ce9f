from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from openkyc.db.models import KycDocument
from openkyc.kyc.documents import service, views
from openkyc.kyc.documents.schemas import (
    KycDocumentIn,
    KycDocumentOut,
    MatchesOverwrite,
    RejectionIn,
)
from openkyc.web.collections import (
    Collection,
    Expand,
    Fields,
    check_expand,
    member_response,
    page_response,
)
from openkyc.web.deps import RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.wire import Links

router = APIRouter(prefix="/kyc-documents", tags=["KYC documents"])
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"model": KycDocumentOut, "description": "The document after the action."}
}


def _one(
    session: Session, document: KycDocument, links: Links, expand: frozenset[str] = frozenset()
) -> KycDocumentOut:
    return views.documents_out(session, document.organization_id, [document], links, expand)[0]


def _acted(session: Session, document: KycDocument, links: Links) -> JSONResponse:
    out = _one(session, document, links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("", operation_id="GetKycDocumentCollection", response_model=list[KycDocumentOut])
def list_kyc_documents(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    query: Collection,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """KYC documents, filtered (customerId, requestId, documentType, status, tags, times),
    sorted and paginated; `expand=customer,files` embeds them."""
    check_expand(expand, views.EXPANDABLE)
    documents, total = service.page(session, auth.organization_id, query)
    return page_response(
        views.documents_out(session, auth.organization_id, documents, links, expand),
        total,
        query,
        fields,
    )


@router.post("", operation_id="PostKycDocument", status_code=201, response_model=KycDocumentOut)
def create_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    body: KycDocumentIn,
    request: Request,
) -> JSONResponse:
    """Add a document of a customer's files; identity and address proof are analysed at once."""
    auto = request.app.state.settings.auto_analysis
    return _acted(
        session,
        service.create(session, auth.organization_id, body, links, auto_analysis=auto),
        links,
    )


@router.get("/{id}", operation_id="GetKycDocument", response_model=KycDocumentOut)
def get_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """One KYC document."""
    check_expand(expand, views.EXPANDABLE)
    return member_response(
        _one(session, service.get(session, auth.organization_id, id), links, expand), fields
    )


@router.put(
    "/{id}", operation_id="PutKycDocument", response_model=KycDocumentOut, responses=CREATED
)
def put_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: KycDocumentIn,
    request: Request,
) -> JSONResponse:
    """Create the document with this id, or change its files, subtype, notes or reason."""
    auto = request.app.state.settings.auto_analysis
    document, created = service.upsert(
        session, auth.organization_id, id, body, links, auto_analysis=auto
    )
    if created:
        return _acted(session, document, links)
    return member_response(_one(session, document, links))


@router.post(
    "/{id}/acceptance",
    operation_id="PostKycDocumentAcceptance",
    status_code=201,
    response_model=KycDocumentOut,
)
def accept_kyc_document(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """Accept the document (a manual override); records the reviewer and the time."""
    return _acted(session, service.accept(session, auth, id, links), links)


@router.post(
    "/{id}/rejection",
    operation_id="PostKycDocumentRejection",
    status_code=201,
    response_model=KycDocumentOut,
)
def reject_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: RejectionIn,
) -> JSONResponse:
    """Reject the document with a reason type and message (a manual override)."""
    return _acted(session, service.reject(session, auth, id, body, links), links)


@router.post(
    "/{id}/review",
    operation_id="PostKycDocumentReview",
    status_code=201,
    response_model=KycDocumentOut,
)
def review_kyc_document(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """Record that the caller reviewed the document now."""
    return _acted(session, service.review(session, auth, id, links), links)


@router.post(
    "/{id}/start-review",
    operation_id="PostKycDocumentStartReview",
    status_code=201,
    response_model=KycDocumentOut,
)
def start_kyc_document_review(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """Take the document for review; another reviewer gets a 409 until it is released."""
    return _acted(session, service.start_review(session, auth, id, links), links)


@router.post(
    "/{id}/stop-review",
    operation_id="PostKycDocumentStopReview",
    status_code=201,
    response_model=KycDocumentOut,
)
def stop_kyc_document_review(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """Release the document; its reviewer and review start time are cleared."""
    return _acted(session, service.stop_review(session, auth, id, links), links)


@router.post("/{id}/matches", operation_id="PostKycDocumentMatches", status_code=204)
def overwrite_kyc_document_matches(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: MatchesOverwrite,
) -> Response:
    """Overwrite what was read from the document; `type` must be the document's type and
    unknown fields are refused."""
    service.overwrite_matches(session, auth, id, body, links)
    return Response(status_code=204)
