from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from openkyc.reports import service
from openkyc.reports.schemas import AcceptanceSummary, RejectionSummary, RequestSummary
from openkyc.reports.service import Period
from openkyc.web.deps import SecretKeyAuth, Session
from openkyc.web.openapi import PAGINATION_HEADERS
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/experimental/reports", tags=["Reports"], route_class=OneHopRoute)


async def _period(
    periodStart: Annotated[
        str | None,
        Query(
            description="Start of the period (RFC 3339, included); by default the first "
            "instant of the current month, UTC.",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
    periodEnd: Annotated[
        str | None,
        Query(
            description="End of the period (RFC 3339, included), not before periodStart; by "
            "default the last instant of the current month, UTC.",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
) -> Period:
    return service.period_from(periodStart, periodEnd)


ReportPeriod = Annotated[Period, Depends(_period)]
# Two reports carry the collection headers, as in Rebilly's API: every row comes in one page.
WHOLE_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The report.", "headers": PAGINATION_HEADERS}
}


def _whole(report: dict[str, Any]) -> JSONResponse:
    rows = str(len(report["data"]))
    headers = {"Pagination-Total": rows, "Pagination-Limit": rows, "Pagination-Offset": "0"}
    return JSONResponse(report, headers=headers)


@router.get(
    "/kyc-acceptance-summary",
    operation_id="GetKycAcceptanceSummaryReport",
    response_model=AcceptanceSummary,
)
def kyc_acceptance_summary(
    auth: SecretKeyAuth, session: Session, period: ReportPeriod
) -> JSONResponse:
    """Per document type, the documents created in the period by status: how many the
    analyser decided, how many a person decided or reversed, the share accepted and how long
    a person's review took (median minutes)."""
    report = service.acceptance_summary(session, auth.organization_id, period)
    return JSONResponse(report.to_wire())


@router.get(
    "/kyc-rejection-summary",
    operation_id="GetKycRejectionSummaryReport",
    response_model=RejectionSummary,
    responses=WHOLE_PAGE,
)
def kyc_rejection_summary(
    auth: SecretKeyAuth, session: Session, period: ReportPeriod
) -> JSONResponse:
    """Per document type, the rejected documents created in the period by rejection reason,
    most frequent first."""
    report = service.rejection_summary(session, auth.organization_id, period)
    return _whole(report.to_wire())


@router.get(
    "/kyc-request-summary",
    operation_id="GetKycRequestSummaryReport",
    response_model=RequestSummary,
    responses=WHOLE_PAGE,
)
def kyc_request_summary(
    auth: SecretKeyAuth, session: Session, period: ReportPeriod
) -> JSONResponse:
    """The KYC requests created in the period, counted by status: pending-review and the four
    outcomes (fulfilled, failed, abandoned, expired). Requests still gathering, attempted or
    partial are not counted."""
    report = service.request_summary(session, auth.organization_id, period)
    return _whole(report.to_wire())
