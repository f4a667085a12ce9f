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
from openkyc.customers import service as customers
from openkyc.customers.events import record_customer_event
from openkyc.db.models import Customer
from openkyc.events import types as event_types
from openkyc.files import service as files
from openkyc.kyc.documents import service as documents
from openkyc.kyc.liveness import service as liveness
from openkyc.kyc.requests import service as requests
from openkyc.tags import service as tags
from openkyc.timeline.authors import Author
from openkyc.wire import Links

TARGET = "targetCustomerId"


def merge_into(
    session: Session,
    organization_id: str,
    customer_id: str,
    target_id: str,
    links: Links,
    author: Author,
) -> Customer:
    """Move everything of the customer to the target, delete the customer; the target."""
    source, target = customers.lock_for_merge(
        session, organization_id, customer_id, target_id, TARGET
    )
    requests.move_to_customer(session, source, target, links, author)
    documents.move_to_customer(session, source, target, links, clock.now(), author)
    liveness.move_to_customer(session, organization_id, source.id, target.id)
    files.move_uploads(session, organization_id, source.id, target.id)
    attachments.move_to_customer(session, organization_id, source.id, target.id)
    tags.copy_customer_tags(session, organization_id, source.id, target.id)
    aml_checks.move_to_customer(session, organization_id, source.id, target.id)
    customers.delete(session, source)
    target.touch()
    session.flush()
    record_customer_event(session, target, event_types.CUSTOMER_MERGED, links, source.id)
    return target
