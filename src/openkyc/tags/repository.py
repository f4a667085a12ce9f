from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, select

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import CustomerTag, KycDocumentTag, Tag
from openkyc.db.repository import TenantRepository

FIELDS = FieldSet.of(
    Field("id", Tag.id),
    Field("name", Tag.name, "text"),
    Field("type", Tag.type),
    Field("createdTime", Tag.created_time, "datetime"),
    Field("updatedTime", Tag.updated_time, "datetime"),
)


class TagRepository(TenantRepository[Tag]):
    model = Tag
    fields = FIELDS
    default_sort = ("name",)

    def by_name(self, name: str) -> Tag | None:
        statement = self.scoped().where(func.lower(Tag.name) == name.lower())
        return self.session.scalars(statement).one_or_none()

    def document_tag_ids(self, tag: Tag, document_ids: Sequence[str]) -> set[str]:
        statement = select(KycDocumentTag.kyc_document_id).where(
            KycDocumentTag.organization_id == self.organization_id,
            KycDocumentTag.tag_id == tag.id,
            KycDocumentTag.kyc_document_id.in_(document_ids),
        )
        return set(self.session.scalars(statement))

    def tag_documents(self, tag: Tag, document_ids: Sequence[str]) -> None:
        for document_id in document_ids:
            self.session.add(
                KycDocumentTag(
                    organization_id=self.organization_id, kyc_document_id=document_id, tag_id=tag.id
                )
            )
        self.session.flush()

    def untag_documents(self, tag: Tag, document_ids: Sequence[str]) -> None:
        self.session.execute(
            delete(KycDocumentTag).where(
                KycDocumentTag.organization_id == self.organization_id,
                KycDocumentTag.tag_id == tag.id,
                KycDocumentTag.kyc_document_id.in_(document_ids),
            )
        )

    def customer_tag_ids(self, tag: Tag, customer_ids: Sequence[str]) -> set[str]:
        statement = select(CustomerTag.customer_id).where(
            CustomerTag.organization_id == self.organization_id,
            CustomerTag.tag_id == tag.id,
            CustomerTag.customer_id.in_(customer_ids),
        )
        return set(self.session.scalars(statement))

    def tag_customers(self, tag: Tag, customer_ids: Sequence[str]) -> None:
        for customer_id in customer_ids:
            self.session.add(
                CustomerTag(
                    organization_id=self.organization_id, customer_id=customer_id, tag_id=tag.id
                )
            )
        self.session.flush()

    def untag_customers(self, tag: Tag, customer_ids: Sequence[str]) -> None:
        self.session.execute(
            delete(CustomerTag).where(
                CustomerTag.organization_id == self.organization_id,
                CustomerTag.tag_id == tag.id,
                CustomerTag.customer_id.in_(customer_ids),
            )
        )

    def copy_customer_tags(self, customer_id: str, target_customer_id: str) -> int:
        """Give the target every tag of the customer it lacks; how many it gained."""

        def tag_ids(of: str) -> set[str]:
            statement = select(CustomerTag.tag_id).where(
                CustomerTag.organization_id == self.organization_id,
                CustomerTag.customer_id == of,
            )
            return set(self.session.scalars(statement))

        missing = sorted(tag_ids(customer_id) - tag_ids(target_customer_id))
        for tag_id in missing:
            self.session.add(
                CustomerTag(
                    organization_id=self.organization_id,
                    customer_id=target_customer_id,
                    tag_id=tag_id,
                )
            )
        self.session.flush()
        return len(missing)

    def of_customers(self, customer_ids: Sequence[str]) -> dict[str, list[Tag]]:
        statement = (
            select(CustomerTag.customer_id, Tag)
            .join(
                Tag,
                and_(
                    Tag.organization_id == CustomerTag.organization_id, Tag.id == CustomerTag.tag_id
                ),
            )
            .where(
                CustomerTag.organization_id == self.organization_id,
                CustomerTag.customer_id.in_(customer_ids),
            )
            .order_by(Tag.name)
        )
        grouped: dict[str, list[Tag]] = defaultdict(list)
        for customer_id, tag in self.session.execute(statement):
            grouped[customer_id].append(tag)
        return grouped
