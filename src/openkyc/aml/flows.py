"""When customers are screened: as they are created or their name, birth date or address
changes, on demand, and again after a list load changed an entry their name could match."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.aml import report
from openkyc.aml.checks import service as checks
from openkyc.aml.checks import views as check_views
from openkyc.aml.checks.screening import screened_person
from openkyc.aml.enums import ScreeningSource
from openkyc.aml.lists import service as lists
from openkyc.attachments import service as attachments
from openkyc.attachments.enums import RelatedType
from openkyc.attachments.schemas import AttachmentIn
from openkyc.config import Settings
from openkyc.customers import service as customers
from openkyc.db.models import AmlCheck, Attachment, Customer
from openkyc.errors import NotFound, ValidationFailed
from openkyc.files import service as files
from openkyc.files.schemas import FileFields, Upload
from openkyc.jobs import queue
from openkyc.kyc.documents import service as documents
from openkyc.storage import Storage
from openkyc.timeline import authors
from openkyc.wire import Links


def customer_saved(
    session: Session, customer: Customer, links: Links, author: authors.Author
) -> AmlCheck | None:
    """A customer was created or changed (by ``author``): screened when what is screened is
    new."""
    return checks.screen(session, customer, links, ScreeningSource.SIGN_UP, author=author)


def screen_on_demand(
    session: Session, organization_id: str, customer_id: str, links: Links, author: authors.Author
) -> AmlCheck:
    """Screen a customer now, whatever was screened before."""
    try:
        customer = customers.get(session, organization_id, customer_id)
    except NotFound as missing:
        raise ValidationFailed.field(
            "customerId", f"no customer {customer_id} in this organization"
        ) from missing
    check = checks.screen(
        session, customer, links, ScreeningSource.SIGN_UP, author=author, force=True
    )
    assert check is not None, "a forced screening always writes a check"
    return check


# The job that screens again some customers of one organization after a list load, and
# how many customers one job takes: several workers share a large rescreening.
RESCREEN_CUSTOMERS = "aml-rescreen-customers"
RESCREEN_BATCH = 100


@dataclass(frozen=True)
class Rescreening:
    customers: int
    jobs: int


def queue_rescreen(
    session: Session, changed_names: Iterable[frozenset[str]], batch: int = RESCREEN_BATCH
) -> Rescreening:
    """Queue the screening of every customer whose name could match a changed entry (the
    key sets a load reports), in jobs of ``batch`` customers of one organization, written in
    the caller's transaction: the load and its jobs commit together."""
    by_organization: dict[str, list[str]] = defaultdict(list)
    for organization_id, customer_id in lists.customers_matching(session, changed_names):
        by_organization[organization_id].append(customer_id)
    jobs = 0
    for organization_id, customer_ids in sorted(by_organization.items()):
        for start in range(0, len(customer_ids), batch):
            part = customer_ids[start : start + batch]
            queue.enqueue(session, organization_id, RESCREEN_CUSTOMERS, {"customerIds": part})
            jobs += 1
    return Rescreening(sum(len(ids) for ids in by_organization.values()), jobs)


def rescreen_customers(
    session: Session, organization_id: str, customer_ids: Iterable[str], links: Links
) -> int:
    """Screen these customers again (``recurring``); how many new checks that made (a
    customer found the same way as before gets none, one deleted since is skipped)."""
    made = 0
    for customer_id in customer_ids:
        try:
            customer = customers.get(session, organization_id, customer_id)
        except NotFound:
            continue
        if checks.screen(
            session, customer, links, ScreeningSource.RECURRING, author=authors.SYSTEM
        ):
            made += 1
    return made


def compliance_report(
    session: Session,
    storage: Storage,
    settings: Settings,
    organization_id: str,
    customer_id: str,
    links: Links,
) -> Attachment:
    """Write the customer's KYC and AML results as a PDF, stored as a file attached to the
    customer."""
    customer = customers.get(session, organization_id, customer_id)
    kyc = [
        report.KycResult(d.id, d.document_type, d.status, d.reviewer_name, d.updated_time)
        for d in sorted(
            documents.for_customer(session, organization_id, customer_id),
            key=lambda d: d.created_time,
        )
    ]
    found = checks.for_customer(session, organization_id, customer_id)
    rendered = [c.to_wire() for c in check_views.checks_out(session, organization_id, found, links)]
    now = clock.now()
    data = report.ReportData(
        organization_id, customer_id, screened_person(customer), now, kyc, rendered
    )
    name = f"compliance-screening-report-{customer_id}-{now:%Y%m%dT%H%M%SZ}.pdf"
    fields = FileFields(
        name=name, description="Compliance screening report", tags=["compliance-report"]
    )
    file = files.create(
        session,
        storage,
        settings,
        organization_id,
        Upload(fields=fields, data=report.build(data), filename=name),
    )
    return attachments.create(
        session,
        organization_id,
        AttachmentIn(
            fileId=file.id,
            relatedType=RelatedType.CUSTOMER,
            relatedId=customer_id,
            name=name,
            description="Compliance screening report: KYC and AML results",
        ),
    )
