"""Rules for KYC requests: what may be asked, how long a link lives, and when it ends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.credit_file import service as credit_file
from openkyc.credit_file.bureau import CreditBureau
from openkyc.customers import service as customers
from openkyc.db.collection import CollectionQuery, filter_clause
from openkyc.db.ids import new_id
from openkyc.db.models import Customer, KycRequest
from openkyc.db.session import SessionFactory
from openkyc.errors import Conflict, NotFound, ValidationFailed
from openkyc.events import types as event_types
from openkyc.kyc.enums import CREDIT_FILE, RequestStatus
from openkyc.kyc.requests import repository, sync, tokens
from openkyc.kyc.requests.repository import FIELDS, KycRequestRepository, by_short_code
from openkyc.kyc.requests.schemas import KycRequestIn, KycRequestPatch, RequestedDocument
from openkyc.kyc.status import PERMANENT, Provided
from openkyc.timeline import changes
from openkyc.timeline.authors import Author
from openkyc.wire import Links

DEFAULT_LIFETIME = timedelta(hours=1)


def _future(value: datetime, now: datetime) -> datetime:
    if value <= now:
        raise ValidationFailed.field("expirationTime", "must be in the future")
    return value


def _documents(requested: list[RequestedDocument]) -> list[dict[str, object]]:
    return [d.model_dump(mode="json") for d in requested]


def asks_for_credit_file(data: KycRequestIn) -> bool:
    return any(d.type == CREDIT_FILE for d in data.documents)


def consult_credit_bureau(
    sessions: SessionFactory, organization_id: str, data: KycRequestIn, bureau: CreditBureau
) -> credit_file.BureauAnswer | None:
    """Ask the bureau about the customer when the request asks for a credit file (None when
    it does not, or names no customer of the organization: ``create`` says so). The customer
    is read in a session of its own, closed before the bureau is asked: no transaction, lock
    or connection waits on the bureau."""
    if not asks_for_credit_file(data):
        return None
    with sessions() as session:
        customer = customers.find(session, organization_id, data.customerId)
        applicant = credit_file.applicant_of(customer) if customer else None
    if applicant is None:
        return None
    return credit_file.consult(bureau, applicant, clock.now())


def create(
    session: Session, organization_id: str, data: KycRequestIn, links: Links, author: Author
) -> KycRequest:
    """A new request (the credit file it asks for is stored by ``flows/kyc_requests.py``)."""
    now = clock.now()
    customer = customers.find(session, organization_id, data.customerId)
    if customer is None:
        raise ValidationFailed.field(
            "customerId", f"no customer {data.customerId} in this organization"
        )
    request = KycRequest(
        id=new_id("kyc_req"),
        organization_id=organization_id,
        customer_id=customer.id,
        documents=_documents(data.documents),
        status=RequestStatus.GATHERING,
        redirect_url=data.redirectUrl,
        reason=data.reason,
        short_code=tokens.new_short_code(),
        ui_version=data.uiVersion,
        match_level=data.matchLevel,
        expiration_time=_future(data.expirationTime, now)
        if data.expirationTime
        else now + DEFAULT_LIFETIME,
        revision=0,
        created_time=now,
        updated_time=now,
    )
    KycRequestRepository(session, organization_id).add(request)
    created = event_types.KYC_REQUEST_CREATED
    sync.record_request_event(session, request, created, links, author, None, customer)
    return request


def get(
    session: Session, organization_id: str, request_id: str, *, for_update: bool = False
) -> KycRequest:
    request = KycRequestRepository(session, organization_id).get(request_id, for_update=for_update)
    if request is None:
        raise NotFound.resource("KYC request", request_id)
    return request


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[KycRequest], int]:
    return KycRequestRepository(session, organization_id).page(query)


def patch(
    session: Session,
    organization_id: str,
    request_id: str,
    data: KycRequestPatch,
    links: Links,
    author: Author,
) -> tuple[KycRequest, bool]:
    """Change what is asked, the link's lifetime or the redirect, while the request is open;
    whether anything changed (its status is then derived again, ``flows/kyc_requests.py``)."""
    now = clock.now()
    request = get(session, organization_id, request_id, for_update=True)
    if request.status in PERMANENT:
        raise Conflict(f"KYC request {request.id} is {request.status} and can no longer change")
    given = data.model_fields_set
    values: dict[str, object] = {}
    if "documents" in given and data.documents is not None:
        values["documents"] = _documents(data.documents)
    if "redirectUrl" in given:
        values["redirect_url"] = data.redirectUrl
    if "reason" in given:
        values["reason"] = data.reason
    if "matchLevel" in given and data.matchLevel is not None:
        values["match_level"] = data.matchLevel
    if "expirationTime" in given and data.expirationTime is not None:
        values["expiration_time"] = _future(data.expirationTime, now)
    if "uiVersion" in given:
        values["ui_version"] = data.uiVersion
    if not any(getattr(request, k) != v for k, v in values.items()):
        return request, False
    before = changes.snapshot(request)
    for name, value in values.items():
        setattr(request, name, value)
    request.touch()
    session.flush()
    modified = event_types.KYC_REQUEST_MODIFIED
    sync.record_request_event(session, request, modified, links, author, before)
    return request, True


def delete(session: Session, request: KycRequest, links: Links, author: Author) -> None:
    """Withdraw the (locked) request: its link stops working (``flows/kyc_requests.py``
    archives its undecided documents first)."""
    before = changes.snapshot(request)
    request.deleted_time = clock.now()
    request.touch()
    session.flush()
    deleted = event_types.KYC_REQUEST_DELETED
    sync.record_request_event(session, request, deleted, links, author, before)


def derive_status(
    session: Session,
    request: KycRequest,
    provided: Sequence[Provided],
    links: Links,
    now: datetime,
    author: Author,
) -> bool:
    """Derive the request's status from the documents provided for it, read after the request
    was locked (two document changes of one request must not derive it from stale rows);
    whether it changed (then with a revision and an event)."""
    return sync.apply_status(session, request, provided, links, now, author)


def due_for_expiry(session: Session, now: datetime, limit: int) -> list[KycRequest]:
    """Temporary requests past their expiration, of every organization, each locked for this
    process (others skip it): any number of processes may expire requests at once."""
    return repository.due_for_expiry(session, now, limit)


def find(
    session: Session, organization_id: str, request_id: str, *, for_update: bool = False
) -> KycRequest | None:
    """The organization's request (deleted ones are gone), or None."""
    return KycRequestRepository(session, organization_id).get(request_id, for_update=for_update)


def find_by_short_code(session: Session, code: str) -> KycRequest | None:
    """The request a gatherer short link names (any organization), or None."""
    if not tokens.is_short_code(code):
        return None
    return by_short_code(session, code)


def move_to_customer(
    session: Session, source: Customer, target: Customer, links: Links, author: Author
) -> None:
    """The customer's requests (withdrawn ones too) become the target customer's; each open
    one gets a new revision and kyc-request-modified."""
    repository = KycRequestRepository(session, source.organization_id)
    for request in repository.withdrawn_for_customer(source.id):
        request.customer_id = target.id
    for request in repository.for_customer(source.id):
        before = changes.snapshot(request)
        request.customer_id = target.id
        request.touch()
        session.flush()
        modified = event_types.KYC_REQUEST_MODIFIED
        sync.record_request_event(session, request, modified, links, author, before, target)


def check_filter(text: str) -> None:
    """Refuse a filter the KYC request collection does not understand (ValidationFailed)."""
    filter_clause(FIELDS, text)


def matches_filter(session: Session, organization_id: str, request_id: str, text: str) -> bool:
    """Whether the request, as it is now, passes a filter of the KYC request collection."""
    return KycRequestRepository(session, organization_id).matches(request_id, text)
