from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import EmailStr, Field, StrictBool, StringConstraints

from openkyc.db.models import Customer
from openkyc.wire import (
    IsoDate,
    Link,
    ResourceId,
    Timestamp,
    WireModel,
    embedded_field,
    links_field,
)

Text45 = Annotated[str, StringConstraints(max_length=45)]
Text60 = Annotated[str, StringConstraints(max_length=60)]
Text255 = Annotated[str, StringConstraints(max_length=255)]
# The longest address email-validator (and SMTP, RFC 5321) takes.
EmailAddress = Annotated[EmailStr, StringConstraints(max_length=254)]


class PhoneNumber(WireModel):
    label: Annotated[str, StringConstraints(max_length=45)]
    value: Annotated[str, StringConstraints(max_length=50)]
    primary: StrictBool | None = None


class Email(WireModel):
    label: Annotated[str, StringConstraints(max_length=45)]
    value: EmailAddress
    primary: StrictBool | None = None


class Contact(WireModel):
    """A person's name, address, phones, emails and date of birth."""

    firstName: Text45 | None = None
    lastName: Text45 | None = None
    organization: Text255 | None = None
    address: Text60 | None = None
    address2: Text60 | None = None
    city: Text45 | None = None
    region: Text45 | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    postalCode: Annotated[str, StringConstraints(max_length=10, pattern=r"^[\w\s\-]+$")] | None = (
        None
    )
    phoneNumbers: list[PhoneNumber] = Field(default_factory=list)
    emails: list[Email] = Field(default_factory=list)
    dob: IsoDate | None = None
    jobTitle: Text255 | None = None

    def primary_email(self) -> str | None:
        chosen = next(
            (e for e in self.emails if e.primary), self.emails[0] if self.emails else None
        )
        return str(chosen.value) if chosen else None


class ContactOut(Contact):
    hash: str

    @classmethod
    def of(cls, stored: dict[str, Any]) -> ContactOut:
        # What is stored is the JSON of a contact validated when it was written: it is shown
        # as it is, not validated (e-mail addresses and all) again on every read.
        canonical = json.dumps(stored, sort_keys=True)
        digest = hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()
        return cls.model_construct(**stored, hash=digest)


class TaxNumber(WireModel):
    type: Literal["eu-vat", "other"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    isDefault: StrictBool | None = None


class LeadSource(WireModel):
    medium: Annotated[str, StringConstraints(max_length=512)] | None = None
    source: Annotated[str, StringConstraints(max_length=512)] | None = None
    campaign: Annotated[str, StringConstraints(max_length=512)] | None = None
    term: Annotated[str, StringConstraints(max_length=512)] | None = None
    content: Annotated[str, StringConstraints(max_length=512)] | None = None
    affiliate: Annotated[str, StringConstraints(max_length=512)] | None = None
    subAffiliate: Annotated[str, StringConstraints(max_length=512)] | None = None
    salesAgent: Annotated[str, StringConstraints(max_length=512)] | None = None
    clickId: Annotated[str, StringConstraints(max_length=512)] | None = None
    path: Annotated[str, StringConstraints(max_length=512)] | None = None
    referrer: Annotated[str, StringConstraints(max_length=2083)] | None = None


class CustomerIn(WireModel):
    """What a client may set on a customer; read-only fields sent back are ignored."""

    websiteId: ResourceId | None = None
    primaryAddress: Contact | None = None
    customFields: dict[str, Any] = Field(default_factory=dict)
    locale: Annotated[str, StringConstraints(max_length=20)] | None = None
    taxNumbers: list[TaxNumber] | None = None
    leadSource: LeadSource | None = None
    personId: ResourceId | None = None
    notificationEmails: list[EmailAddress] = Field(default_factory=list)
    preferredPayoutInstrumentId: ResourceId | None = None
    # Read-only in Rebilly's contract, taken as a convenience when the address has no email.
    email: EmailAddress | None = None


class Money(WireModel):
    currency: str = "USD"
    amount: float = 0
    amountUsd: float = 0


class CustomerOut(WireModel):
    id: str
    email: str | None
    firstName: str | None
    lastName: str | None
    websiteId: str | None
    organizationId: str
    primaryAddress: ContactOut | None
    customFields: dict[str, Any]
    company: None = None
    averageValue: Money = Field(default_factory=Money)
    paymentCount: int = 0
    lastPaymentTime: Timestamp | None = None
    lifetimeRevenue: Money = Field(default_factory=Money)
    invoiceCount: int = 0
    tags: list[dict[str, Any]] = Field(default_factory=list)
    revision: int
    hasFulfilledKyc: bool
    locale: str | None
    taxNumbers: list[TaxNumber] | None
    personId: str | None
    notificationEmails: list[str]
    preferredPayoutInstrumentId: str | None
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()
    embedded: dict[str, Any] | None = embedded_field()

    @classmethod
    def of(
        cls, customer: Customer, self_href: str, embedded: dict[str, Any] | None = None
    ) -> CustomerOut:
        return cls(
            id=customer.id,
            email=customer.email,
            firstName=customer.first_name,
            lastName=customer.last_name,
            websiteId=customer.website_id,
            organizationId=customer.organization_id,
            primaryAddress=ContactOut.of(customer.primary_address)
            if customer.primary_address
            else None,
            customFields=customer.custom_fields or {},
            revision=customer.revision,
            hasFulfilledKyc=customer.has_fulfilled_kyc,
            locale=customer.locale,
            taxNumbers=[TaxNumber.model_validate(t) for t in customer.tax_numbers]
            if customer.tax_numbers
            else None,
            personId=customer.person_id,
            notificationEmails=customer.notification_emails or [],
            preferredPayoutInstrumentId=customer.preferred_payout_instrument_id,
            createdTime=customer.created_time,
            updatedTime=customer.updated_time,
            links=[Link(rel="self", href=self_href)],
            embedded=embedded,
        )
