from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from openkyc.aml import flows
from openkyc.aml.checks import reports as aml_reports
from openkyc.aml.checks import service, views
from openkyc.aml.checks.schemas import (
    AmlCheckDecisionOut,
    AmlCheckOut,
    AmlCheckReview,
    ScreeningIn,
)
from openkyc.aml.enums import InheritanceReason
from openkyc.attachments import views as attachment_views
from openkyc.attachments.schemas import AttachmentOut
from openkyc.db.models import AmlCheck
from openkyc.files.routes import AppSettings, AppStorage
from openkyc.reports import service as report_service
from openkyc.timeline import authors
from openkyc.web.collections import Collection, Fields, member_response, page_response
from openkyc.web.deps import RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.routing import OneHopRoute
from openkyc.wire import NUL_FREE_PATTERN, Links

router = APIRouter(prefix="/aml-checks", tags=["AML"], route_class=OneHopRoute)
reports = APIRouter(prefix="/customers", tags=["Customers"], route_class=OneHopRoute)
experimental = APIRouter(prefix="/experimental", route_class=OneHopRoute)
Override = Annotated[
    bool,
    Query(
        description="openkyc: an admin acts on a check another person holds for review; "
        "the override is recorded."
    ),
]
HELD: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "Another person holds the check for review, or the same decision "
        "is already in force."
    }
}


def _one(session: Session, check: AmlCheck, links: Links) -> AmlCheckOut:
    return views.checks_out(session, check.organization_id, [check], links)[0]


