"""AML checks on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from openkyc.aml.enums import (
    AmlCheckStatus,
    Confidence,
    InheritanceReason,
    NoMatchReason,
    ReviewerType,
    ScreeningSource,
)
from openkyc.wire import Link, ResourceId, Timestamp, WireModel, links_field

ConfidenceFactor = Literal[
    "confidence_exact_country",
    "confidence_mismatch_country",
    "confidence_missing_country",
    "confidence_exact_dob",
    "confidence_mismatch_dob",
    "confidence_missing_dob",
    "confidence_exact_yob",
    "confidence_inexact_yob",
    "confidence_strong_hit_relevance",
    "confidence_weak_hit_relevance",
    "confidence_exact_full_name",
    "confidence_fuzzy_full_name",
]
MatchCriterion = Literal[
    "match_exact_name",
    "match_phonetic_first_name",
    "match_phonetic_last_name",
    "match_exact_full_name",
    "match_aka_exact_name",
    "match_aka_phonetic_first_name",
    "match_aka_phonetic_last_name",
    "match_aka_exact_full_name",
    "match_fuzzy_nationality",
    "match_exact_address",
    "match_exact_city",
    "match_exact_region",
    "match_exact_country",
    "match_exact_post_code",
]


class MatchDetails(WireModel):
    """Why the entry matched: what raised or lowered the confidence, and what matched."""

    confidenceFactors: list[ConfidenceFactor]
    matchCriteria: list[MatchCriterion]


class HitAddress(WireModel):
    address: str | None = None
    address2: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    birthplace: bool = False


class HitAlias(WireModel):
    firstName: str
    lastName: str | None = None
    authenticity: Literal["strong", "weak", "unknown"]


class HitPassport(WireModel):
    number: str
    registrationDate: str | None = None


class AmlHit(WireModel):
    """A list entry that may be the customer."""

    firstName: str
    lastName: str | None
    source: str
    sourceType: list[
        Literal["pep", "sanctions", "adverse-media", "enforcements", "state-owned-enterprise"]
    ]
    gender: str | None
    title: list[str] | None
    type: Literal["individual", "entity"]
    legalBasis: list[str]
    regime: str | None
    confidence: Confidence
    nationality: str
    address: list[HitAddress]
    dob: list[str]
    aliases: list[HitAlias]
    passport: list[HitPassport]
    comments: str | None
    metadata: dict[str, Any] | None = None
    matchDetails: MatchDetails | None
    entityId: str = Field(description="openkyc: the entry's id in its source (the list's own id).")


class ScreenedPerson(WireModel):
    firstName: str | None = None
    lastName: str | None = None
    dob: str | None = None
    address: str | None = None
    address2: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    postalCode: str | None = None


class ScreenedCustomer(WireModel):
    id: str
    primaryAddress: ScreenedPerson
    organizationId: str


class Provenance(WireModel):
    """Where the check's status comes from when it was inherited from another check."""

    inherited: bool
    inheritedFromAmlCheckId: str
    scope: list[Literal["status-only"]]
    reasons: list[InheritanceReason]


class AmlCheckOut(WireModel):
    id: str
    createdTime: Timestamp
    updatedTime: Timestamp
    websiteId: str | None
    reviewerId: str | None
    reviewerType: ReviewerType | None
    reviewerName: str | None
    reviewStartTime: Timestamp | None
    reviewTime: Timestamp | None
    priority: str | None
    source: ScreeningSource
    status: AmlCheckStatus
    customer: ScreenedCustomer
    hits: list[AmlHit]
    tags: list[dict[str, Any]]
    provenance: Provenance | None = None
    noMatchReason: NoMatchReason | None
    noMatchDetails: list[str]
    revision: int = Field(description="openkyc: how many times the check changed.")
    links: list[Link] = links_field()


class AmlCheckReview(WireModel):
    status: Literal["confirmed-match", "false-positive"]


class AmlCheckDecisionOut(WireModel):
    """openkyc: one decision a person made on an AML check."""

    id: str
    status: str
    state: Literal["proposed", "effective"]
    authorId: str
    authorName: str
    reverses: str | None
    confirms: str | None
    overrodeHolderId: str | None
    overrodeHolderName: str | None
    createdTime: Timestamp

    @classmethod
    def of(cls, record: Any) -> AmlCheckDecisionOut:
        created: datetime = record.created_time
        return cls(
            id=record.id,
            status=record.status,
            state=record.state,
            authorId=record.author_id,
            authorName=record.author_name,
            reverses=record.reverses_id,
            confirms=record.confirms_id,
            overrodeHolderId=record.overrode_holder_id,
            overrodeHolderName=record.overrode_holder_name,
            createdTime=created,
        )


class ScreeningIn(WireModel):
    """openkyc: the customer to screen now."""

    customerId: ResourceId
