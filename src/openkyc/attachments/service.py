"""Rules for attachments: the file and the resource it is attached to must both be the
organization's own; every change is a revision; detaching never touches the file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc.attachments.enums import RelatedType
from openkyc.attachments.repository import AttachmentRepository
from openkyc.attachments.schemas import AttachmentIn
from openkyc.customers import service as customers
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import Attachment, File
from openkyc.errors import InvalidField, NotFound, ValidationFailed
from openkyc.files import service as files


def _related_problem(session: Session, organization_id: str, data: AttachmentIn) -> str | None:
    """Why ``relatedId`` names nothing of the organization's, or None when it does."""
    if data.relatedType == "organization":
        if data.relatedId != organization_id:
            return f"must be this organization's own id, not {data.relatedId}"
        return None
    if customers.find(session, organization_id, data.relatedId) is None:
        return f"no customer {data.relatedId} in this organization"
    return None


def _checked_file(session: Session, organization_id: str, data: AttachmentIn) -> File:
    """The file to attach, once the file and the related resource are both found."""
    file = files.find(session, organization_id, data.fileId)
    problems = []
    if file is None:
        problems.append(InvalidField("fileId", f"no file {data.fileId} in this organization"))
    related = _related_problem(session, organization_id, data)
    if related is not None:
        problems.append(InvalidField("relatedId", related))
    if problems or file is None:
        raise ValidationFailed(problems)
    return file


def _apply(attachment: Attachment, data: AttachmentIn, file: File) -> bool:
    """Write the client's data onto the row; True when anything changed."""
    values = {
        "file_id": data.fileId,
        "related_type": data.relatedType,
        "related_id": data.relatedId,
        "name": file.name if data.name is None else data.name,
        "description": data.description or "",
    }
    return attachment.assign(values)


def create(
    session: Session, organization_id: str, data: AttachmentIn, attachment_id: str = ""
) -> Attachment:
    file = _checked_file(session, organization_id, data)
    attachment = Attachment(
        id=attachment_id or new_id("att"), organization_id=organization_id, revision=0
    )
    _apply(attachment, data, file)
    return AttachmentRepository(session, organization_id).add(attachment)


def upsert(
    session: Session, organization_id: str, attachment_id: str, data: AttachmentIn
) -> tuple[Attachment, bool]:
    """Replace the attachment with this id, or create it; returns (attachment, created)."""
    attachment = AttachmentRepository(session, organization_id).get(attachment_id)
    if attachment is None:
        return create(session, organization_id, data, attachment_id), True
    if _apply(attachment, data, _checked_file(session, organization_id, data)):
        attachment.touch()
        session.flush()
    return attachment, False


def get(session: Session, organization_id: str, attachment_id: str) -> Attachment:
    attachment = AttachmentRepository(session, organization_id).get(attachment_id)
    if attachment is None:
        raise NotFound.resource("Attachment", attachment_id)
    return attachment


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[Attachment], int]:
    return AttachmentRepository(session, organization_id).page(query)


def delete(session: Session, organization_id: str, attachment_id: str) -> None:
    """Detach: the attachment goes, the file stays."""
    attachment = get(session, organization_id, attachment_id)
    AttachmentRepository(session, organization_id).delete(attachment)


def move_to_customer(
    session: Session, organization_id: str, customer_id: str, target_id: str
) -> None:
    """Attachments linked to the customer link to the target customer."""
    repository = AttachmentRepository(session, organization_id)
    for attachment in repository.related_to(RelatedType.CUSTOMER, customer_id):
        attachment.related_id = target_id
        attachment.touch()
    session.flush()
