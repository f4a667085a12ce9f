"""Rules of the customer's side: a customer token reaches one customer's one KYC request,
and the documents made with it use only that customer's uploads."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.auth import service as auth
from openkyc.customers import service as customers
from openkyc.db.models import KycDocument, KycRequest
from openkyc.db.session import SessionFactory
from openkyc.errors import Conflict, InvalidField, NotFound, Unauthorized, ValidationFailed
from openkyc.files import service as file_service
from openkyc.kyc.documents import service as documents
from openkyc.kyc.documents.gate import CaptureGate, capture_of, screen
from openkyc.kyc.documents.schemas import KycDocumentIn
from openkyc.kyc.enums import IDENTITY, DocumentStatus, RequestStatus, UploadableDocumentType
from openkyc.kyc.liveness import service as liveness
from openkyc.kyc.requests import service as requests
from openkyc.kyc.requests.tokens import LinkExpired, read_gatherer_token
from openkyc.kyc.status import PERMANENT
from openkyc.organizations import service as organizations
from openkyc.principal import Principal
from openkyc.storage import Storage
from openkyc.storefront.schemas import StorefrontKycDocumentIn, StorefrontKycDocumentPatch
from openkyc.timeline import authors
from openkyc.timeline import service as timeline
from openkyc.timeline.enums import TimelineType
from openkyc.wire import Links

# Everything a customer token may do: the storefront KYC operations and file uploads.
CUSTOMER_PERMISSIONS = [
    "StorefrontGetKycRequest",
    "StorefrontPostKycDocument",
    "StorefrontGetKycDocument",
    "StorefrontPatchKycDocument",
    "StorefrontPostKycLivenessSession",
    "StorefrontGetKycLivenessSession",
    "StorefrontPostKycLivenessSessionFinish",
    "StorefrontPostKycLivenessSessionFrame",
    "StorefrontPostKycConsent",
    "PostFile",
]


@dataclass(frozen=True)
class CustomerToken:
    id: str
    token: str
    request: KycRequest
    created: datetime
    expires: datetime


@dataclass(frozen=True)
class Screening:
    """The quality gate and where its sessions and the files' bytes come from: the gate reads
    in a short session of its own and judges with none open, before the request's write
    transaction begins (on SQLite, before it takes the write lock)."""

    gate: CaptureGate
    storage: Storage
    sessions: SessionFactory


@dataclass(frozen=True)
class LinkState:
    """What a gatherer link opens: ``open`` (the request takes documents), ``closed`` (it
    expired or ended; ``request`` says where to send the customer, when known) or
    ``invalid`` (forged, altered or unknown: nothing may be shown)."""

    state: str
    request: KycRequest | None = None


def _is_over(request: KycRequest, now: datetime) -> bool:
    return request.status in PERMANENT or now >= request.expiration_time


def link_state(session: Session, keys: Sequence[str], link_token: str) -> LinkState:
    """Check a gatherer link without changing anything."""
    try:
        claims = read_gatherer_token(keys, link_token)
        expired = False
    except LinkExpired:
        claims = read_gatherer_token(keys, link_token, expired_too=True)
        expired = True
    except Unauthorized:
        return LinkState("invalid")
    request = requests.find(session, claims.organization_id, claims.request_id)
    if request is None:
        return LinkState("closed")
    if request.customer_id != claims.customer_id:
        return LinkState("invalid")
    if expired or _is_over(request, clock.now()):
        return LinkState("closed", request)
    return LinkState("open", request)


def _issue(
    session: Session,
    request: KycRequest,
    expires: datetime | None = None,
    key_id: str | None = None,
) -> CustomerToken:
    organization = organizations.get(session, request.organization_id)
    if organization is None:
        raise NotFound("The organization no longer exists")
    until = min(request.expiration_time, expires) if expires else request.expiration_time
    token_id, token, created = auth.issue_customer_jwt(
        organization, request.customer_id, request.id, until, CUSTOMER_PERMISSIONS, key_id
    )
    return CustomerToken(token_id, token, request, created, until)


def token_for_link(session: Session, keys: Sequence[str], link_token: str) -> CustomerToken:
    """The customer token the gatherer page works with, for an open link."""
    found = link_state(session, keys, link_token)
    if found.state != "open" or found.request is None:
        raise Unauthorized("This link is not valid or has expired")
    return _issue(session, found.request)


def exchange(
    session: Session,
    principal: Principal,
    keys: Sequence[str],
    link_token: str,
    expires: datetime | None = None,
) -> CustomerToken:
    """A merchant's front end trades the gatherer link's token for a customer token.

    The link stays usable: it is the customer's way back until the request ends."""
    found = link_state(session, keys, link_token)
    if found.state == "invalid" or (
        found.request is not None and found.request.organization_id != principal.organization_id
    ):
        raise NotFound("No such authentication token")
    if found.state != "open" or found.request is None:
        raise Unauthorized("The authentication token has expired")
    if expires is not None and expires <= clock.now():
        raise ValidationFailed.field("expiredTime", "must be in the future")
    return _issue(session, found.request, expires, principal.key_id)


