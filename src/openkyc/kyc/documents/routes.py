from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from openkyc.db.models import KycDocument
from openkyc.kyc.documents import service, views
from openkyc.kyc.documents.schemas import (
    KycDocumentDecisionOut,
    KycDocumentIn,
    KycDocumentOut,
    MatchesOverwrite,
    RejectionIn,
)
from openkyc.timeline import authors
from openkyc.web.collections import (
    Collection,
    Expand,
    Fields,
    check_expand,
    member_response,
    page_response,
)
from openkyc.web.deps import AppSettings, RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.routing import OneHopRoute
from openkyc.wire import Links

router = APIRouter(prefix="/kyc-documents", tags=["KYC documents"], route_class=OneHopRoute)
# An admin's action on a document another person holds for review (recorded as an override).
Override = Annotated[
    bool,
    Query(
        description="openkyc: an admin acts on a document another person holds for review; "
        "the override is recorded."
    ),
]
HELD: dict[int | str, dict[str, Any]] = {
    409: {"description": "Another person holds the document for review (or it is archived)."}
}
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
    settings: AppSettings,
) -> JSONResponse:
    """Add a document of a customer's files; identity and address proof are analysed at once."""
    auto = settings.auto_analysis
    return _acted(
        session,
        service.create(
            session, auth.organization_id, body, links, authors.of(auth), auto_analysis=auto
        ),
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
    settings: AppSettings,
) -> JSONResponse:
    """Create the document with this id, or change its files, subtype, notes or reason."""
    auto = settings.auto_analysis
    document, created = service.upsert(
        session, auth.organization_id, id, body, links, authors.of(auth), auto_analysis=auto
    )
    if created:
        return _acted(session, document, links)
    return member_response(_one(session, document, links))


@router.post(
    "/{id}/acceptance",
    operation_id="PostKycDocumentAcceptance",
    status_code=201,
    response_model=KycDocumentOut,
    responses=HELD,
)
def accept_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    override: Override = False,
) -> JSONResponse:
    """Accept the document (a manual decision, at any time: it wins over the analyser).
    Records the person and the time; under the four-eyes rule it waits for a second person.
    Against a rejection a person made, it is a reversal, kept with the decision it reverses."""
    return _acted(session, service.accept(session, auth, id, links, override=override), links)


@router.post(
    "/{id}/rejection",
    operation_id="PostKycDocumentRejection",
    status_code=201,
    response_model=KycDocumentOut,
    responses=HELD,
)
def reject_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: RejectionIn,
    override: Override = False,
) -> JSONResponse:
    """Reject the document with a reason type and a message the customer sees (a manual
    decision, at any time; the same rules as acceptance)."""
    return _acted(session, service.reject(session, auth, id, body, links, override=override), links)


@router.post(
    "/{id}/review",
    operation_id="PostKycDocumentReview",
    status_code=201,
    response_model=KycDocumentOut,
    responses=HELD,
)
def review_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    override: Override = False,
) -> JSONResponse:
    """Record that the caller reviewed the document now."""
    return _acted(session, service.review(session, auth, id, links, override=override), links)


@router.post(
    "/{id}/start-review",
    operation_id="PostKycDocumentStartReview",
    status_code=201,
    response_model=KycDocumentOut,
    responses=HELD,
)
def start_kyc_document_review(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    override: Override = False,
) -> JSONResponse:
    """Hold the document for review; another person's actions on it are a 409 until it is
    released, decided or 30 minutes pass. A decided document is a 422."""
    return _acted(session, service.start_review(session, auth, id, links, override=override), links)


@router.post(
    "/{id}/stop-review",
    operation_id="PostKycDocumentStopReview",
    status_code=201,
    response_model=KycDocumentOut,
    responses=HELD,
)
def stop_kyc_document_review(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    override: Override = False,
) -> JSONResponse:
    """Release the hold. Only the hold ends: a decision and the person who made it stay.
    A document nobody holds is a 422."""
    return _acted(session, service.stop_review(session, auth, id, links, override=override), links)


@router.post(
    "/{id}/matches", operation_id="PostKycDocumentMatches", status_code=204, responses=HELD
)
def overwrite_kyc_document_matches(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: MatchesOverwrite,
    override: Override = False,
) -> Response:
    """Overwrite what was read from the document; `type` must be the document's type and
    unknown fields are refused."""
    service.overwrite_matches(session, auth, id, body, links, override=override)
    return Response(status_code=204)


@router.get(
    "/{id}/decisions",
    operation_id="GetKycDocumentDecisionCollection",
    response_model=list[KycDocumentDecisionOut],
)
def list_kyc_document_decisions(
    auth: SecretKeyAuth, session: Session, id: ResourceIdPath
) -> JSONResponse:
    """openkyc: every decision people made on the document, oldest first: who, when, whether
    it waited for a second person, what it reversed or confirmed, whose hold it overrode."""
    records = service.history(session, auth.organization_id, id)
    return JSONResponse([KycDocumentDecisionOut.of(r).to_wire() for r in records])
