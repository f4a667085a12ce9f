"""The morning figures of a team lead, from the reports the API serves: decisions per day
(automatic and manual), the acceptance rate, time from upload to decision, rejection reasons
and the queue."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from openkyc import clock
from openkyc.backoffice import charts
from openkyc.backoffice.deps import Person
from openkyc.backoffice.pages import PageRoute, render
from openkyc.kyc.documents import service as documents
from openkyc.reports import service as reports
from openkyc.reports.schemas import AcceptanceSummary
from openkyc.reports.service import Period
from openkyc.web.deps import Session

router = APIRouter(prefix="/backoffice", route_class=PageRoute, include_in_schema=False)


def _day(day: datetime) -> Period:
    start = datetime.combine(day.date(), time.min, tzinfo=UTC)
    return Period(start, start + timedelta(days=1) - timedelta(microseconds=1))


def _acceptance_rate(summary: AcceptanceSummary) -> float | None:
    accepted = sum(row.statusStatistics.accepted.total for row in summary.data)
    decided = sum(
        row.statusStatistics.accepted.total + row.statusStatistics.rejected.total
        for row in summary.data
    )
    return round(100 * accepted / decided, 1) if decided else None


@router.get("/dashboard")
def dashboard(
    request: Request,
    person: Person,
    session: Session,
    days: Annotated[int, Query(ge=1, le=90)] = 14,
) -> Response:
    """Figures of the documents uploaded over the last ``days`` days."""
    organization = person.organization_id
    today = clock.now().astimezone(UTC)
    whole = Period(_day(today - timedelta(days=days - 1)).start, _day(today).end)
    per_day = reports.decisions_per_day(session, organization, whole)
    columns = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        automatic, manual = per_day.get(day.strftime("%Y-%m-%d"), (0, 0))
        columns.append((day.strftime("%d %b"), automatic, manual))
    summary = reports.acceptance_summary(session, organization, whole)
    reasons: Counter[str] = Counter()
    for row in reports.rejection_summary(session, organization, whole).data:
        for reason in row.rejectionReasons:
            reasons[reason.rejectionReason] += reason.count
    queue = documents.queue_summary(session, organization, documents.QueueFilter())
    automatic = sum(c[1] for c in columns)
    manual = sum(c[2] for c in columns)
    return render(
        request,
        "dashboard.html",
        {
            "days": days,
            "columns": columns,
            # Each column says its day of the month; the table beside it says the whole date.
            "per_day": charts.stacked_columns([(label[:2], a, m) for label, a, m in columns]),
            "automatic": automatic,
            "manual": manual,
            "acceptance_rate": _acceptance_rate(summary),
            "minutes": reports.decision_minutes_at(session, organization, whole, (50, 90)),
            "reasons": reasons.most_common(),
            "reasons_chart": charts.horizontal_bars(reasons.most_common()),
            "queue": queue,
        },
    )
