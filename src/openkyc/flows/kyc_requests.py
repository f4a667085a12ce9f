"""KYC requests and their documents: what happens to the documents when a request is made,
changed, withdrawn or runs out of time, in the caller's transaction.

A request's status is derived from its documents. The documents' service sits above the
requests' one: a document change derives its request's status there. What starts at the
request and reaches its documents is here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.credit_file import service as credit_file
from openkyc.customers import service as customers
from openkyc.db.models import KycRequest
from openkyc.kyc.documents import service as documents
from openkyc.kyc.requests import service as requests
from openkyc.kyc.requests.schemas import KycRequestIn, KycRequestPatch
from openkyc.timeline.authors import SYSTEM, Author
from openkyc.wire import Links


def create(
    session: Session,
    organization_id: str,
    data: KycRequestIn,
    links: Links,
    author: Author,
    credit: credit_file.BureauAnswer | None = None,
) -> KycRequest:
    """A new request (``kyc-request-created``); a credit file it asks for is stored from the
    bureau's answer (``requests.consult_credit_bureau``, asked before this transaction) as a
    decided document, which may fulfil the request at once."""
    request = requests.create(session, organization_id, data, links, author)
    if requests.asks_for_credit_file(data):
        if credit is None:
            raise ValueError("a credit file was asked for and the bureau was not consulted")
        customer = customers.find(session, organization_id, request.customer_id)
        assert customer is not None, "the request was just made for this customer"
        document, decided = credit_file.decided_document(request, customer, credit)
        documents.add_decided(session, document, links, decided, credit.consulted, author)
    return request


def patch(
    session: Session,
    organization_id: str,
    request_id: str,
    data: KycRequestPatch,
    links: Links,
    author: Author,
) -> KycRequest:
    """Change an open request (``kyc-request-modified``); what it asks for may change, so its
    status is derived again from its documents."""
    request, changed = requests.patch(session, organization_id, request_id, data, links, author)
    if changed:
        documents.settle_request(session, request, links, clock.now(), author)
    return request


def withdraw(
    session: Session, organization_id: str, request_id: str, links: Links, author: Author
) -> None:
    """Withdraw the request: its undecided documents are archived, the decided ones stay for
    the record, then its link stops working (``kyc-request-deleted``)."""
    request = requests.get(session, organization_id, request_id, for_update=True)
    documents.archive_undecided(session, request, links, author)
    requests.delete(session, request, links, author)


def expire_due(
    session: Session, links: Links, now: datetime | None = None, limit: int = 500
) -> int:
    """Move requests past their expiration to abandoned (documents provided) or expired;
    returns how many moved. Safe to run from any number of processes at once: each request
    is locked by one."""
    now = now or clock.now()
    moved = 0
    for request in requests.due_for_expiry(session, now, limit):
        if documents.settle_request(session, request, links, now, SYSTEM):
            moved += 1
    return moved
