from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from openkyc.aml import flows as aml
from openkyc.customers import service, views
from openkyc.customers.schemas import CustomerIn, CustomerOut
from openkyc.db.ids import ID_PATTERN
from openkyc.db.models import Customer
from openkyc.flows import merge
from openkyc.timeline import authors
from openkyc.web.collections import (
    Collection,
    Expand,
    Fields,
    check_expand,
    member_response,
    page_response,
)
from openkyc.web.deps import RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.links import Links
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/customers", tags=["Customers"], route_class=OneHopRoute)


def _one(
    session: Session, customer: Customer, links: Links, expand: frozenset[str] = frozenset()
) -> CustomerOut:
    return views.customers_out(session, customer.organization_id, [customer], links, expand)[0]


@router.get("", operation_id="GetCustomerCollection", response_model=list[CustomerOut])
def list_customers(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    query: Collection,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """Customers of the organization, filtered, sorted and paginated."""
    check_expand(expand, views.EXPANDABLE)
    customers, total = service.page(session, auth.organization_id, query)
    return page_response(
        views.customers_out(session, auth.organization_id, customers, links, expand),
        total,
        query,
        fields,
    )


@router.post("", operation_id="PostCustomer", status_code=201, response_model=CustomerOut)
def create_customer(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, body: CustomerIn, expand: Expand
) -> JSONResponse:
    """Create a customer with a new id."""
    check_expand(expand, views.EXPANDABLE)
    created = service.create(session, auth.organization_id, body, links)
    aml.customer_saved(session, created, links, authors.of(auth))
    out = views.customer_out(created, [], links, expand)  # a new customer has no tags yet
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("/{id}", operation_id="GetCustomer", response_model=CustomerOut)
def get_customer(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """One customer."""
    check_expand(expand, views.EXPANDABLE)
    customer, tags = service.get_with_tags(session, auth.organization_id, id)
    return member_response(views.customer_out(customer, tags, links, expand), fields)


@router.put(
    "/{id}",
    operation_id="PutCustomer",
    response_model=CustomerOut,
    responses={201: {"model": CustomerOut, "description": "Customer created with this id."}},
)
def put_customer(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: CustomerIn,
    expand: Expand,
) -> JSONResponse:
    """Create or replace the customer with this id (upsert)."""
    check_expand(expand, views.EXPANDABLE)
    customer, created = service.upsert(session, auth.organization_id, id, body, links)
    aml.customer_saved(session, customer, links, authors.of(auth))
    out = _one(session, customer, links, expand)
    if created:
        return member_response(out, status_code=201, location=out.links[0].href)
    return member_response(out)


TargetCustomerId = Annotated[
    str,
    Query(
        max_length=50,
        pattern=ID_PATTERN.pattern,
        description="ID of the customer that receives everything of the deleted one; another "
        "existing customer of the organization.",
    ),
]


@router.delete("/{id}", operation_id="DeleteCustomer", status_code=204)
def merge_customer(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    targetCustomerId: TargetCustomerId,
) -> Response:
    """Merge a duplicate customer into the target customer and delete it: its KYC requests,
    KYC documents, liveness sessions, gatherer uploads, attachments and tags move to the
    target, each moved resource with a new revision. The target gets a new revision and
    `customer-merged`. Gatherer links and customer tokens issued for the deleted customer stop
    working; the moved requests' `_links` carry new ones."""
    merge.merge_into(session, auth.organization_id, id, targetCustomerId, links, authors.of(auth))
    return Response(status_code=204)
