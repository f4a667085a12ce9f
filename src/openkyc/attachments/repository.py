from __future__ import annotations

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import Attachment
from openkyc.db.repository import TenantRepository

FIELDS = FieldSet.of(
    Field("id", Attachment.id),
    Field("fileId", Attachment.file_id),
    Field("relatedType", Attachment.related_type),
    Field("relatedId", Attachment.related_id),
    Field("name", Attachment.name, "text"),
    Field("createdTime", Attachment.created_time, "datetime"),
    Field("updatedTime", Attachment.updated_time, "datetime"),
)


class AttachmentRepository(TenantRepository[Attachment]):
    model = Attachment
    fields = FIELDS
    search = (Attachment.name, Attachment.description, Attachment.id)

    def related_to(self, related_type: str, related_id: str) -> list[Attachment]:
        statement = self.scoped().where(
            Attachment.related_type == related_type, Attachment.related_id == related_id
        )
        return list(self.session.scalars(statement))
