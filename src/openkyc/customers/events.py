"""Customer webhook events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc.customers.schemas import CustomerOut
from openkyc.db.models import Customer
from openkyc.events import service as events
from openkyc.wire import Links


def record_customer_event(
    session: Session, customer: Customer, event_type: str, links: Links
) -> None:
    href = links.href("customers", customer.id)
    events.record(
        session,
        customer.organization_id,
        event_type,
        "customer",
        customer.id,
        {
            "customerId": customer.id,
            "_embedded": {"customer": CustomerOut.of(customer, href).to_wire()},
            "_links": [{"rel": "customer", "href": href}],
        },
    )
