from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from pydantic import Field, StringConstraints

from openkyc.db.models import Tag
from openkyc.tags.enums import TagType
from openkyc.wire import Link, Links, ResourceId, Timestamp, WireModel, links_field

# ASCII letters as JSON Schema (and Rebilly's document) read `\w`.
TAG_PATTERN = r"^[@~\-.A-Za-z0-9_\s+]+$"
TagName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=TAG_PATTERN)]


class TagIn(WireModel):
    name: TagName
    type: TagType


class TagRename(WireModel):
    name: TagName


class KycDocumentIds(WireModel):
    kycDocumentIds: Annotated[list[ResourceId], Field(min_length=1, max_length=1000)]


class AmlCheckIds(WireModel):
    amlCheckIds: Annotated[list[ResourceId], Field(min_length=1, max_length=1000)]


class CustomerIds(WireModel):
    customerIds: Annotated[list[ResourceId], Field(min_length=1, max_length=1000)]


class TagOut(WireModel):
    id: str
    name: str
    type: TagType
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(cls, tag: Tag, links: Links) -> TagOut:
        return cls(
            id=tag.id,
            name=tag.name,
            type=tag.type,
            createdTime=tag.created_time,
            updatedTime=tag.updated_time,
            links=[Link(rel="self", href=links.href("tags", quote(tag.name)))],
        )
