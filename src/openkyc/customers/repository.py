from __future__ import annotations

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import Customer
from openkyc.db.repository import TenantRepository

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


class CustomerRepository(TenantRepository[Customer]):
    model = Customer
    fields = FIELDS
    search = (Customer.email, Customer.first_name, Customer.last_name, Customer.id)
