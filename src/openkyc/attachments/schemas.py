from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from openkyc.attachments.enums import RelatedType
from openkyc.db.models import Attachment
from openkyc.wire import Link, ResourceId, Timestamp, WireModel, embedded_field, links_field

# Rebilly lets a file be attached to many kinds of its resources; openkyc keeps only these two.
# The others (payments, invoices, disputes, …) have no record here to attach a file to.
STORED_RELATED_TYPES: tuple[str, ...] = tuple(RelatedType)
ELSEWHERE_RELATED_TYPES = frozenset(
    {
        "customer-timeline-comment",
        "dispute",
        "gateway-timeline-comment",
        "invoice",
        "invoice-timeline-comment",
        "order-timeline-comment",
        "payment",
        "plan",
        "product",
        "subscription",
        "transaction",
        "transaction-timeline-comment",
    }
)


def _stored_type(value: Any) -> Any:
    """Say plainly why a type Rebilly knows is refused, rather than only listing ours."""
    if isinstance(value, str) and value in ELSEWHERE_RELATED_TYPES:
        choices = " or ".join(STORED_RELATED_TYPES)
        raise ValueError(f"openkyc keeps no {value} records; attach files to a {choices}")
    return value


RelatedTypeIn = Annotated[RelatedType, BeforeValidator(_stored_type)]
Text255 = Annotated[str, StringConstraints(max_length=255)]


class AttachmentIn(WireModel):
    """What a client says of an attachment; read-only fields sent back are ignored."""

    fileId: ResourceId = Field(description="The organization's file to attach.")
    relatedType: RelatedTypeIn = Field(
        description="What the file is attached to: one of the organization's customers, or "
        "the organization itself."
    )
    relatedId: ResourceId = Field(
        description="The customer's id, or the organization's own id for `organization`."
    )
    name: Text255 | None = Field(
        default=None, description="A name for the attachment; the file's name when left out."
    )
    description: Text255 | None = None


class AttachmentOut(WireModel):
    id: str
    fileId: str
    relatedType: RelatedType
    relatedId: str
    name: str
    description: str
    revision: int
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()
    embedded: dict[str, Any] | None = embedded_field()

    @classmethod
    def of(
        cls, attachment: Attachment, links: list[Link], embedded: dict[str, Any] | None = None
    ) -> AttachmentOut:
        return cls(
            id=attachment.id,
            fileId=attachment.file_id,
            relatedType=attachment.related_type,
            relatedId=attachment.related_id,
            name=attachment.name,
            description=attachment.description,
            revision=attachment.revision,
            createdTime=attachment.created_time,
            updatedTime=attachment.updated_time,
            links=links,
            embedded=embedded,
        )
