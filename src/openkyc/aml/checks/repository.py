from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, insert, or_, select

from openkyc.aml.enums import BOT, AmlCheckStatus
from openkyc.db.collection import Field, FieldSet, filter_clause
from openkyc.db.models import (
    AmlCheck,
    AmlCheckDecision,
    AmlCheckTag,
    AmlCustomerKey,
    AmlSuppression,
    Tag,
)
from openkyc.db.repository import TenantRepository


def _tagged(name: Any) -> ColumnElement[bool]:
    return exists(
        select(AmlCheckTag.tag_id)
        .join(
            Tag,
            and_(Tag.organization_id == AmlCheckTag.organization_id, Tag.id == AmlCheckTag.tag_id),
        )
        .where(
            AmlCheckTag.organization_id == AmlCheck.organization_id,
            AmlCheckTag.aml_check_id == AmlCheck.id,
            func.lower(Tag.name) == str(name).lower(),
        )
    )


FIELDS = FieldSet.of(
    Field("id", AmlCheck.id),
    Field("customerId", AmlCheck.customer_id),
    Field("status", AmlCheck.status),
    Field("source", AmlCheck.source),
    Field("priority", AmlCheck.priority),
    Field("websiteId", AmlCheck.website_id, sortable=False),
    Field("reviewerId", AmlCheck.reviewer_id, sortable=False),
    Field("tags", AmlCheck.id, "text", sortable=False, matcher=_tagged),
    Field("createdTime", AmlCheck.created_time, "datetime"),
    Field("updatedTime", AmlCheck.updated_time, "datetime"),
    Field("reviewTime", AmlCheck.review_time, "datetime"),
)


