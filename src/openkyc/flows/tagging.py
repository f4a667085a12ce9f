"""Tagging customers, KYC documents and AML checks: the tag (made on first use) is applied,
and each tagged resource gets a new revision and its event."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from openkyc.aml.checks import service as aml_checks
from openkyc.customers import service as customers
from openkyc.customers.events import record_customer_event
from openkyc.db.models import Customer, KycDocument
from openkyc.errors import InvalidField, NotFound, ValidationFailed
from openkyc.events import types as event_types
from openkyc.kyc.documents import service as documents
from openkyc.tags import service as tags
from openkyc.tags.enums import TagType
from openkyc.timeline.authors import Author
from openkyc.wire import Links


def _ensure_found(found: set[str], wanted: Sequence[str], field: str) -> None:
    problems = [
        InvalidField(f"{field}.{i}", f"{w} was not found")
        for i, w in enumerate(wanted)
        if w not in found
    ]
    if problems:
        raise ValidationFailed(problems)


def tag_many(
    session: Session,
    organization_id: str,
    name: str,
    kind: TagType,
    resource_ids: Sequence[str],
    links: Links,
    author: Author,
    *,
    add: bool,
) -> None:
    """Tag (or untag) customers or KYC documents (by the tag's ``kind``); those already so are
    left alone. Each changed one gets a new revision and its event (``customer-updated``,
    ``kyc-document-modified``)."""
    wanted = list(dict.fromkeys(resource_ids))
    found: Sequence[Customer | KycDocument]
    if kind == TagType.KYC_DOCUMENT:
        found, field = documents.find_many(session, organization_id, wanted), "kycDocumentIds"
    else:
        found, field = customers.find_many(session, organization_id, wanted), "customerIds"
    _ensure_found({r.id for r in found}, resource_ids, field)
    tag = tags.of_type(session, organization_id, name, kind)
    changed = tags.set_on(session, organization_id, tag, [r.id for r in found], add=add)
    for resource in found:
        if resource.id in changed:
            _announce(session, resource, links, author)


def _announce(
    session: Session, resource: Customer | KycDocument, links: Links, author: Author
) -> None:
    if isinstance(resource, KycDocument):
        documents.retagged(session, resource, links, author)
        return
    resource.touch()
    session.flush()
    record_customer_event(session, resource, event_types.CUSTOMER_UPDATED, links)


def tag_one(
    session: Session,
    organization_id: str,
    name: str,
    kind: TagType,
    resource_id: str,
    links: Links,
    author: Author,
    *,
    add: bool,
) -> None:
    """Tag (or untag) one customer or KYC document (by the tag's ``kind``); a missing one is
    not found (404), where a list of them names the missing ones (422)."""
    if kind == TagType.KYC_DOCUMENT:
        if documents.find(session, organization_id, resource_id) is None:
            raise NotFound.resource("KYC document", resource_id)
        tag_many(session, organization_id, name, kind, [resource_id], links, author, add=add)
    else:
        if customers.find(session, organization_id, resource_id) is None:
            raise NotFound.resource("Customer", resource_id)
        tag_many(session, organization_id, name, kind, [resource_id], links, author, add=add)


def tag_aml_checks(
    session: Session, organization_id: str, name: str, check_ids: Sequence[str], *, add: bool
) -> None:
    """Tag (or untag) AML checks; those already so are left alone, the others get a new
    revision."""
    found = aml_checks.get_many(session, organization_id, list(dict.fromkeys(check_ids)))
    _ensure_found({c.id for c in found}, check_ids, "amlCheckIds")
    tag = tags.of_type(session, organization_id, name, TagType.AML_CHECK)
    aml_checks.set_tag(session, organization_id, tag.id, found, add=add)


def tag_aml_check(
    session: Session, organization_id: str, name: str, check_id: str, *, add: bool
) -> None:
    aml_checks.get(session, organization_id, check_id)
    tag_aml_checks(session, organization_id, name, [check_id], add=add)
