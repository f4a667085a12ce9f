"""Customers as clients see them: tags and, on request, the lead source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from openkyc.customers.schemas import CustomerOut
from openkyc.db.models import Customer, Tag
from openkyc.tags import service as tag_service
from openkyc.tags.schemas import TagOut
from openkyc.wire import Links

EXPANDABLE = ("leadSource",)


def customers_out(
    session: Session,
    organization_id: str,
    customers: Sequence[Customer],
    links: Links,
    expand: frozenset[str] = frozenset(),
) -> list[CustomerOut]:
    tags = tag_service.of_customers(session, organization_id, [c.id for c in customers])
    return [customer_out(c, tags.get(c.id, []), links, expand) for c in customers]


def customer_out(
    customer: Customer, tags: Sequence[Tag], links: Links, expand: frozenset[str] = frozenset()
) -> CustomerOut:
    embedded: dict[str, Any] | None = (
        {"leadSource": customer.lead_source} if "leadSource" in expand else None
    )
    out = CustomerOut.of(customer, links.href("customers", customer.id), embedded)
    out.tags = [TagOut.of(t, links).to_wire() for t in tags]
    return out
