from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, exists, not_

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import File, FileTag
from openkyc.db.repository import TenantRepository


def _tagged(name: Any) -> ColumnElement[bool]:
    """Files carrying the tag ``name``; ``tags:null`` matches files without any tag."""
    same_file = exists().where(
        FileTag.organization_id == File.organization_id, FileTag.file_id == File.id
    )
    if name is None:
        return not_(same_file)
    return same_file.where(FileTag.name == name)


FIELDS = FieldSet.of(
    Field("id", File.id),
    Field("name", File.name, "text"),
    Field("description", File.description, "text"),
    Field("extension", File.extension),
    Field("mime", File.mime),
    Field("size", File.size, "integer"),
    Field("sha1", File.sha1),
    Field("tags", FileTag.name, sortable=False, matcher=_tagged),
    Field("sourceType", File.source_type),
    Field("isPublic", File.is_public, "boolean"),
    Field("createdTime", File.created_time, "datetime"),
    Field("updatedTime", File.updated_time, "datetime"),
)


class FileRepository(TenantRepository[File]):
    model = File
    fields = FIELDS
    search = (File.name, File.description, File.id)

    def by_id(self, file_ids: Collection[str]) -> dict[str, File]:
        """The organization's files among these ids, by id (others' ids find nothing)."""
        return {file.id: file for file in self.get_many(file_ids)}

    def uploaded_by(self, customer_id: str) -> list[File]:
        """Files the customer uploaded through the gatherer."""
        statement = self.scoped().where(File.customer_id == customer_id)
        return list(self.session.scalars(statement))

    def storage_keys_among(self, keys: Collection[str]) -> set[str]:
        """Which of these storage keys the organization's files keep their bytes under."""
        statement = (
            self.scoped()
            .with_only_columns(File.storage_key)
            .where(File.storage_key.in_(list(keys)))
        )
        return set(self.session.scalars(statement))
