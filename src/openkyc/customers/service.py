"""Rules for customers: names and email follow the primary address; every change is a revision."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from openkyc.customers.events import record_customer_event
from openkyc.customers.repository import FIELDS, CustomerRepository
from openkyc.customers.schemas import CustomerIn
from openkyc.db.collection import CollectionQuery, filter_clause
from openkyc.db.ids import new_id
from openkyc.db.models import Customer, Tag
from openkyc.errors import NotFound, ValidationFailed
from openkyc.events.types import CUSTOMER_CREATED, CUSTOMER_UPDATED
from openkyc.wire import Links


def _apply(customer: Customer, data: CustomerIn) -> bool:
    """Write the client's data onto the row; True when anything changed."""
    address = data.primaryAddress
    stored_address = address.model_dump(mode="json") if address else None
    email = (address.primary_email() if address else None) or (
        str(data.email) if data.email else None
    )
    values: dict[str, Any] = {
        "primary_address": stored_address,
        "email": email,
        "first_name": address.firstName if address else None,
        "last_name": address.lastName if address else None,
        "country": address.country if address else None,
        "region": address.region if address else None,
        "city": address.city if address else None,
        "postal_code": address.postalCode if address else None,
        "dob": address.dob.isoformat() if address and address.dob else None,
        "website_id": data.websiteId,
        "person_id": data.personId,
        "locale": data.locale,
        "preferred_payout_instrument_id": data.preferredPayoutInstrumentId,
        "custom_fields": data.customFields,
        "tax_numbers": [t.model_dump(mode="json") for t in data.taxNumbers]
        if data.taxNumbers is not None
        else None,
        "notification_emails": [str(e) for e in data.notificationEmails],
        "lead_source": data.leadSource.model_dump(mode="json", exclude_none=True)
        if data.leadSource
        else customer.lead_source,
    }
    return customer.assign(values)


def create(
    session: Session, organization_id: str, data: CustomerIn, links: Links, customer_id: str = ""
) -> Customer:
    customer = Customer(
        id=customer_id or new_id("cus"),
        organization_id=organization_id,
        revision=0,
        has_fulfilled_kyc=False,
        custom_fields={},
        notification_emails=[],
    )
    _apply(customer, data)
    CustomerRepository(session, organization_id).add(customer)
    record_customer_event(session, customer, CUSTOMER_CREATED, links)
    return customer


def upsert(
    session: Session, organization_id: str, customer_id: str, data: CustomerIn, links: Links
) -> tuple[Customer, bool]:
    """Replace the customer with this id, or create it; returns (customer, created)."""
    repository = CustomerRepository(session, organization_id)
    customer = repository.get(customer_id)
    if customer is None:
        return create(session, organization_id, data, links, customer_id), True
    if _apply(customer, data):
        customer.touch()
        session.flush()
        record_customer_event(session, customer, CUSTOMER_UPDATED, links)
    return customer, False


def get(session: Session, organization_id: str, customer_id: str) -> Customer:
    customer = CustomerRepository(session, organization_id).get(customer_id)
    if customer is None:
        raise NotFound.resource("Customer", customer_id)
    return customer


def lock_for_merge(
    session: Session, organization_id: str, customer_id: str, target_id: str, field: str
) -> tuple[Customer, Customer]:
    """The duplicate and the target, locked (in id order, so two merges cannot deadlock) so
    that nothing is added to the duplicate while it moves, nor the target deleted. ``field``
    names the target in the problem when it is missing or the duplicate itself."""
    repository = CustomerRepository(session, organization_id)
    if target_id == customer_id:
        if repository.get(customer_id) is None:
            raise NotFound.resource("Customer", customer_id)
        raise ValidationFailed.field(field, "must be another customer than the one deleted")
    locked = {i: repository.get(i, for_update=True) for i in sorted({customer_id, target_id})}
    source, target = locked[customer_id], locked[target_id]
    if source is None:
        raise NotFound.resource("Customer", customer_id)
    if target is None:
        raise ValidationFailed.field(field, f"no customer {target_id} in this organization")
    return source, target


def delete(session: Session, customer: Customer) -> None:
    """Delete a customer nothing names any more (what named it was moved first)."""
    CustomerRepository(session, customer.organization_id).delete(customer)


def get_with_tags(
    session: Session, organization_id: str, customer_id: str
) -> tuple[Customer, list[Tag]]:
    found = CustomerRepository(session, organization_id).get_with_tags(customer_id)
    if found is None:
        raise NotFound.resource("Customer", customer_id)
    return found


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[Customer], int]:
    return CustomerRepository(session, organization_id).page(query)


def find(
    session: Session, organization_id: str, customer_id: str, *, for_update: bool = False
) -> Customer | None:
    """The organization's customer, or None (for other domains that check a reference)."""
    return CustomerRepository(session, organization_id).get(customer_id, for_update=for_update)


def find_many(
    session: Session, organization_id: str, customer_ids: Collection[str]
) -> list[Customer]:
    return CustomerRepository(session, organization_id).get_many(customer_ids)


def check_filter(text: str) -> None:
    """Refuse a filter the customer collection does not understand (ValidationFailed)."""
    filter_clause(FIELDS, text)


def matches_filter(session: Session, organization_id: str, customer_id: str, text: str) -> bool:
    """Whether the customer, as it is now, passes a filter of the customer collection."""
    return CustomerRepository(session, organization_id).matches(customer_id, text)
