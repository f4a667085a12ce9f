from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from openkyc.config import Settings
from openkyc.db.models import KycDocument
from openkyc.db.session import SessionFactory
from openkyc.gatherer import i18n
from openkyc.kyc.documents.gate import CaptureGate
from openkyc.kyc.settings import service as kyc_settings
from openkyc.storage import Storage
from openkyc.storefront import service
from openkyc.storefront.schemas import (
    ConsentIn,
    ConsentOut,
    CustomerJWTIn,
    CustomerJWTOut,
    StorefrontKycDocumentIn,
    StorefrontKycDocumentOut,
    StorefrontKycDocumentPatch,
    StorefrontKycRequestOut,
)
from openkyc.web.collections import Expand, check_expand, member_response
from openkyc.web.deps import (
    AppCaptureGate,
    AppSettings,
    AppStorage,
    CustomerAuth,
    ReadSessions,
    RequestLinks,
    ResourceIdPath,
    Session,
    UploadAuth,
)
from openkyc.web.routing import OneHopRoute
from openkyc.wire import Link, Links

router = APIRouter(tags=["Storefront KYC documents"], route_class=OneHopRoute)
tokens = APIRouter(tags=["Customer authentication"], route_class=OneHopRoute)
CUSTOMER_JWT: dict[str, Any] = {"security": [{"CustomerJWT": []}]}
LinkToken = Annotated[str, Path(max_length=4096, description="The gatherer link's token.")]


def _document(document: KycDocument, links: Links) -> StorefrontKycDocumentOut:
    href = links.href("storefront", "kyc-documents", document.id)
    return StorefrontKycDocumentOut.of(document, [Link(rel="self", href=href)])


def _screening(
    gate: CaptureGate | None, storage: Storage, settings: Settings, sessions: SessionFactory
) -> service.Screening | None:
    """The quality gate, when documents are analysed and the gate is on."""
    if gate is None or not settings.auto_analysis:
        return None
    return service.Screening(gate, storage, sessions)


@router.get(
    "/storefront/kyc-requests/{id}",
    operation_id="StorefrontGetKycRequest",
    response_model=StorefrontKycRequestOut,
    openapi_extra=CUSTOMER_JWT,
)
def get_storefront_kyc_request(
    auth: CustomerAuth, session: Session, links: RequestLinks, id: ResourceIdPath, expand: Expand
) -> JSONResponse:
    """The KYC request of the customer token (any other id is not found); `expand=documents`
    embeds the documents provided for it, with their results."""
    check_expand(expand, ("documents",))
    request = service.request_of(session, auth, id)
    embedded = None
    if "documents" in expand:
        embedded = {
            "documents": [
                _document(d, links).to_wire() for d in service.documents_of(session, auth)
            ]
        }
    self_link = [Link(rel="self", href=links.href("storefront", "kyc-requests", request.id))]
    return member_response(StorefrontKycRequestOut.of(request, self_link, embedded))