def request_of(session: Session, principal: Principal, request_id: str | None = None) -> KycRequest:
    """The token's request; any other id is not found, whoever it belongs to."""
    wanted = request_id or principal.request_id
    if principal.request_id is None or wanted != principal.request_id:
        raise NotFound.resource("KYC request", wanted or "")
    request = requests.find(session, principal.organization_id, wanted)
    if request is None or request.customer_id != principal.customer_id:
        raise NotFound.resource("KYC request", wanted)
    return request


def ensure_open(session: Session, principal: Principal) -> None:
    """A customer token changes nothing (uploads included) once its request has ended."""
    request = request_of(session, principal)
    if _is_over(request, clock.now()):
        raise Conflict(
            f"KYC request {request.id} has ended ({request.status}); nothing more is taken"
        )


def documents_of(session: Session, principal: Principal) -> list[KycDocument]:
    request = request_of(session, principal)
    return documents.for_request(session, principal.organization_id, request.id)


def document_of(
    session: Session, principal: Principal, document_id: str, *, for_update: bool = False
) -> KycDocument:
    document = documents.find(
        session, principal.organization_id, document_id, for_update=for_update
    )
    if (
        document is None
        or document.customer_id != principal.customer_id
        or document.request_id != principal.request_id
    ):
        raise NotFound.resource("KYC document", document_id)
    return document


def _check_own_files(session: Session, principal: Principal, file_ids: list[str]) -> None:
    """A customer's document may only show what that customer uploaded."""
    files = file_service.by_id(session, principal.organization_id, file_ids)
    problems = [
        InvalidField(f"fileIds.{i}", f"no file {file_id} uploaded by this customer")
        for i, file_id in enumerate(file_ids)
        if file_id not in files or files[file_id].customer_id != principal.customer_id
    ]
    if problems:
        raise ValidationFailed(problems)


def _liveness_required(request: KycRequest) -> bool:
    wanted = next((d for d in request.documents if d["type"] == IDENTITY), {})
    return bool(wanted.get("faceLivenessRequired"))


def create_document(
    session: Session,
    principal: Principal,
    data: StorefrontKycDocumentIn,
    links: Links,
    *,
    auto_analysis: bool,
    screening: Screening | None = None,
) -> KycDocument:
    """A document of the token's request, from the customer's own uploads; analysed at once.
    With ``screening``, files the analyser could not judge are refused first (no attempt
    used), before anything is written."""
    if screening is not None:
        with screening.sessions() as reading:
            request = request_of(reading, principal)
            _check_own_files(reading, principal, data.fileIds)
            if data.documentType == IDENTITY and _liveness_required(request):
                liveness.ensure_live_selfie(reading, request, data.fileIds)
            ensure_open(reading, principal)
            capture = capture_of(
                reading,
                screening.storage,
                principal.organization_id,
                data.documentType,
                data.documentSubtype,
                data.fileIds,
            )
        screen(screening.gate, capture)
    request = request_of(session, principal)
    _check_own_files(session, principal, data.fileIds)
    if data.documentType == IDENTITY and _liveness_required(request):
        liveness.ensure_live_selfie(session, request, data.fileIds)
    body = KycDocumentIn(
        customerId=request.customer_id,
        documentType=data.documentType,
        documentSubtype=data.documentSubtype,
        fileIds=data.fileIds,
        requestId=request.id,
    )
    author = authors.of(principal)
    return documents.create(
        session, principal.organization_id, body, links, author, auto_analysis=auto_analysis
    )


def _changeable(document: KycDocument) -> None:
    if document.status != DocumentStatus.PENDING or document.review_time is not None:
        raise Conflict(f"KYC document {document.id} is {document.status} and can no longer change")


