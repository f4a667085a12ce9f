from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, exists, func, select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page
from openkyc.db.models import File, KycDocument, KycDocumentTag, Tag
from openkyc.files.repository import FileRepository


def _tagged(name: Any) -> ColumnElement[bool]:
    return exists(
        select(KycDocumentTag.tag_id)
        .join(
            Tag,
            and_(
                Tag.organization_id == KycDocumentTag.organization_id,
                Tag.id == KycDocumentTag.tag_id,
            ),
        )
        .where(
            KycDocumentTag.organization_id == KycDocument.organization_id,
            KycDocumentTag.kyc_document_id == KycDocument.id,
            func.lower(Tag.name) == str(name).lower(),
        )
    )


FIELDS = FieldSet.of(
    Field("id", KycDocument.id),
    Field("customerId", KycDocument.customer_id),
    Field("requestId", KycDocument.request_id),
    Field("documentType", KycDocument.document_type),
    Field("documentSubtype", KycDocument.document_subtype, sortable=False),
    Field("status", KycDocument.status),
    Field("tags", KycDocument.id, "text", sortable=False, matcher=_tagged),
    Field("createdTime", KycDocument.created_time, "datetime"),
    Field("updatedTime", KycDocument.updated_time, "datetime"),
)


class KycDocumentRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def _mine(self) -> Select[KycDocument]:
        return select(KycDocument).where(KycDocument.organization_id == self.organization_id)

    def get(self, document_id: str, *, for_update: bool = False) -> KycDocument | None:
        statement = self._mine().where(KycDocument.id == document_id)
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).one_or_none()

    def get_many(self, document_ids: Sequence[str]) -> list[KycDocument]:
        return list(self.session.scalars(self._mine().where(KycDocument.id.in_(document_ids))))

    def ids_backed_by_file(self, file_id: str) -> list[str]:
        """The documents (any status, archived ones too) whose evidence includes the file."""
        # The ids in `file_ids` are JSON strings: match the quoted id in the stored text.
        escaped = file_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = (
            select(KycDocument.id)
            .where(
                KycDocument.organization_id == self.organization_id,
                cast(KycDocument.file_ids, Text).like(f'%"{escaped}"%', escape="\\"),
            )
            .order_by(KycDocument.id)
        )
        return list(self.session.scalars(statement))

    def for_request(self, request_id: str) -> list[KycDocument]:
        statement = (
            self._mine()
            .where(KycDocument.request_id == request_id)
            .order_by(KycDocument.created_time)
        )
        return list(self.session.scalars(statement))

    def for_requests(self, request_ids: Sequence[str]) -> dict[str, list[KycDocument]]:
        grouped: dict[str, list[KycDocument]] = defaultdict(list)
        statement = (
            self._mine()
            .where(KycDocument.request_id.in_(request_ids))
            .order_by(KycDocument.created_time)
        )
        for document in self.session.scalars(statement):
            grouped[document.request_id or ""].append(document)
        return grouped

    def for_customer(self, customer_id: str) -> list[KycDocument]:
        return list(
            self.session.scalars(self._mine().where(KycDocument.customer_id == customer_id))
        )

    def page(self, query: CollectionQuery) -> tuple[list[KycDocument], int]:
        return fetch_page(self.session, self._mine(), FIELDS, query)

    def add(self, document: KycDocument) -> KycDocument:
        self.session.add(document)
        self.session.flush()
        return document

    def tags_of(self, document_ids: Sequence[str]) -> dict[str, list[Tag]]:
        statement = (
            select(KycDocumentTag.kyc_document_id, Tag)
            .join(
                Tag,
                and_(
                    Tag.organization_id == KycDocumentTag.organization_id,
                    Tag.id == KycDocumentTag.tag_id,
                ),
            )
            .where(
                KycDocumentTag.organization_id == self.organization_id,
                KycDocumentTag.kyc_document_id.in_(document_ids),
            )
            .order_by(Tag.name)
        )
        grouped: dict[str, list[Tag]] = defaultdict(list)
        for document_id, tag in self.session.execute(statement):
            grouped[document_id].append(tag)
        return grouped

    def files(self, file_ids: Sequence[str]) -> dict[str, File]:
        """The organization's files among these ids (a KYC document may only point at its own)."""
        return FileRepository(self.session, self.organization_id).get_many(file_ids)
