"""When customers are screened: as they are created or their name, birth date or address
changes, on demand, and again after a list load changed an entry their name could match."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from openkyc.aml.checks import service as checks
from openkyc.aml.enums import ScreeningSource
from openkyc.aml.lists import service as lists
from openkyc.customers import service as customers
from openkyc.db.models import AmlCheck, Customer
from openkyc.errors import NotFound, ValidationFailed
from openkyc.wire import Links


def customer_saved(session: Session, customer: Customer, links: Links) -> AmlCheck | None:
    """A customer was created or changed: screened when what is screened is new."""
    return checks.screen(session, customer, links, ScreeningSource.SIGN_UP)


def screen_on_demand(
    session: Session, organization_id: str, customer_id: str, links: Links
) -> AmlCheck:
    """Screen a customer now, whatever was screened before."""
    try:
        customer = customers.get(session, organization_id, customer_id)
    except NotFound as missing:
        raise ValidationFailed.field(
            "customerId", f"no customer {customer_id} in this organization"
        ) from missing
    check = checks.screen(session, customer, links, ScreeningSource.SIGN_UP, force=True)
    assert check is not None, "a forced screening always writes a check"
    return check


def rescreen(
    session: Session,
    changed_keys: Iterable[str],
    links: Links,
) -> int:
    """Screen again every customer whose name shares an index key with a changed entry;
    how many new checks that made (a customer found the same way as before gets none)."""
    made = 0
    for organization_id, customer_id in lists.customers_with_keys(session, changed_keys):
        customer = customers.get(session, organization_id, customer_id)
        if checks.screen(session, customer, links, ScreeningSource.RECURRING):
            made += 1
    return made
