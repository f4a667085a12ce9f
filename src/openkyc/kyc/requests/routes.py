from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from openkyc.db.models import KycRequest
from openkyc.flows import kyc_requests as flow
from openkyc.kyc.documents import views as document_views
from openkyc.kyc.requests import service, views
from openkyc.kyc.requests.schemas import KycRequestIn, KycRequestOut, KycRequestPatch
from openkyc.timeline import authors
from openkyc.web.collections import (
    Collection,
    Expand,
    Fields,
    check_expand,
    member_response,
    page_response,
)
from openkyc.web.deps import (
    AppCreditBureau,
    ReadSessions,
    RequestLinks,
    ResourceIdPath,
    SecretKeyAuth,
    Session,
)
from openkyc.web.routing import OneHopRoute
from openkyc.wire import Links

router = APIRouter(prefix="/kyc-requests", tags=["KYC requests"], route_class=OneHopRoute)


def _out(
    session: Session,
    organization_id: str,
    requests: Sequence[KycRequest],
    links: Links,
    expand: frozenset[str] = frozenset(),
) -> list[KycRequestOut]:
    embedded = (
        document_views.of_requests(session, organization_id, [r.id for r in requests], links)
        if "documents" in expand
        else None
    )
    return views.requests_out(requests, links, embedded)


@router.post("", operation_id="PostKycRequest", status_code=201, response_model=KycRequestOut)
def create_kyc_request(
    auth: SecretKeyAuth,
    readers: ReadSessions,
    session: Session,
    links: RequestLinks,
    body: KycRequestIn,
    bureau: AppCreditBureau,
    expand: Expand,
) -> JSONResponse:
    """Ask a customer for documents. The response's `gatherer` link is the customer's page; a
    requested credit file is checked first and may fulfil the request at once."""
    check_expand(expand, views.EXPANDABLE)
    credit = service.consult_credit_bureau(readers, auth.organization_id, body, bureau)
    created = flow.create(session, auth.organization_id, body, links, authors.of(auth), credit)
    out = _out(session, auth.organization_id, [created], links, expand)[0]
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("", operation_id="GetKycRequestCollection", response_model=list[KycRequestOut])
def list_kyc_requests(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    query: Collection,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """KYC requests, filtered (customerId, status, times), sorted and paginated."""
    check_expand(expand, views.EXPANDABLE)
    requests, total = service.page(session, auth.organization_id, query)
    return page_response(
        _out(session, auth.organization_id, requests, links, expand),
        total,
        query,
        fields,
    )


@router.get("/{id}", operation_id="GetKycRequest", response_model=KycRequestOut)
def get_kyc_request(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """One KYC request; `expand=documents` embeds its documents."""
    check_expand(expand, views.EXPANDABLE)
    found = service.get(session, auth.organization_id, id)
    return member_response(_out(session, auth.organization_id, [found], links, expand)[0], fields)


@router.patch("/{id}", operation_id="PatchKycRequest", response_model=KycRequestOut)
def patch_kyc_request(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: KycRequestPatch,
) -> JSONResponse:
    """Change an open request: its documents, expiration, redirect, reason or match level."""
    updated = flow.patch(session, auth.organization_id, id, body, links, authors.of(auth))
    return member_response(_out(session, auth.organization_id, [updated], links)[0])


@router.delete("/{id}", operation_id="DeleteKycRequest", status_code=204)
def delete_kyc_request(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> Response:
    """Withdraw a request: its link stops working and undecided documents are archived."""
    flow.withdraw(session, auth.organization_id, id, links, authors.of(auth))
    return Response(status_code=204)
