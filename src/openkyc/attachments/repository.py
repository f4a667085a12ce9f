from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page, text_search
from openkyc.db.models import Attachment

FIELDS = FieldSet.of(
    Field("id", Attachment.id),
    Field("fileId", Attachment.file_id),
    Field("relatedType", Attachment.related_type),
    Field("relatedId", Attachment.related_id),
    Field("name", Attachment.name, "text"),
    Field("createdTime", Attachment.created_time, "datetime"),
    Field("updatedTime", Attachment.updated_time, "datetime"),
)


class AttachmentRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, attachment_id: str) -> Attachment | None:
        return self.session.get(Attachment, (self.organization_id, attachment_id))

    def page(self, query: CollectionQuery) -> tuple[list[Attachment], int]:
        statement = select(Attachment).where(Attachment.organization_id == self.organization_id)
        if query.q:
            columns = (Attachment.name, Attachment.description, Attachment.id)
            statement = statement.where(text_search(query.q, *columns))
        return fetch_page(self.session, statement, FIELDS, query)

    def related_to(self, related_type: str, related_id: str) -> list[Attachment]:
        statement = select(Attachment).where(
            Attachment.organization_id == self.organization_id,
            Attachment.related_type == related_type,
            Attachment.related_id == related_id,
        )
        return list(self.session.scalars(statement))

    def add(self, attachment: Attachment) -> Attachment:
        self.session.add(attachment)
        self.session.flush()
        return attachment

    def delete(self, attachment: Attachment) -> None:
        self.session.delete(attachment)
        self.session.flush()