def _screen_patch(
    screening: Screening, principal: Principal, document_id: str, data: StorefrontKycDocumentPatch
) -> None:
    """The gate for a document's new files, judged before the document is locked."""
    given = data.model_fields_set
    if "fileIds" not in given or data.fileIds is None:
        return
    with screening.sessions() as reading:
        document = document_of(reading, principal, document_id)
        _changeable(document)
        if data.fileIds == list(document.file_ids):
            return
        _check_own_files(reading, principal, data.fileIds)
        subtype = data.documentSubtype if "documentSubtype" in given else document.document_subtype
        capture = capture_of(
            reading,
            screening.storage,
            principal.organization_id,
            document.document_type,
            subtype,
            data.fileIds,
        )
    screen(screening.gate, capture)


def patch_document(
    session: Session,
    principal: Principal,
    document_id: str,
    data: StorefrontKycDocumentPatch,
    links: Links,
    *,
    auto_analysis: bool,
    screening: Screening | None = None,
) -> KycDocument:
    """Change the subtype or files of a document nobody has decided on: a decided document
    stays as it is (a new attempt is a new document). New files pass the gate first,
    before the document is locked for the change."""
    if screening is not None:
        _screen_patch(screening, principal, document_id, data)
    document = document_of(session, principal, document_id, for_update=True)
    _changeable(document)
    if data.documentType is not None and data.documentType != document.document_type:
        raise ValidationFailed.field("documentType", "the type of a document cannot change")
    given = data.model_fields_set
    file_ids = data.fileIds if "fileIds" in given and data.fileIds is not None else None
    if file_ids is not None:
        _check_own_files(session, principal, file_ids)
    request = request_of(session, principal)
    if request.status in PERMANENT:
        raise Conflict(f"KYC request {request.id} is {request.status} and takes no more changes")
    body = KycDocumentIn(
        customerId=document.customer_id,
        documentType=UploadableDocumentType(document.document_type),
        documentSubtype=data.documentSubtype
        if "documentSubtype" in given
        else document.document_subtype,
        fileIds=file_ids if file_ids is not None else list(document.file_ids),
        notes=document.notes,
        reason=document.reason,
        requestId=document.request_id,
    )
    updated, _ = documents.upsert(
        session,
        principal.organization_id,
        document.id,
        body,
        links,
        authors.of(principal),
        auto_analysis=auto_analysis,
    )
    return updated


def customer_language(session: Session, request: KycRequest) -> str | None:
    """The language the merchant gave the request's customer (``locale``, RFC 5646, such as
    ``fr-FR``): its primary subtag, lower case, or None."""
    customer = customers.find(session, request.organization_id, request.customer_id)
    if customer is None or not customer.locale:
        return None
    return customer.locale.split("-")[0].split("_")[0].strip().lower() or None


def consent_version(text: str) -> str:
    """The version of a consent text: the start of its SHA-256, so a record names exactly
    the words the customer agreed to."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Consent:
    id: str
    request: KycRequest
    language: str
    version: str
    given: datetime


def record_consent(
    session: Session,
    principal: Principal,
    request_id: str,
    *,
    language: str,
    version: str,
    text: str,
    privacy_notice: str | None,
) -> Consent:
    """Record, on the customer's timeline, that they agreed to pictures of their face for
    this request: who (the customer), when, and the words (``text``, its version, the
    language and the privacy notice linked). ``version`` must be the one of ``text``: a
    page that showed an older text (the merchant changed it since) gets a 409."""
    request = request_of(session, principal, request_id)
    ensure_open(session, principal)
    if version != consent_version(text):
        raise Conflict("The consent text has changed since the page was opened: show it again")
    rows = [
        ("KYC request", request.id),
        ("Language", language),
        ("Text version", version),
        ("Text", text),
        ("Privacy notice", privacy_notice or "(none)"),
    ]
    entry = timeline.record(
        session,
        request.organization_id,
        request.customer_id,
        TimelineType.KYC_CONSENT_GIVEN,
        f"Customer agreed to pictures of their face for KYC request {request.id} "
        f"(consent text {version}, {language})",
        author=authors.of(principal),
        links=[timeline.Link("kyc-request", request.id, "KYC request")],
        table={
            "type": "two-columns",
            "title": "Consent",
            "data": [{"attribute": name, "value": value} for name, value in rows],
        },
    )
    return Consent(entry.id, request, language, version, entry.occurred_time)


def redirect_info(status: str) -> str:
    """What the customer's return to ``redirectUrl`` says (``info``) when they are done:
    ``success`` every document accepted, ``partial`` some accepted and others not yet,
    ``manual`` the rest goes to a person (waiting for review, or rejected)."""
    if status == RequestStatus.FULFILLED:
        return "success"
    if status == "partial":
        return "partial"
    return "manual"


def redirect_to(url: str, info: str) -> str:
    """``url`` with ``info`` in its query (replacing any), the rest of it kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "info"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("info", info)])))
