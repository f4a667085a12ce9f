"""Merging a duplicate customer into another: everything that names the duplicate moves to
the target customer, then the duplicate is deleted, all in the caller's transaction.

What moves: KYC requests (withdrawn ones too), KYC documents and their fingerprints,
liveness sessions, the files the customer uploaded through the gatherer, the attachments
linked to the customer, and the customer's tags (added to the target's). Each moved request
and document gets a new revision and its event; the target gets a new revision and
``customer-merged``. Events already written keep naming the duplicate: they are the record
of what happened to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.aml.checks import service as aml_checks
from openkyc.attachments.repository import AttachmentRepository
from openkyc.customers.events import record_customer_event
from openkyc.customers.repository import CustomerRepository
from openkyc.db.models import Customer, File, KycLivenessSession
from openkyc.errors import NotFound, ValidationFailed
from openkyc.events import types as event_types
from openkyc.files.repository import FileRepository
from openkyc.kyc.documents import service as documents
from openkyc.kyc.documents.fingerprints import FingerprintRepository
from openkyc.kyc.documents.repository import KycDocumentRepository
from openkyc.kyc.liveness.repository import LivenessRepository
from openkyc.kyc.requests.repository import KycRequestRepository
from openkyc.kyc.requests.sync import record_request_event
from openkyc.tags.repository import TagRepository
from openkyc.wire import Links

TARGET = "targetCustomerId"


def _locked_pair(
    session: Session, organization_id: str, customer_id: str, target_id: str
) -> tuple[Customer, Customer]:
    """The duplicate and the target, locked (in id order, so two merges cannot deadlock) so
    that nothing is added to the duplicate while it moves, nor the target deleted."""
    repository = CustomerRepository(session, organization_id)
    if target_id == customer_id:
        if repository.get(customer_id) is None:
            raise NotFound.resource("Customer", customer_id)
        raise ValidationFailed.field(TARGET, "must be another customer than the one deleted")
    locked = {i: repository.get(i, for_update=True) for i in sorted({customer_id, target_id})}
    source, target = locked[customer_id], locked[target_id]
    if source is None:
        raise NotFound.resource("Customer", customer_id)
    if target is None:
        raise ValidationFailed.field(TARGET, f"no customer {target_id} in this organization")
    return source, target


def _move_requests(session: Session, source: Customer, target: Customer, links: Links) -> None:
    repository = KycRequestRepository(session, source.organization_id)
    for request in repository.withdrawn_for_customer(source.id):
        request.customer_id = target.id
    for request in repository.for_customer(source.id):
        request.customer_id = target.id
        request.touch()
        session.flush()
        record_request_event(session, request, event_types.KYC_REQUEST_MODIFIED, links, target)


def _move_documents(
    session: Session, source: Customer, target: Customer, links: Links, now: datetime
) -> None:
    organization_id = source.organization_id
    for document in KycDocumentRepository(session, organization_id).for_customer(source.id):
        document.customer_id = target.id
        # A new revision, kyc-document-modified, and the target's KYC flag re-derived.
        documents.changed(session, document, links, [event_types.KYC_DOCUMENT_MODIFIED], now)
    FingerprintRepository(session, organization_id).reassign(source.id, target.id)


def _move_the_rest(session: Session, source: Customer, target: Customer) -> None:
    organization_id = source.organization_id
    moved: list[KycLivenessSession | File] = [
        *LivenessRepository(session, organization_id).for_customer(source.id),
        *FileRepository(session, organization_id).uploaded_by(source.id),
    ]
    for row in moved:
        row.customer_id = target.id
        row.touch()
    for attachment in AttachmentRepository(session, organization_id).related_to(
        "customer", source.id
    ):
        attachment.related_id = target.id
        attachment.touch()
    session.flush()
    TagRepository(session, organization_id).copy_customer_tags(source.id, target.id)
    aml_checks.move_to_customer(session, organization_id, source.id, target.id)


def merge_into(
    session: Session, organization_id: str, customer_id: str, target_id: str, links: Links
) -> Customer:
    """Move everything of the customer to the target, delete the customer; the target."""
    source, target = _locked_pair(session, organization_id, customer_id, target_id)
    _move_requests(session, source, target, links)
    _move_documents(session, source, target, links, clock.now())
    _move_the_rest(session, source, target)
    CustomerRepository(session, organization_id).delete(source)
    target.touch()
    session.flush()
    record_customer_event(session, target, event_types.CUSTOMER_MERGED, links, source.id)
    return target
