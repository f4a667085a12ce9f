"""Merging a duplicate customer into another: everything that names the duplicate moves to
the target customer, then the duplicate is deleted, all in the caller's transaction.

What moves: KYC requests (withdrawn ones too), KYC documents and their fingerprints,
liveness sessions, the files the customer uploaded through the gatherer, the attachments
linked to the customer, and the customer's tags (added to the target's). Each moved request
and document gets a new revision and its event; the target gets a new revision and
``customer-merged``. Events already written keep naming the duplicate: they are the record
of what happened to it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.aml.checks import service as aml_checks
from openkyc.attachments import service as attachments
from openkyc.customers.events import record_customer_event
from openkyc.customers.repository import CustomerRepository
from openkyc.db.models import Customer
from openkyc.errors import NotFound, ValidationFailed
from openkyc.events import types as event_types
from openkyc.files import service as files
from openkyc.kyc.documents import service as documents
from openkyc.kyc.liveness import service as liveness
from openkyc.kyc.requests import service as requests
from openkyc.tags import service as tags
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


def merge_into(
    session: Session, organization_id: str, customer_id: str, target_id: str, links: Links
) -> Customer:
    """Move everything of the customer to the target, delete the customer; the target."""
    source, target = _locked_pair(session, organization_id, customer_id, target_id)
    requests.move_to_customer(session, source, target, links)
    documents.move_to_customer(session, source, target, links, clock.now())
    liveness.move_to_customer(session, organization_id, source.id, target.id)
    files.move_uploads(session, organization_id, source.id, target.id)
    attachments.move_to_customer(session, organization_id, source.id, target.id)
    tags.copy_customer_tags(session, organization_id, source.id, target.id)
    aml_checks.move_to_customer(session, organization_id, source.id, target.id)
    CustomerRepository(session, organization_id).delete(source)
    target.touch()
    session.flush()
    record_customer_event(session, target, event_types.CUSTOMER_MERGED, links, source.id)
    return target
