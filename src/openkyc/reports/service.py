"""The reports' rules: which period a report covers, and the rates drawn from the counts.

A report covers the documents (or requests) created in the period, both ends included, as
they stand now; an end written to the second includes all of that second. Without a start
the period begins with the current month (UTC); without an end it runs to the month's last
microsecond."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.errors import ValidationFailed
from openkyc.kyc.enums import DocumentType
from openkyc.reports.repository import REPORTED_REQUEST_STATUSES, DecisionCounts, ReportRepository
from openkyc.reports.schemas import (
    AcceptanceSummary,
    AcceptanceSummaryRow,
    AcceptedFigures,
    CountFigure,
    RejectedFigures,
    RejectionReasonCount,
    RejectionSummary,
    RejectionSummaryRow,
    RequestStatusCount,
    RequestSummary,
    StatusFigures,
)

# RFC 3339 date-time, the `format: date-time` of the contract (an offset is required).
DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


def _parse(name: str, text: str, *, through_the_second: bool = False) -> datetime:
    """The instant ``text`` names; with ``through_the_second``, a time written to the second
    stands for that whole second (its last microsecond), as times are shown to the second."""
    match = DATE_TIME.fullmatch(text)
    if match is None:
        raise ValidationFailed.field(name, "must be an RFC 3339 date-time with an offset")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    digits = (fraction or ".0")[1:7].ljust(6, "0")
    if offset in ("Z", "z"):
        offset = "+00:00"
    if int(offset[1:3]) > 23 or int(offset[4:]) > 59:
        raise ValidationFailed.field(name, "has an offset beyond ±23:59")
    # A leap second (:60) counts as the last microsecond of its minute.
    leap = second == "60"
    last_microsecond = leap or (through_the_second and fraction is None)
    text = f"{year}-{month}-{day}T{hour}:{minute}:{'59' if leap else second}.{digits}{offset}"
    try:
        if int(year) == 0:
            return EARLIEST
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValidationFailed.field(name, "is not a date and time of the calendar") from error
    if last_microsecond:
        parsed = parsed.replace(microsecond=999999)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # Valid text whose UTC instant falls outside years 1-9999: the period is open there.
        return EARLIEST if parsed.year == 1 else LATEST


def _month_of(now: datetime) -> Period:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following - timedelta(microseconds=1))


def period_from(start: str | None, end: str | None, now: datetime | None = None) -> Period:
    """The period a report covers; 422 naming the parameter when it is malformed or ends
    before it starts."""
    month = _month_of((now or clock.now()).astimezone(UTC))
    period = Period(
        _parse("periodStart", start) if start is not None else month.start,
        _parse("periodEnd", end, through_the_second=True) if end is not None else month.end,
    )
    if period.end < period.start:
        raise ValidationFailed.field("periodEnd", "must not be before periodStart")
    return period


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _acceptance_row(counts: DecisionCounts, review_minutes: float | None) -> AcceptanceSummaryRow:
    decided = counts.total - counts.archived
    reversed_ = counts.accepted_after_auto_rejection + counts.rejected_after_auto_acceptance
    return AcceptanceSummaryRow(
        documentType=counts.document_type,
        statusStatistics=StatusFigures(
            accepted=AcceptedFigures(
                total=counts.accepted,
                automatically=counts.accepted - counts.accepted_manually,
                manually=counts.accepted_manually,
                afterAutoRejected=counts.accepted_after_auto_rejection,
            ),
            rejected=RejectedFigures(
                total=counts.rejected,
                automatically=counts.rejected - counts.rejected_manually,
                manually=counts.rejected_manually,
                afterAutoAccepted=counts.rejected_after_auto_acceptance,
            ),
            pending=CountFigure(total=counts.waiting),
            archived=CountFigure(total=counts.archived),
        ),
        total=counts.total,
        accuracyRate=_percent(decided - reversed_, decided),
        acceptanceRate=_percent(counts.accepted, decided),
        manualReviewTime=round(review_minutes, 2) if review_minutes is not None else None,
    )


def acceptance_summary(session: Session, organization_id: str, period: Period) -> AcceptanceSummary:
    repository = ReportRepository(session, organization_id)
    medians = repository.median_review_minutes(period.start, period.end)
    return AcceptanceSummary(
        data=[
            _acceptance_row(counts, medians.get(counts.document_type))
            for counts in repository.decision_counts(period.start, period.end)
        ]
    )


def rejection_summary(session: Session, organization_id: str, period: Period) -> RejectionSummary:
    rows: dict[DocumentType, list[RejectionReasonCount]] = {}
    counts = ReportRepository(session, organization_id).rejection_counts(period.start, period.end)
    for document_type, reason, count in counts:
        rows.setdefault(document_type, []).append(
            RejectionReasonCount(rejectionReason=reason, count=count)
        )
    return RejectionSummary(
        data=[
            RejectionSummaryRow(documentType=kind, rejectionReasons=reasons)
            for kind, reasons in rows.items()
        ]
    )


def request_summary(session: Session, organization_id: str, period: Period) -> RequestSummary:
    counts = ReportRepository(session, organization_id).request_counts(period.start, period.end)
    return RequestSummary(
        data=[
            RequestStatusCount(rejectionReason=status, count=counts.get(status, 0))
            for status in REPORTED_REQUEST_STATUSES
        ]
    )


def decision_minutes_at(
    session: Session, organization_id: str, period: Period, percents: tuple[int, ...] = (50, 90)
) -> dict[int, float]:
    """Minutes from upload to decision at these percentiles, over the documents created in
    the period that are decided (by the analyser or a person)."""
    repository = ReportRepository(session, organization_id)
    return repository.decision_minutes_at(period.start, period.end, percents)


def decisions_per_day(
    session: Session, organization_id: str, period: Period
) -> dict[str, tuple[int, int]]:
    """Per UTC day (``YYYY-MM-DD``) of upload, the documents the analyser or the credit bureau
    decided and those a person decided (as the acceptance summary counts them)."""
    return ReportRepository(session, organization_id).decisions_per_day(period.start, period.end)
