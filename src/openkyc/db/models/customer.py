from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import JSONType


class Customer(ResourceMixin, Base):
    """A merchant's customer. Filterable parts of the primary address are columns of their own."""

    __tablename__ = "customers"

    email: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str | None] = mapped_column(String(45))
    last_name: Mapped[str | None] = mapped_column(String(45))
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(45))
    city: Mapped[str | None] = mapped_column(String(45))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    dob: Mapped[str | None] = mapped_column(String(10))
    website_id: Mapped[str | None] = mapped_column(String(50))
    person_id: Mapped[str | None] = mapped_column(String(50))
    locale: Mapped[str | None] = mapped_column(String(20))
    preferred_payout_instrument_id: Mapped[str | None] = mapped_column(String(50))
    has_fulfilled_kyc: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    primary_address: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    tax_numbers: Mapped[list[Any] | None] = mapped_column(JSONType)
    notification_emails: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    lead_source: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = tenant_table_args(
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "updated_time"),
        Index("ix_customers_org_email", "organization_id", func.lower(email)),
        Index("ix_customers_org_first_name", "organization_id", func.lower(first_name)),
        Index("ix_customers_org_last_name", "organization_id", func.lower(last_name)),
        Index("ix_customers_org_city", "organization_id", func.lower(city)),
        Index("ix_customers_org_region", "organization_id", func.lower(region)),
        Index(None, "organization_id", "country"),
        Index(None, "organization_id", "has_fulfilled_kyc"),
        Index(None, "organization_id", "postal_code"),
        Index(None, "organization_id", "dob"),
        Index(None, "organization_id", "website_id"),
    )
