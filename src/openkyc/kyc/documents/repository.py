from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, exists, func, select

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import KycDocument, KycDocumentTag, Tag
from openkyc.db.repository import TenantRepository


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


class KycDocumentRepository(TenantRepository[KycDocument]):
    model = KycDocument
    fields = FIELDS

    def get(self, document_id: str, *, for_update: bool = False) -> KycDocument | None:
        return self.get_scoped(document_id, for_update=for_update)

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
            self.scoped()
            .where(KycDocument.request_id == request_id)
            .order_by(KycDocument.created_time)
        )
        return list(self.session.scalars(statement))

    def for_requests(self, request_ids: Sequence[str]) -> dict[str, list[KycDocument]]:
        grouped: dict[str, list[KycDocument]] = defaultdict(list)
        statement = (
            self.scoped()
            .where(KycDocument.request_id.in_(request_ids))
            .order_by(KycDocument.created_time)
        )
        for document in self.session.scalars(statement):
            grouped[document.request_id or ""].append(document)
        return grouped

    def for_customer(self, customer_id: str) -> list[KycDocument]:
        return list(
            self.session.scalars(self.scoped().where(KycDocument.customer_id == customer_id))
        )

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
