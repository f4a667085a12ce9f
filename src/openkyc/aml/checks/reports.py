"""The experimental AML reports: the checks of a period counted by outcome, a histogram of
one measure over time, and the checks whose status was inherited from another check (the
*propagated* ones, decided by no person) by reason. The counts and the histogram leave the
propagated checks out unless they are asked for (``includePropagatedResults``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.aml.checks.repository import AmlCheckRepository
from openkyc.aml.enums import AmlCheckStatus, InheritanceReason
from openkyc.errors import ValidationFailed
from openkyc.reports.service import Period

PENDING = {AmlCheckStatus.PENDING_REVIEW, AmlCheckStatus.IN_REVIEW}
# A histogram has at most this many buckets (a month by the minute is too many).
MAX_BUCKETS = 10_000
STATUS_OF_METRIC = {
    "pending_review": AmlCheckStatus.PENDING_REVIEW,
    "in_review": AmlCheckStatus.IN_REVIEW,
    "confirmed_match": AmlCheckStatus.CONFIRMED_MATCH,
    "no_match": AmlCheckStatus.NO_MATCH,
    "false_positive": AmlCheckStatus.FALSE_POSITIVE,
}


@dataclass(frozen=True)
class Summary:
    total: int
    propagated: int
    resulted: int
    pending: int

    def to_wire(self) -> dict[str, int]:
        return {
            "total": self.total,
            "propagated": self.propagated,
            "resulted": self.resulted,
            "pending": self.pending,
        }


def summary(
    session: Session,
    organization_id: str,
    period: Period,
    metric: str,
    filter_text: str | None,
    *,
    include_propagated: bool = False,
) -> Summary:
    """Checks (or their hits) made in the period: all, those with a result, those waiting;
    the propagated ones are counted apart, and in the total and results only when asked."""
    rows = AmlCheckRepository(session, organization_id).in_period(
        period.start, period.end, filter_text
    )
    weight = (lambda hits: hits) if metric == "aml_check_hits" else (lambda hits: 1)
    propagated = sum(weight(h) for _, _, h, inherited in rows if inherited)
    counted = [(s, h) for _, s, h, inherited in rows if include_propagated or not inherited]
    total = sum(weight(h) for _, h in counted)
    pending = sum(weight(h) for status, h in counted if status in PENDING)
    return Summary(total, propagated, total - pending, pending)


@dataclass(frozen=True)
class InheritedSummary:
    total: int
    # How many inherited checks give each reason (a check may give two).
    by_reason: dict[InheritanceReason, int]

    def to_wire(self) -> dict[str, object]:
        return {
            "totalInherited": self.total,
            "categories": [
                {
                    "reason": str(reason),
                    "count": count,
                    "percentage": round(100 * count / self.total, 2) if self.total else 0.0,
                }
                for reason, count in self.by_reason.items()
            ],
        }


def inherited_summary(
    session: Session, organization_id: str, period: Period, filter_text: str | None
) -> InheritedSummary:
    """The checks made in the period whose status was inherited, counted by reason (every
    reason, none left out), each as a share of them all."""
    found = AmlCheckRepository(session, organization_id).inherited_reasons_in_period(
        period.start, period.end, filter_text
    )
    counted = Counter(reason for reasons in found for reason in reasons)
    return InheritedSummary(
        len(found), {reason: counted.get(str(reason), 0) for reason in InheritanceReason}
    )


def histogram_period(
    aggregation: str, start: str | None, end: str | None
) -> tuple[str | None, str | None]:
    """Rebilly's defaults: the last 24 hours by the minute, else the current month."""
    if aggregation != "minute" or start is not None or end is not None:
        return start, end
    now = clock.now().astimezone(UTC)
    return (now - timedelta(hours=24)).isoformat(), now.isoformat()


def _bucket(moment: datetime, aggregation: str) -> datetime:
    moment = moment.astimezone(UTC)
    if aggregation == "minute":
        return moment.replace(second=0, microsecond=0)
    if aggregation == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    if aggregation == "day":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next(moment: datetime, aggregation: str) -> datetime:
    if aggregation == "month":
        return (moment.replace(day=28) + timedelta(days=4)).replace(day=1)
    step = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
    return moment + step[aggregation]


def _buckets(period: Period, aggregation: str) -> list[datetime]:
    buckets, moment = [], _bucket(period.start, aggregation)
    while moment <= period.end:
        buckets.append(moment)
        if len(buckets) > MAX_BUCKETS:
            raise ValidationFailed.field(
                "aggregationPeriod", f"the period has more than {MAX_BUCKETS} buckets of it"
            )
        try:
            moment = _next(moment, aggregation)
        except OverflowError:  # the period ends in the last bucket of the calendar
            break
    return buckets


def histogram(
    session: Session,
    organization_id: str,
    period: Period,
    aggregation: str,
    metric: str,
    filter_text: str | None,
    *,
    include_propagated: bool = False,
) -> list[dict[str, object]]:
    """The measure in each bucket of the period, empty buckets included; the propagated
    checks only when asked."""
    buckets = _buckets(period, aggregation)
    rows = AmlCheckRepository(session, organization_id).in_period(
        period.start, period.end, filter_text
    )
    hits = metric.startswith("aml_check_hits")
    wanted = STATUS_OF_METRIC.get(
        metric.removeprefix("aml_check_hits").removeprefix("aml_checks").lstrip("_")
    )
    counted: Counter[datetime] = Counter()
    for created, status, found, inherited in rows:
        if inherited and not include_propagated:
            continue
        if wanted is None or status == wanted:
            counted[_bucket(created, aggregation)] += found if hits else 1
    return [
        {"date": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": counted.get(moment, 0)}
        for moment in buckets
    ]
