"""The reports' queries: every figure is counted or averaged by the database, per organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from openkyc.db.functions import minutes_between, utc_day
from openkyc.db.models import KycDocument, KycRequest, OutboxEvent
from openkyc.events.types import KYC_DOCUMENT_ACCEPTED, KYC_DOCUMENT_REJECTED
from openkyc.kyc.enums import DocumentStatus, DocumentType, RejectionType
from openkyc.reports.schemas import ReportedRequestStatus

REPORTED_REQUEST_STATUSES = tuple(ReportedRequestStatus)
# A document the analyser is still reading waits for a decision like a pending one.
WAITING = (DocumentStatus.PENDING, DocumentStatus.IN_PROGRESS)


@dataclass(frozen=True)
class DecisionCounts:
    """How the documents of one type stand, as counted by the database."""

    document_type: DocumentType
    total: int
    accepted: int
    accepted_manually: int
    accepted_after_auto_rejection: int
    rejected: int
    rejected_manually: int
    rejected_after_auto_acceptance: int
    waiting: int
    archived: int


def _decided_by_person() -> ColumnElement[bool]:
    # A person's accept or reject stamps the processed and review times with one instant; the
    # analyser (or the credit bureau) sets only the processed time, and a later confirmation
    # ("reviewed") only the review time.
    return and_(
        KycDocument.review_time.is_not(None),
        KycDocument.processed_time == KycDocument.review_time,
    )


def _automatically_decided_before(event_type: str) -> ColumnElement[bool]:
    """The document's history holds this decision taken by the machine: an event of this type
    whose document shows no person's decision (review time absent or not the processed time)."""
    document = ("_embedded", "kycDocument")
    processed = OutboxEvent.payload[(*document, "processedTime")].as_string()
    reviewed = OutboxEvent.payload[(*document, "reviewTime")].as_string()
    return exists().where(
        OutboxEvent.organization_id == KycDocument.organization_id,
        OutboxEvent.resource_id == KycDocument.id,
        OutboxEvent.event_type == event_type,
        reviewed.is_distinct_from(processed),
    )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.count(case((condition, 1)))


class ReportRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def _documents_in(self, start: datetime, end: datetime) -> ColumnElement[bool]:
        return and_(
            KycDocument.organization_id == self.organization_id,
            KycDocument.created_time >= start,
            KycDocument.created_time <= end,
        )

    def decision_counts(self, start: datetime, end: datetime) -> list[DecisionCounts]:
        accepted = KycDocument.status == DocumentStatus.ACCEPTED
        rejected = KycDocument.status == DocumentStatus.REJECTED
        by_person = _decided_by_person()
        statement = (
            select(
                KycDocument.document_type,
                func.count(),
                _count(accepted),
                _count(and_(accepted, by_person)),
                _count(
                    and_(accepted, by_person, _automatically_decided_before(KYC_DOCUMENT_REJECTED))
                ),
                _count(rejected),
                _count(and_(rejected, by_person)),
                _count(
                    and_(rejected, by_person, _automatically_decided_before(KYC_DOCUMENT_ACCEPTED))
                ),
                _count(KycDocument.status.in_(WAITING)),
                _count(KycDocument.status == DocumentStatus.ARCHIVED),
            )
            .where(self._documents_in(start, end))
            .group_by(KycDocument.document_type)
            .order_by(KycDocument.document_type)
        )
        return [DecisionCounts(*row) for row in self.session.execute(statement)]

    def median_review_minutes(self, start: datetime, end: datetime) -> dict[str, float]:
        """Per document type, the median minutes from creation to a person's review."""
        minutes = minutes_between(KycDocument.review_time, KycDocument.created_time)
        kind = KycDocument.document_type
        ranked = (
            select(
                KycDocument.document_type.label("document_type"),
                minutes.label("minutes"),
                func.row_number().over(partition_by=kind, order_by=minutes).label("position"),
                func.count().over(partition_by=kind).label("reviewed"),
            )
            .where(self._documents_in(start, end), KycDocument.review_time.is_not(None))
            .subquery()
        )
        # The middle row of an odd count, the two middle rows of an even one: 2·position is
        # the count, or one more, or two more.
        statement = (
            select(ranked.c.document_type, func.avg(ranked.c.minutes))
            .where(
                ranked.c.position * 2 >= ranked.c.reviewed,
                ranked.c.position * 2 <= ranked.c.reviewed + 2,
            )
            .group_by(ranked.c.document_type)
        )
        return {kind: float(median) for kind, median in self.session.execute(statement)}

    def rejection_counts(
        self, start: datetime, end: datetime
    ) -> list[tuple[DocumentType, RejectionType, int]]:
        """(document type, rejection reason, documents) of the rejected documents."""
        reason = func.coalesce(KycDocument.rejection_reason["type"].as_string(), "other")
        count = func.count()
        statement = (
            select(KycDocument.document_type, reason, count)
            .where(self._documents_in(start, end), KycDocument.status == DocumentStatus.REJECTED)
            .group_by(KycDocument.document_type, reason)
            .order_by(KycDocument.document_type, count.desc(), reason)
        )
        return [(kind, RejectionType(why), n) for kind, why, n in self.session.execute(statement)]

    def request_counts(self, start: datetime, end: datetime) -> dict[ReportedRequestStatus, int]:
        """Requests created in the period, by status (only the statuses the report lists)."""
        statement = (
            select(KycRequest.status, func.count())
            .where(
                KycRequest.organization_id == self.organization_id,
                KycRequest.deleted_time.is_(None),
                KycRequest.created_time >= start,
                KycRequest.created_time <= end,
                KycRequest.status.in_(REPORTED_REQUEST_STATUSES),
            )
            .group_by(KycRequest.status)
        )
        rows = self.session.execute(statement)
        return {ReportedRequestStatus(status): count for status, count in rows}

    def decision_minutes_at(
        self, start: datetime, end: datetime, percents: tuple[int, ...]
    ) -> dict[int, float]:
        """For each percent p, the minutes from upload to decision within which p percent of
        the documents decided in the period were decided (nearest rank)."""
        minutes = minutes_between(KycDocument.processed_time, KycDocument.created_time)
        ranked = (
            select(
                minutes.label("minutes"),
                func.row_number().over(order_by=minutes).label("position"),
                func.count().over().label("decided"),
            )
            .where(
                self._documents_in(start, end),
                KycDocument.status.in_((DocumentStatus.ACCEPTED, DocumentStatus.REJECTED)),
                KycDocument.processed_time.is_not(None),
            )
            .subquery()
        )
        # The nearest rank of p: the first position whose share reaches p percent.
        at = {
            p: and_(
                ranked.c.position * 100 >= p * ranked.c.decided,
                (ranked.c.position - 1) * 100 < p * ranked.c.decided,
            )
            for p in percents
        }
        statement = select(
            *(func.max(case((condition, ranked.c.minutes))) for condition in at.values())
        )
        row = self.session.execute(statement).one()
        return {p: float(value) for p, value in zip(at, row, strict=True) if value is not None}

    def decisions_per_day(self, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
        """Per UTC day of creation, (decided automatically, decided by a person) of the
        documents created in the period: the acceptance summary's split, day by day."""
        day = utc_day(KycDocument.created_time)
        decided = KycDocument.status.in_(("accepted", "rejected"))
        statement = (
            select(day, _count(decided), _count(and_(decided, _decided_by_person())))
            .where(self._documents_in(start, end))
            .group_by(day)
        )
        return {
            str(when): (int(total) - int(manual), int(manual))
            for when, total, manual in self.session.execute(statement)
        }
