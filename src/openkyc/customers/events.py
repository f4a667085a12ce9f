"""Customer webhook events."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from openkyc.customers.repository import CustomerRepository
from openkyc.customers.schemas import CustomerOut
from openkyc.db.models import Customer
from openkyc.events import service as events
from openkyc.wire import Links


def record_customer_event(
    session: Session,
    customer: Customer,
    event_type: str,
    links: Links,
    merged_customer_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write a customer event; ``customer-merged`` also names the customer merged away, and
    ``extra`` adds openkyc's own fields (the AML check of ``aml-list-possibly-matched``)."""
    href = links.href("customers", customer.id)
    # openkyc's addition to Rebilly's payload: which customer was merged into this one.
    merged = {"mergedCustomerId": merged_customer_id} if merged_customer_id else {}
    events.record(
        session,
        customer.organization_id,
        event_type,
        "customer",
        customer.id,
        lambda: {
            "customerId": customer.id,
            **merged,
            **(extra or {}),
            "_embedded": {"customer": CustomerOut.of(customer, href).to_wire()},
            "_links": [{"rel": "customer", "href": href}],
        },
        partial(CustomerRepository(session, customer.organization_id).matches, customer.id),
    )
