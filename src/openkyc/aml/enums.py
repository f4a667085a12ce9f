from __future__ import annotations

from enum import StrEnum
from typing import Final

from openkyc.enums import WireEnum


class AmlCheckStatus(WireEnum):
    PENDING_REVIEW = "pending-review"
    IN_REVIEW = "in-review"
    NO_MATCH = "no-match"
    CONFIRMED_MATCH = "confirmed-match"
    FALSE_POSITIVE = "false-positive"


# What a person may decide about a check.
DECISIONS = frozenset({AmlCheckStatus.CONFIRMED_MATCH, AmlCheckStatus.FALSE_POSITIVE})


class ScreeningSource(WireEnum):
    """Why a customer was screened: their data was new or changed, or the lists changed."""

    SIGN_UP = "sign-up"
    RECURRING = "recurring"
    PURCHASE = "purchase"


class SourceType(StrEnum):
    """What kind of list an entry comes from (read from the entity's topics)."""

    PEP = "pep"
    SANCTIONS = "sanctions"
    ADVERSE_MEDIA = "adverse-media"
    ENFORCEMENTS = "enforcements"
    STATE_OWNED_ENTERPRISE = "state-owned-enterprise"


class Confidence(StrEnum):
    WEAK = "weak"
    MEDIUM = "medium"
    STRONG = "strong"
    VERY_STRONG = "very-strong"


CONFIDENCE_ORDER = (
    Confidence.WEAK,
    Confidence.MEDIUM,
    Confidence.STRONG,
    Confidence.VERY_STRONG,
)


class Priority(StrEnum):
    """p0 is the most urgent."""

    P0 = "p0"
    P1 = "p1"
    P2 = "p2"
    P3 = "p3"


class NameMatch(StrEnum):
    """How close the customer's name is to a name of the list entry."""

    EXACT = "exactMatch"
    INEXACT = "inexactMatch"
    WEAK = "weakMatch"


class BirthMatch(StrEnum):
    """How the customer's birth date compares with the entry's (the settings' row names)."""

    DOB = "dob"
    YOB = "yob"
    INEXACT_YOB = "inexactYob"
    NO_DOB = "noDob"
    MISMATCH = "mismatch"


class PlaceMatch(StrEnum):
    """City or region, and country: matched, not matched, or nothing to compare."""

    ADDRESS_MATCH = "addressMatch"
    ADDRESS_MISMATCH = "addressMismatch"
    NO_ADDRESS = "noAddress"
    MATCHING_COUNTRY = "matchingCountry"
    MISMATCHING_COUNTRY = "mismatchingCountry"
    NO_COUNTRY = "noCountry"


class NoMatchReason(WireEnum):
    NO_HITS_FOUND = "no_hits_found"
    MISMATCHED_HITS = "mismatched_hits"
    BELOW_THRESHOLD = "hits_are_below_relevance_score_threshold"
    INTERNAL_SYSTEM_ERROR = "internal_system_error"


class ReviewerType(WireEnum):
    HUMAN = "human"
    BOT = "bot"


class InheritanceReason(WireEnum):
    """Why a check took its status from another check (Rebilly's provenance reasons)."""

    PERSON = "customer_duplicated_by_person_exact_match"
    PHONE = "customer_duplicated_by_primary_phone_number_exact_match"
    PREVIOUS_CHECK = "customer_previous_check_exact_match"


# What an inheriting check takes from its source: the status alone, never the hits.
INHERITED_SCOPE: Final = "status-only"
# The name (and author) of the decision a check inherits.
BOT: Final = "bot"