class AmlCheckRepository(TenantRepository[AmlCheck]):
    model = AmlCheck
    fields = FIELDS

    def latest_for(self, customer_id: str) -> AmlCheck | None:
        statement = (
            self.scoped()
            .where(AmlCheck.customer_id == customer_id)
            .order_by(AmlCheck.created_time.desc(), AmlCheck.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def reviewed_like(
        self,
        customer_id: str,
        customer_digest: str,
        person_key: str | None,
        phone_key: str | None,
        limit: int,
    ) -> list[tuple[AmlCheck, datetime]]:
        """The latest checks a person decided (with the time of the decision in force) of
        the customer screened with the same data, or of another customer with the same
        person's key or phone key; the latest decision first."""
        same = [
            and_(AmlCheck.customer_id == customer_id, AmlCheck.customer_digest == customer_digest)
        ]
        for column, key in ((AmlCheck.person_key, person_key), (AmlCheck.phone_key, phone_key)):
            if key is not None:
                same.append(and_(AmlCheck.customer_id != customer_id, column == key))
        statement = (
            select(AmlCheck, AmlCheckDecision.created_time)
            .join(
                AmlCheckDecision,
                and_(
                    AmlCheckDecision.organization_id == AmlCheck.organization_id,
                    AmlCheckDecision.id == AmlCheck.decision_id,
                ),
            )
            .where(
                AmlCheck.organization_id == self.organization_id,
                AmlCheck.status.in_(
                    [AmlCheckStatus.CONFIRMED_MATCH, AmlCheckStatus.FALSE_POSITIVE]
                ),
                AmlCheckDecision.author_kind != BOT,
                or_(*same),
            )
            .order_by(AmlCheckDecision.created_time.desc(), AmlCheck.id.desc())
            .limit(limit)
        )
        return [(check, decided) for check, decided in self.session.execute(statement)]

    def for_customer(self, customer_id: str) -> list[AmlCheck]:
        statement = (
            self.scoped()
            .where(AmlCheck.customer_id == customer_id)
            .order_by(AmlCheck.created_time, AmlCheck.id)
        )
        return list(self.session.scalars(statement))

    def in_period(
        self, start: datetime, end: datetime, filter_text: str | None = None
    ) -> list[tuple[datetime, str, int, bool]]:
        """(created, status, number of hits, whether its status was inherited) of the
        checks made in the period."""
        length = func.json_array_length
        if self.session.get_bind().dialect.name == "postgresql":
            length = func.jsonb_array_length
        statement = (
            select(
                AmlCheck.created_time,
                AmlCheck.status,
                length(AmlCheck.hits),
                AmlCheck.inherited_from_id,
            )
            .where(self._made_in(start, end, filter_text))
            .order_by(AmlCheck.created_time)
        )
        return [
            (created, status, int(n or 0), source is not None)
            for created, status, n, source in self.session.execute(statement)
        ]

    def inherited_reasons_in_period(
        self, start: datetime, end: datetime, filter_text: str | None = None
    ) -> list[list[str]]:
        """The reasons of each check made in the period whose status is inherited."""
        statement = select(AmlCheck.inherited_reasons).where(
            self._made_in(start, end, filter_text), AmlCheck.inherited_from_id.is_not(None)
        )
        return [list(reasons or []) for reasons in self.session.scalars(statement)]

    def _made_in(
        self, start: datetime, end: datetime, filter_text: str | None
    ) -> ColumnElement[bool]:
        return and_(
            AmlCheck.organization_id == self.organization_id,
            AmlCheck.created_time >= start,
            AmlCheck.created_time <= end,
            filter_clause(FIELDS, filter_text),
        )

    def tags_of(self, check_ids: Sequence[str]) -> dict[str, list[Tag]]:
        statement = (
            select(AmlCheckTag.aml_check_id, Tag)
            .join(
                Tag,
                and_(
                    Tag.organization_id == AmlCheckTag.organization_id, Tag.id == AmlCheckTag.tag_id
                ),
            )
            .where(
                AmlCheckTag.organization_id == self.organization_id,
                AmlCheckTag.aml_check_id.in_(check_ids),
            )
            .order_by(Tag.name)
        )
        grouped: dict[str, list[Tag]] = defaultdict(list)
        for check_id, tag in self.session.execute(statement):
            grouped[check_id].append(tag)
        return grouped

    def tagged_ids(self, tag_id: str, check_ids: Collection[str]) -> set[str]:
        statement = select(AmlCheckTag.aml_check_id).where(
            AmlCheckTag.organization_id == self.organization_id,
            AmlCheckTag.tag_id == tag_id,
            AmlCheckTag.aml_check_id.in_(list(check_ids)),
        )
        return set(self.session.scalars(statement))

    def tag(self, tag_id: str, check_ids: Collection[str]) -> None:
        for check_id in check_ids:
            self.session.add(
                AmlCheckTag(
                    organization_id=self.organization_id, aml_check_id=check_id, tag_id=tag_id
                )
            )
        self.session.flush()

    def untag(self, tag_id: str, check_ids: Collection[str]) -> None:
        self.session.execute(
            delete(AmlCheckTag).where(
                AmlCheckTag.organization_id == self.organization_id,
                AmlCheckTag.tag_id == tag_id,
                AmlCheckTag.aml_check_id.in_(list(check_ids)),
            )
        )

    # The customer's name keys: how a changed list entry finds them again.
    def replace_customer_keys(self, customer_id: str, keys: Collection[str]) -> None:
        self.session.execute(
            delete(AmlCustomerKey).where(
                AmlCustomerKey.organization_id == self.organization_id,
                AmlCustomerKey.customer_id == customer_id,
            )
        )
        if keys:
            rows = [
                {"organization_id": self.organization_id, "customer_id": customer_id, "key": k}
                for k in sorted(keys)
            ]
            self.session.execute(insert(AmlCustomerKey), rows)

    def suppressions(self, customer_id: str) -> dict[str, AmlSuppression]:
        statement = select(AmlSuppression).where(
            AmlSuppression.organization_id == self.organization_id,
            AmlSuppression.customer_id == customer_id,
        )
        return {s.entry_key: s for s in self.session.scalars(statement)}

    def suppress(self, suppression: AmlSuppression) -> None:
        found = self.session.get(
            AmlSuppression, (self.organization_id, suppression.customer_id, suppression.entry_key)
        )
        if found is not None:
            self.session.delete(found)
            self.session.flush()
        self.session.add(suppression)
        self.session.flush()

    def lift_suppressions(self, check_id: str) -> None:
        """End the suppressions a check's false positive made."""
        self.session.execute(
            delete(AmlSuppression).where(
                AmlSuppression.organization_id == self.organization_id,
                AmlSuppression.aml_check_id == check_id,
            )
        )

    def move_to_customer(self, customer_id: str, target_customer_id: str) -> int:
        """Give the target customer the checks of another (a merge); how many moved."""
        checks = self.for_customer(customer_id)
        for check in checks:
            check.customer_id = target_customer_id
        self.session.flush()
        return len(checks)
