"""Rules for tags: one name per organization whatever the case, of one type."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import Tag
from openkyc.errors import Conflict, NotFound, ValidationFailed
from openkyc.tags.enums import TagType
from openkyc.tags.repository import TagRepository
from openkyc.tags.schemas import TagIn


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


def of_type(session: Session, organization_id: str, name: str, tag_type: TagType) -> Tag:
    """The tag to apply, created on first use; a tag of another type is refused."""
    tag = TagRepository(session, organization_id).by_name(name)
    if tag is None:
        return create(session, organization_id, TagIn(name=name, type=tag_type))
    if tag.type != tag_type:
        raise ValidationFailed.field(
            "tag", f"{tag.name!r} is a {tag.type} tag, not a {tag_type} tag"
        )
    return tag


def set_on(
    session: Session, organization_id: str, tag: Tag, resource_ids: Sequence[str], *, add: bool
) -> set[str]:
    """Tag (or untag) customers or KYC documents (by the tag's type); those already so are
    left alone. The ids that changed."""
    repository = TagRepository(session, organization_id)
    documents = tag.type == TagType.KYC_DOCUMENT
    tagged = repository.document_tag_ids if documents else repository.customer_tag_ids
    have = tagged(tag, resource_ids)
    changed = [i for i in resource_ids if (i not in have) == add]
    if add:
        (repository.tag_documents if documents else repository.tag_customers)(tag, changed)
    else:
        (repository.untag_documents if documents else repository.untag_customers)(tag, changed)
    return set(changed)


def of_customers(
    session: Session, organization_id: str, customer_ids: Sequence[str]
) -> dict[str, list[Tag]]:
    return TagRepository(session, organization_id).of_customers(customer_ids)


def copy_customer_tags(
    session: Session, organization_id: str, customer_id: str, target_id: str
) -> int:
    """Give the target every tag of the customer it lacks; how many it gained."""
    return TagRepository(session, organization_id).copy_customer_tags(customer_id, target_id)
