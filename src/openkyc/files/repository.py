from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, exists, not_, select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page, text_search
from openkyc.db.models import File, FileTag


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


class FileRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, file_id: str) -> File | None:
        return self.session.get(File, (self.organization_id, file_id))

    def get_many(self, file_ids: Collection[str]) -> dict[str, File]:
        """The organization's files among these ids, by id (others' ids find nothing)."""
        statement = select(File).where(
            File.organization_id == self.organization_id, File.id.in_(list(file_ids))
        )
        return {file.id: file for file in self.session.scalars(statement)}

    def page(self, query: CollectionQuery) -> tuple[list[File], int]:
        statement = select(File).where(File.organization_id == self.organization_id)
        if query.q:
            statement = statement.where(text_search(query.q, File.name, File.description, File.id))
        return fetch_page(self.session, statement, FIELDS, query)

    def uploaded_by(self, customer_id: str) -> list[File]:
        """Files the customer uploaded through the gatherer."""
        statement = select(File).where(
            File.organization_id == self.organization_id, File.customer_id == customer_id
        )
        return list(self.session.scalars(statement))

    def storage_keys_among(self, keys: Collection[str]) -> set[str]:
        """Which of these storage keys the organization's files keep their bytes under."""
        statement = select(File.storage_key).where(
            File.organization_id == self.organization_id, File.storage_key.in_(list(keys))
        )
        return set(self.session.scalars(statement))

    def add(self, file: File) -> File:
        self.session.add(file)
        self.session.flush()
        return file

    def delete(self, file: File) -> None:
        self.session.delete(file)
        self.session.flush()