@router.post(
    "/storefront/kyc-documents",
    operation_id="StorefrontPostKycDocument",
    status_code=201,
    response_model=StorefrontKycDocumentOut,
    openapi_extra=CUSTOMER_JWT,
)
def create_storefront_kyc_document(
    auth: CustomerAuth,
    session: Session,
    links: RequestLinks,
    body: StorefrontKycDocumentIn,
    settings: AppSettings,
    storage: AppStorage,
    gate: AppCaptureGate,
    sessions: ReadSessions,
) -> JSONResponse:
    """Provide a document for the token's KYC request from files the customer uploaded with
    the same token (`POST /files`); identity and address proof are analysed at once
    (`in-progress` until decided). Refused once the request is final, when the type is not
    asked for, the subtype not permitted or the attempts are used up. Identity and address
    pictures pass a quality gate first: one that cannot be analysed (blurred, dark, glare,
    cut off, no document, a selfie for a document or the reverse, text not legible) is a
    422 `retake-needed` problem whose `hints` say, per file, what to fix; nothing is
    created and no attempt is used."""
    document = service.create_document(
        session,
        auth,
        body,
        links,
        auto_analysis=settings.auto_analysis,
        screening=_screening(gate, storage, settings, sessions),
    )
    out = _document(document, links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get(
    "/storefront/kyc-documents/{id}",
    operation_id="StorefrontGetKycDocument",
    response_model=StorefrontKycDocumentOut,
    openapi_extra=CUSTOMER_JWT,
)
def get_storefront_kyc_document(
    auth: CustomerAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One of the customer's documents for the token's request: its status, the rejection
    reason and `hints` (what to fix) once decided."""
    return member_response(_document(service.document_of(session, auth, id), links))


@router.patch(
    "/storefront/kyc-documents/{id}",
    operation_id="StorefrontPatchKycDocument",
    response_model=StorefrontKycDocumentOut,
    openapi_extra=CUSTOMER_JWT,
)
def patch_storefront_kyc_document(
    auth: CustomerAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: StorefrontKycDocumentPatch,
    settings: AppSettings,
    storage: AppStorage,
    gate: AppCaptureGate,
    sessions: ReadSessions,
) -> JSONResponse:
    """Change the subtype or files of a document that is still waiting (`pending`, nobody
    decided yet); a decided document does not change: a new attempt is a new document."""
    document = service.patch_document(
        session,
        auth,
        id,
        body,
        links,
        auto_analysis=settings.auto_analysis,
        screening=_screening(gate, storage, settings, sessions),
    )
    return member_response(_document(document, links))


@router.post(
    "/storefront/kyc-requests/{id}/consents",
    openapi_extra=CUSTOMER_JWT,
    response_model=ConsentOut,
    status_code=201,
    operation_id="StorefrontPostKycConsent",
)
def post_storefront_kyc_consent(
    id: ResourceIdPath, body: ConsentIn, auth: CustomerAuth, session: Session
) -> JSONResponse:
    """openkyc: record that the customer agreed to pictures of their face for the token's
    request, before any is taken: who, when, and the words shown (`textVersion`, given to
    the gatherer's page with the text: the merchant's consent text, or openkyc's in
    `language`). The record is an entry of type `kyc-consent-given` on the customer's
    timeline. A version that is not the current text's is a 409 (show the text again)."""
    brand = kyc_settings.get(session, auth.organization_id).gatherer
    text = consent_text(brand.consentText, body.language)
    consent = service.record_consent(
        session,
        auth,
        id,
        language=body.language,
        version=body.textVersion,
        text=text,
        privacy_notice=brand.privacyNoticeUrl,
    )
    out = ConsentOut(
        id=consent.id,
        requestId=consent.request.id,
        customerId=consent.request.customer_id,
        language=consent.language,
        textVersion=consent.version,
        givenTime=consent.given,
    )
    return member_response(out, status_code=201)


def consent_text(custom: str | None, language: str) -> str:
    """The words the gatherer shows before pictures of the face, in ``language``."""
    return custom or str(i18n.messages(language)["consent"]["text"])


@tokens.post(
    "/authentication-tokens/{token}/exchange",
    operation_id="PostAuthenticationTokenExchange",
    status_code=201,
    response_model=CustomerJWTOut,
)
def exchange_authentication_token(
    auth: UploadAuth, session: Session, links: RequestLinks, token: LinkToken, body: CustomerJWTIn
) -> JSONResponse:
    """Trade the token of a KYC request's gatherer link (`token` in its query) for a customer
    token (`Authorization: Bearer`) that works the storefront KYC operations and file uploads
    for that request only, until the request expires. The link itself keeps working until
    the request ends, whatever `invalidate` says."""
    issued = service.exchange(session, auth, links.verifying, token, body.expiredTime)
    customer_href = links.href("customers", issued.request.customer_id)
    out = CustomerJWTOut.of(
        issued.id,
        issued.token,
        issued.request,
        service.CUSTOMER_PERMISSIONS,
        issued.created,
        issued.expires,
        [Link(rel="customer", href=customer_href)],
    )
    return member_response(out, status_code=201, location=customer_href)
