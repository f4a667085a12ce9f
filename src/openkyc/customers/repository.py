from __future__ import annotations

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page, text_search
from openkyc.db.models import Customer, CustomerTag, Tag

FIELDS = FieldSet.of(
    Field("id", Customer.id),
    Field("email", Customer.email, "text"),
    Field("firstName", Customer.first_name, "text"),
    Field("lastName", Customer.last_name, "text"),
    Field("primaryAddress.firstName", Customer.first_name, "text"),
    Field("primaryAddress.lastName", Customer.last_name, "text"),
    Field("primaryAddress.city", Customer.city, "text"),
    Field("primaryAddress.region", Customer.region, "text"),
    Field("primaryAddress.country", Customer.country),
    Field("primaryAddress.postalCode", Customer.postal_code),
    Field("primaryAddress.dob", Customer.dob, "date"),
    Field("websiteId", Customer.website_id),
    Field("hasFulfilledKyc", Customer.has_fulfilled_kyc, "boolean", sortable=False),
    Field("createdTime", Customer.created_time, "datetime"),
    Field("updatedTime", Customer.updated_time, "datetime"),
)


# Built once: building a statement costs about what running this one does.
_WITH_TAGS = (
    select(Customer, Tag)
    .outerjoin(
        CustomerTag,
        and_(
            CustomerTag.organization_id == Customer.organization_id,
            CustomerTag.customer_id == Customer.id,
        ),
    )
    .outerjoin(
        Tag, and_(Tag.organization_id == CustomerTag.organization_id, Tag.id == CustomerTag.tag_id)
    )
    .where(
        Customer.organization_id == bindparam("organization_id"),
        Customer.id == bindparam("customer_id"),
    )
    .order_by(Tag.name)
)


class CustomerRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, customer_id: str, *, for_update: bool = False) -> Customer | None:
        return self.session.get(
            Customer, (self.organization_id, customer_id), with_for_update=for_update
        )

    def get_with_tags(self, customer_id: str) -> tuple[Customer, list[Tag]] | None:
        """The customer and its tags (by name) in one statement: reading a customer is the
        commonest request, and a second round trip for its tags cost a tenth of it."""
        rows = self.session.execute(
            _WITH_TAGS, {"organization_id": self.organization_id, "customer_id": customer_id}
        ).all()
        if not rows:
            return None
        return rows[0][0], [tag for _, tag in rows if tag is not None]

    def get_many(self, customer_ids: set[str] | list[str]) -> list[Customer]:
        statement = select(Customer).where(
            Customer.organization_id == self.organization_id, Customer.id.in_(list(customer_ids))
        )
        return list(self.session.scalars(statement))

    def page(self, query: CollectionQuery) -> tuple[list[Customer], int]:
        statement = select(Customer).where(Customer.organization_id == self.organization_id)
        if query.q:
            columns = (Customer.email, Customer.first_name, Customer.last_name, Customer.id)
            statement = statement.where(text_search(query.q, *columns))
        return fetch_page(self.session, statement, FIELDS, query)

    def add(self, customer: Customer) -> Customer:
        self.session.add(customer)
        self.session.flush()
        return customer

    def delete(self, customer: Customer) -> None:
        self.session.delete(customer)
        self.session.flush()