def _acted(session: Session, check: AmlCheck, links: Links) -> JSONResponse:
    out = _one(session, check, links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("", operation_id="GetAmlCheckCollection", response_model=list[AmlCheckOut])
def list_aml_checks(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection, fields: Fields
) -> JSONResponse:
    """AML checks, filtered (customerId, status, source, priority, tags, times), sorted and
    paginated."""
    checks, total = service.page(session, auth.organization_id, query)
    return page_response(
        views.checks_out(session, auth.organization_id, checks, links), total, query, fields
    )


@router.post("", operation_id="PostAmlCheck", status_code=201, response_model=AmlCheckOut)
def screen_customer(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, body: ScreeningIn
) -> JSONResponse:
    """openkyc: screen a customer now against the lists loaded (customers are screened on
    their own when created or when their name, birth date or address changes)."""
    return _acted(
        session,
        flows.screen_on_demand(
            session, auth.organization_id, body.customerId, links, authors.of(auth)
        ),
        links,
    )


@router.get("/{id}", operation_id="GetAmlCheck", response_model=AmlCheckOut)
def get_aml_check(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath, fields: Fields
) -> JSONResponse:
    """One AML check: the customer's data screened and each hit with why it matched."""
    return member_response(
        _one(session, service.get(session, auth.organization_id, id), links), fields
    )


@router.post(
    "/{id}/start-review",
    operation_id="PostAmlCheckStartReview",
    status_code=201,
    response_model=AmlCheckOut,
    responses=HELD,
)
def start_aml_check_review(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    override: Override = False,
) -> JSONResponse:
    """Hold the check for review (status in-review); another person's actions on it are a
    409 until it is released, decided or 30 minutes pass. A check not waiting for review
    is a 422."""
    return _acted(session, service.start_review(session, auth, id, override=override), links)


@router.post(
    "/{id}/stop-review",
    operation_id="PostAmlCheckStopReview",
    status_code=201,
    response_model=AmlCheckOut,
    responses=HELD,
)
def stop_aml_check_review(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    override: Override = False,
) -> JSONResponse:
    """Release the hold: the check waits for review again. A check nobody holds is a 422."""
    return _acted(session, service.stop_review(session, auth, id, override=override), links)


@router.post(
    "/{id}/review",
    operation_id="PostAmlCheckReview",
    status_code=201,
    response_model=AmlCheckOut,
    responses=HELD,
)
def review_aml_check(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: AmlCheckReview,
    override: Override = False,
) -> JSONResponse:
    """Decide the check: `confirmed-match` or `false-positive` (its entries are then not
    raised again for this customer for the suppression period of the AML settings, unless
    the entry or the customer's data changes). Under the four-eyes rule of the KYC settings
    the decision waits for a second person; against a decision in force it is a reversal."""
    return _acted(session, service.review(session, auth, id, body.status, override=override), links)


@router.get(
    "/{id}/decisions",
    operation_id="GetAmlCheckDecisionCollection",
    response_model=list[AmlCheckDecisionOut],
)
def list_aml_check_decisions(
    auth: SecretKeyAuth, session: Session, id: ResourceIdPath
) -> JSONResponse:
    """openkyc: every decision made on the check, oldest first: people's, and the bot's
    when the check inherited its status from another (author `bot`)."""
    records = service.history(session, auth.organization_id, id)
    return JSONResponse([AmlCheckDecisionOut.of(r).to_wire() for r in records])


@reports.post(
    "/{id}/compliance-screening-report",
    operation_id="PostCustomerComplianceScreeningReport",
    status_code=201,
    response_model=AttachmentOut,
)
def create_compliance_screening_report(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    storage: AppStorage,
    settings: AppSettings,
    id: ResourceIdPath,
) -> JSONResponse:
    """Write a PDF of the customer's KYC documents and AML checks (each hit with why it
    matched and how it was reviewed), stored as a file attached to the customer."""
    attachment = flows.compliance_report(
        session, storage, settings, auth.organization_id, id, links
    )
    [out] = attachment_views.attachments_out(session, auth.organization_id, [attachment], links)
    return member_response(out, status_code=201, location=out.links[0].href)


PeriodText = Annotated[
    str | None,
    Query(
        description="RFC 3339; by default the current month (the last 24 hours for a "
        "histogram by the minute).",
        json_schema_extra={"format": "date-time"},
    ),
]
Filter = Annotated[
    str | None,
    Query(
        pattern=NUL_FREE_PATTERN,
        description="Rebilly filter over the checks' fields (status, source, priority, …).",
    ),
]
Propagated = Annotated[
    bool,
    Query(
        description="Whether the checks that inherited their status from another check "
        "(decided by no person) are counted."
    ),
]
HISTOGRAM_METRICS = Literal[
    "aml_checks",
    "aml_checks_pending_review",
    "aml_checks_in_review",
    "aml_checks_confirmed_match",
    "aml_checks_no_match",
    "aml_checks_false_positive",
    "aml_check_hits",
    "aml_check_hits_pending_review",
    "aml_check_hits_in_review",
    "aml_check_hits_confirmed_match",
    "aml_check_hits_no_match",
    "aml_check_hits_false_positive",
]


class AmlCheckSummary(BaseModel):
    total: int
    propagated: int
    resulted: int
    pending: int


class InheritedCategory(BaseModel):
    reason: InheritanceReason
    count: int
    percentage: float


class AmlChecksInheritedSummary(BaseModel):
    totalInherited: int
    categories: list[InheritedCategory]


class HistogramPoint(BaseModel):
    date: str
    value: float


class Histogram(BaseModel):
    data: list[HistogramPoint]


@experimental.get(
    "/reports/aml-checks",
    operation_id="GetAmlCheckReport",
    response_model=AmlCheckSummary,
    tags=["Reports"],
)
def aml_check_report(
    auth: SecretKeyAuth,
    session: Session,
    periodStart: PeriodText = None,
    periodEnd: PeriodText = None,
    metric: Literal["aml_checks", "aml_check_hits"] = "aml_checks",
    includePropagatedResults: Propagated = False,
    filter: Filter = None,
) -> JSONResponse:
    """The AML checks made in the period (or their hits, `metric=aml_check_hits`): all of
    them, those with a result (no-match, confirmed-match, false-positive) and those waiting
    for a person. `propagated` counts the checks whose status was inherited from another
    check; the others count them only with `includePropagatedResults=true`."""
    period = report_service.period_from(periodStart, periodEnd)
    found = aml_reports.summary(
        session,
        auth.organization_id,
        period,
        metric,
        filter,
        include_propagated=includePropagatedResults,
    )
    return JSONResponse(found.to_wire())


@experimental.get(
    "/reports/aml-checks-inherited-summary",
    operation_id="GetAmlInheritedMatchSummaryReport",
    response_model=AmlChecksInheritedSummary,
    tags=["Reports"],
)
def aml_checks_inherited_summary(
    auth: SecretKeyAuth,
    session: Session,
    periodStart: PeriodText = None,
    periodEnd: PeriodText = None,
    filter: Filter = None,
) -> JSONResponse:
    """The AML checks made in the period whose status was inherited from another check,
    counted by reason (every reason, with its count and its percentage of the inherited
    checks; a check inherited for two reasons counts under both)."""
    period = report_service.period_from(periodStart, periodEnd)
    found = aml_reports.inherited_summary(session, auth.organization_id, period, filter)
    return JSONResponse(found.to_wire())


@experimental.get(
    "/histograms/aml-checks",
    operation_id="GetHistogramAmlCheckReport",
    response_model=Histogram,
    tags=["Histograms"],
)
def aml_check_histogram(
    auth: SecretKeyAuth,
    session: Session,
    periodStart: PeriodText = None,
    periodEnd: PeriodText = None,
    aggregationPeriod: Literal["minute", "hour", "day", "month"] = "day",
    metric: HISTOGRAM_METRICS = "aml_checks",
    includePropagatedResults: Propagated = False,
    filter: Filter = None,
) -> JSONResponse:
    """How many AML checks (or hits) of each kind were made in each minute, hour, day or
    month of the period, empty ones included."""
    start, end = aml_reports.histogram_period(aggregationPeriod, periodStart, periodEnd)
    period = report_service.period_from(start, end)
    data = aml_reports.histogram(
        session,
        auth.organization_id,
        period,
        aggregationPeriod,
        metric,
        filter,
        include_propagated=includePropagatedResults,
    )
    return JSONResponse({"data": data})
