from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.aml.enums import AmlCheckStatus, NoMatchReason, ReviewerType, ScreeningSource
from openkyc.db.base import Base, ResourceMixin, TimestampedMixin, tenant_table_args
from openkyc.db.types import EnumText, JSONType, UTCDateTime


class AmlListEntry(TimestampedMixin, Base):
    """A person or organization of a watchlist, as the operator loaded it. Watchlists are the
    operator's and shared by every organization; the checks made against them are not."""

    __tablename__ = "aml_list_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The named source it was loaded from and its id there (a FollowTheMoney entity id).
    source: Mapped[str] = mapped_column(String(100), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(255), nullable=False)
    schema: Mapped[str] = mapped_column(String(50), nullable=False)
    caption: Mapped[str] = mapped_column(String(500), nullable=False)
    # The names as tokens, the dates, places and the hit shown to a reviewer.
    names: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False)
    birth_dates: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    places: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    hit: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    # What the entry says, hashed: a change of the entry is a reason to screen again.
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    # The load that last saw it; a full load removes the source's entries it did not see.
    load_id: Mapped[str] = mapped_column(String(50), nullable=False)

    __table_args__ = (
        UniqueConstraint("source", "entity_id"),
        Index(None, "source", "load_id"),
    )


class AmlListKey(Base):
    """The index customers are screened through: one row per sound or consonant key of a
    name token of an entry. A customer's keys find the few entries worth comparing."""

    __tablename__ = "aml_list_keys"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("aml_list_entries.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index(None, "entry_id"),)


class AmlSettingsRow(TimestampedMixin, Base):
    """An organization's AML settings; absent until the merchant changes the defaults."""

    __tablename__ = "aml_settings"

    organization_id: Mapped[str] = mapped_column(
        String(50), ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def _customer_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "customer_id"],
        ["customers.organization_id", "customers.id"],
        ondelete="CASCADE",
    )


class AmlCheck(ResourceMixin, Base):
    """One screening of a customer: what the customer's data was, the hits found, and the
    review of people."""

    __tablename__ = "aml_checks"

    customer_id: Mapped[str] = mapped_column(String(50), nullable=False)
    website_id: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[ScreeningSource] = mapped_column(EnumText(ScreeningSource, 20), nullable=False)
    status: Mapped[AmlCheckStatus] = mapped_column(EnumText(AmlCheckStatus, 20), nullable=False)
    priority: Mapped[str | None] = mapped_column(String(2))
    # The customer's data screened (the wire's primaryAddress) and its digest.
    customer_data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    customer_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False)
    no_match_reason: Mapped[NoMatchReason | None] = mapped_column(EnumText(NoMatchReason, 60))
    no_match_details: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    reviewer_id: Mapped[str | None] = mapped_column(String(50))
    reviewer_name: Mapped[str | None] = mapped_column(String(255))
    reviewer_type: Mapped[ReviewerType | None] = mapped_column(EnumText(ReviewerType, 10))
    review_start_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's decision in force, and one waiting for a second person (four eyes).
    decision_id: Mapped[str | None] = mapped_column(String(50))
    proposal_id: Mapped[str | None] = mapped_column(String(50))
    # Who the customer was, hashed, as other customers' checks are looked up by it: the
    # name and birth date (when both are known), the primary phone number's digits.
    person_key: Mapped[str | None] = mapped_column(String(64))
    phone_key: Mapped[str | None] = mapped_column(String(64))
    # The check whose status this one inherited, and why; cleared when a person decides.
    inherited_from_id: Mapped[str | None] = mapped_column(String(50))
    inherited_reasons: Mapped[list[str] | None] = mapped_column(JSONType)

    __table_args__ = tenant_table_args(
        _customer_fk(),
        Index(None, "organization_id", "customer_id", "created_time"),
        Index(None, "organization_id", "person_key"),
        Index(None, "organization_id", "phone_key"),
        Index(None, "organization_id", "status"),
        Index(None, "organization_id", "priority"),
        Index(None, "organization_id", "source"),
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "updated_time"),
    )


class AmlCheckDecision(Base):
    """One decision a person made on an AML check; never changed, only followed."""

    __tablename__ = "aml_check_decisions"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    aml_check_id: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    author_id: Mapped[str] = mapped_column(String(50), nullable=False)
    author_name: Mapped[str] = mapped_column(String(255), nullable=False)
    author_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    reverses_id: Mapped[str | None] = mapped_column(String(50))
    confirms_id: Mapped[str | None] = mapped_column(String(50))
    overrode_holder_id: Mapped[str | None] = mapped_column(String(50))
    overrode_holder_name: Mapped[str | None] = mapped_column(String(255))
    created_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "aml_check_id"],
            ["aml_checks.organization_id", "aml_checks.id"],
            ondelete="CASCADE",
        ),
        Index(None, "organization_id", "aml_check_id", "created_time"),
    )


class AmlCheckTag(Base):
    __tablename__ = "aml_check_tags"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    aml_check_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    tag_id: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "aml_check_id"],
            ["aml_checks.organization_id", "aml_checks.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "tag_id"], ["tags.organization_id", "tags.id"], ondelete="CASCADE"
        ),
        Index(None, "organization_id", "tag_id"),
    )


class AmlSuppression(TimestampedMixin, Base):
    """A list entry a person judged a false positive for a customer: not raised again for
    that customer until ``until``, unless the entry or the customer's data changes."""

    __tablename__ = "aml_suppressions"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    entry_key: Mapped[str] = mapped_column(String(360), primary_key=True)
    entry_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    customer_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    aml_check_id: Mapped[str] = mapped_column(String(50), nullable=False)
    until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (_customer_fk(),)


class AmlCustomerKey(Base):
    """The index keys of a customer's name as last screened, so that a changed list entry
    finds the customers it could match (ongoing monitoring) without screening them all."""

    __tablename__ = "aml_customer_keys"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)

    __table_args__ = (_customer_fk(), Index(None, "key"))
