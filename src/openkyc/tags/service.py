"""Rules for tags: one name per organization whatever the case, of one type."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.aml.checks import service as aml_checks
from openkyc.customers import service as customers
from openkyc.customers.events import record_customer_event
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import Tag
from openkyc.errors import Conflict, InvalidField, NotFound, ValidationFailed
from openkyc.events import types as event_types
from openkyc.kyc.documents import service as documents
from openkyc.tags.enums import TagType
from openkyc.tags.repository import TagRepository
from openkyc.tags.schemas import TagIn
from openkyc.wire import Links


def page(session: Session, organization_id: str, query: CollectionQuery) -> tuple[list[Tag], int]:
    return TagRepository(session, organization_id).page(query)


def get(session: Session, organization_id: str, name: str) -> Tag:
    tag = TagRepository(session, organization_id).by_name(name)
    if tag is None:
        raise NotFound.resource("Tag", name)
    return tag


def create(session: Session, organization_id: str, data: TagIn) -> Tag:
    repository = TagRepository(session, organization_id)
    if repository.by_name(data.name) is not None:
        raise Conflict(f"A tag named {data.name!r} exists already")
    now = clock.now()
    tag = Tag(
        id=new_id("tag"),
        organization_id=organization_id,
        name=data.name,
        type=data.type,
        revision=0,
        created_time=now,
        updated_time=now,
    )
    return repository.add(tag)


def rename(session: Session, organization_id: str, name: str, new_name: str) -> Tag:
    repository = TagRepository(session, organization_id)
    tag = get(session, organization_id, name)
    other = repository.by_name(new_name)
    if other is not None and other.id != tag.id:
        raise Conflict(f"A tag named {new_name!r} exists already")
    tag.name = new_name
    tag.touch()
    session.flush()
    return tag


def delete(session: Session, organization_id: str, name: str) -> None:
    TagRepository(session, organization_id).delete(get(session, organization_id, name))


def _tag_of_type(session: Session, organization_id: str, name: str, tag_type: TagType) -> Tag:
    """The tag to apply, created on first use; a tag of another type is refused."""
    tag = TagRepository(session, organization_id).by_name(name)
    if tag is None:
        return create(session, organization_id, TagIn(name=name, type=tag_type))
    if tag.type != tag_type:
        raise ValidationFailed.field(
            "tag", f"{tag.name!r} is a {tag.type} tag, not a {tag_type} tag"
        )
    return tag


def _missing(found: set[str], wanted: Sequence[str], field: str) -> list[InvalidField]:
    return [
        InvalidField(f"{field}.{i}", f"{w} was not found")
        for i, w in enumerate(wanted)
        if w not in found
    ]


def tag_documents(
    session: Session,
    organization_id: str,
    name: str,
    document_ids: Sequence[str],
    links: Links,
    *,
    add: bool,
) -> None:
    """Tag (or untag) documents; those already so are left alone. Each changed document gets a
    new revision and a ``kyc-document-modified`` event."""
    found = documents.find_many(session, organization_id, list(dict.fromkeys(document_ids)))
    problems = _missing({d.id for d in found}, document_ids, "kycDocumentIds")
    if problems:
        raise ValidationFailed(problems)
    tag = _tag_of_type(session, organization_id, name, TagType.KYC_DOCUMENT)
    repository = TagRepository(session, organization_id)
    have = repository.document_tag_ids(tag, [d.id for d in found])
    targets = [d for d in found if (d.id not in have) == add]
    if add:
        repository.tag_documents(tag, [d.id for d in targets])
    else:
        repository.untag_documents(tag, [d.id for d in targets])
    for document in targets:
        documents.changed(session, document, links, [event_types.KYC_DOCUMENT_MODIFIED])


def tag_customers(
    session: Session,
    organization_id: str,
    name: str,
    customer_ids: Sequence[str],
    links: Links,
    *,
    add: bool,
) -> None:
    """Tag (or untag) customers, each change with a new revision and ``customer-updated``."""
    found = customers.find_many(session, organization_id, list(dict.fromkeys(customer_ids)))
    problems = _missing({c.id for c in found}, customer_ids, "customerIds")
    if problems:
        raise ValidationFailed(problems)
    tag = _tag_of_type(session, organization_id, name, TagType.CUSTOMER)
    repository = TagRepository(session, organization_id)
    have = repository.customer_tag_ids(tag, [c.id for c in found])
    targets = [c for c in found if (c.id not in have) == add]
    if add:
        repository.tag_customers(tag, [c.id for c in targets])
    else:
        repository.untag_customers(tag, [c.id for c in targets])
    for customer in targets:
        customer.touch()
        session.flush()
        record_customer_event(session, customer, event_types.CUSTOMER_UPDATED, links)


def tag_document(
    session: Session, organization_id: str, name: str, document_id: str, links: Links, *, add: bool
) -> None:
    if documents.find(session, organization_id, document_id) is None:
        raise NotFound.resource("KYC document", document_id)
    tag_documents(session, organization_id, name, [document_id], links, add=add)


def tag_customer(
    session: Session, organization_id: str, name: str, customer_id: str, links: Links, *, add: bool
) -> None:
    if customers.find(session, organization_id, customer_id) is None:
        raise NotFound.resource("Customer", customer_id)
    tag_customers(session, organization_id, name, [customer_id], links, add=add)


def of_customers(
    session: Session, organization_id: str, customer_ids: Sequence[str]
) -> dict[str, list[Tag]]:
    return TagRepository(session, organization_id).of_customers(customer_ids)


def copy_customer_tags(
    session: Session, organization_id: str, customer_id: str, target_id: str
) -> int:
    """Give the target every tag of the customer it lacks; how many it gained."""
    return TagRepository(session, organization_id).copy_customer_tags(customer_id, target_id)


def tag_aml_checks(
    session: Session, organization_id: str, name: str, check_ids: Sequence[str], *, add: bool
) -> None:
    """Tag (or untag) AML checks; those already so are left alone, the others get a new
    revision."""
    found = aml_checks.get_many(session, organization_id, list(dict.fromkeys(check_ids)))
    problems = _missing({c.id for c in found}, check_ids, "amlCheckIds")
    if problems:
        raise ValidationFailed(problems)
    tag = _tag_of_type(session, organization_id, name, TagType.AML_CHECK)
    aml_checks.set_tag(session, organization_id, tag.id, found, add=add)


def tag_aml_check(
    session: Session, organization_id: str, name: str, check_id: str, *, add: bool
) -> None:
    aml_checks.get(session, organization_id, check_id)
    tag_aml_checks(session, organization_id, name, [check_id], add=add)
