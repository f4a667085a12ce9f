"""Turning the candidates the index found into hits: each compared with the customer's name,
birth date and place, given the confidence and priority the organization's settings say,
with its reasons (matchDetails). Entries a person judged false positives for this customer
stay out while their suppression holds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openkyc.aml import matching
from openkyc.aml.enums import (
    CONFIDENCE_ORDER,
    BirthMatch,
    Confidence,
    NameMatch,
    NoMatchReason,
    PlaceMatch,
    Priority,
)
from openkyc.aml.settings import service as aml_settings
from openkyc.aml.settings.schemas import AmlSettings
from openkyc.db.models import AmlSuppression, Customer

PERSON_FIELDS = (
    "firstName",
    "lastName",
    "dob",
    "address",
    "address2",
    "city",
    "region",
    "country",
    "postalCode",
)


def screened_person(customer: Customer) -> dict[str, str | None]:
    """What of the customer is screened, as the check keeps it (its primaryAddress)."""
    address = customer.primary_address or {}
    return {
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "dob": customer.dob,
        "address": address.get("address"),
        "address2": address.get("address2"),
        "city": customer.city,
        "region": customer.region,
        "country": customer.country,
        "postalCode": customer.postal_code,
    }


def person_digest(person: Mapping[str, str | None]) -> str:
    text = json.dumps([person.get(f) for f in PERSON_FIELDS], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _hashed(parts: list[str]) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _written(value: str | None) -> str:
    """A name as written, without the differences of case and spacing."""
    return " ".join((value or "").split()).casefold()


def person_key(person: Mapping[str, str | None]) -> str | None:
    """Who the customer is, hashed: the name and birth date, exactly as written (case and
    spacing aside); None unless both a name and a birth date are known."""
    first, last = _written(person.get("firstName")), _written(person.get("lastName"))
    dob = person.get("dob") or ""
    if not dob or not (first or last):
        return None
    return _hashed([first, last, dob])


# A number with fewer digits than this says too little to tell customers apart.
MIN_PHONE_DIGITS = 6
DIGITS = frozenset("0123456789")


def phone_key(customer: Customer) -> str | None:
    """The customer's primary phone number (the one marked primary, else the first), as its
    digits, hashed; None without one."""
    phones = [p for p in (customer.primary_address or {}).get("phoneNumbers") or [] if p]
    chosen = next((p for p in phones if p.get("primary")), phones[0] if phones else None)
    digits = "".join(c for c in str((chosen or {}).get("value") or "") if c in DIGITS)
    return _hashed([digits]) if len(digits) >= MIN_PHONE_DIGITS else None


def person_tokens(person: Mapping[str, str | None]) -> tuple[str, ...]:
    return matching.name_tokens(person.get("firstName"), person.get("lastName"))


def person_keys(person: Mapping[str, str | None]) -> set[str]:
    return matching.index_keys(person_tokens(person))


def _place(person: Mapping[str, str | None]) -> matching.Place:
    def one(value: str | None) -> frozenset[str]:
        text = matching.place_text(value)
        return frozenset({text}) if text else frozenset()

    country = (person.get("country") or "").upper()
    return matching.Place(
        countries=frozenset({country}) if country else frozenset(),
        cities=one(person.get("city")),
        regions=one(person.get("region")),
        postal_codes=one(person.get("postalCode")),
        streets=one(person.get("address")),
    )


def _entry_place(places: Mapping[str, Any]) -> matching.Place:
    return matching.Place(
        countries=frozenset(places.get("countries", [])),
        nationalities=frozenset(places.get("nationalities", [])),
        cities=frozenset(places.get("cities", [])),
        regions=frozenset(places.get("regions", [])),
        postal_codes=frozenset(places.get("postalCodes", [])),
        streets=frozenset(places.get("streets", [])),
        texts=tuple(places.get("texts", [])),
    )


def entry_key(entry: Any) -> str:
    return f"{entry.source}:{entry.entity_id}"


@dataclass
class Outcome:
    hits: list[dict[str, Any]] = field(default_factory=list)
    mismatched: int = 0
    below_threshold: int = 0
    suppressed: int = 0

    @property
    def no_match_reason(self) -> NoMatchReason | None:
        if self.hits:
            return None
        if self.mismatched:
            return NoMatchReason.MISMATCHED_HITS
        if self.below_threshold:
            return NoMatchReason.BELOW_THRESHOLD
        return NoMatchReason.NO_HITS_FOUND

    @property
    def no_match_details(self) -> list[str]:
        details = []
        if self.suppressed:
            details.append("hits_suppressed_as_false_positives")
        return details

    @property
    def priority(self) -> Priority | None:
        return aml_settings.most_urgent([h["priority"] for h in self.hits])


def _dob(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _suppressed(
    entry: Any, suppression: AmlSuppression | None, person_hash: str, now: datetime
) -> bool:
    return (
        suppression is not None
        and suppression.until > now
        and suppression.entry_digest == entry.digest
        and suppression.customer_digest == person_hash
    )


def evaluate(
    person: Mapping[str, str | None],
    entries: Iterable[Any],
    settings: AmlSettings,
    suppressions: Mapping[str, AmlSuppression],
    now: datetime,
    hits_of: Callable[[list[int]], Mapping[int, dict[str, Any]]],
) -> Outcome:
    """Compare the customer with each candidate (an entry's id, source, entity_id, names,
    birth_dates, places and digest); the hits, the most confident first. ``hits_of`` reads
    what reviewers see of the entries that matched."""
    first = matching.name_tokens(person.get("firstName"))
    last = matching.name_tokens(person.get("lastName"))
    dob = _dob(person.get("dob"))
    place = _place(person)
    person_hash = person_digest(person)
    outcome = Outcome()
    matched: list[
        tuple[Any, matching.NameResult, BirthMatch, matching.PlaceResult, Confidence]
    ] = []
    for entry in entries:
        names = [matching.ListName(tuple(n["tokens"]), bool(n["alias"])) for n in entry.names]
        name = matching.best_name(first, last, names)
        if name is None:
            continue
        birth = matching.compare_birth(dob, entry.birth_dates)
        if birth == BirthMatch.MISMATCH:
            outcome.mismatched += 1
            continue
        where = matching.compare_place(place, _entry_place(entry.places))
        level = aml_settings.confidence(settings, birth, name.quality, where.address, where.country)
        if level is None:
            outcome.below_threshold += 1
            continue
        if _suppressed(entry, suppressions.get(entry_key(entry)), person_hash, now):
            outcome.suppressed += 1
            continue
        matched.append((entry, name, birth, where, level))
    shown = hits_of([entry.id for entry, *_ in matched])
    outcome.hits = [_hit(e, shown[e.id], n, b, w, lv, settings) for e, n, b, w, lv in matched]
    outcome.hits.sort(key=lambda h: (-CONFIDENCE_ORDER.index(h["confidence"]), h["entryKey"]))
    return outcome


def _hit(
    entry: Any,
    shown: dict[str, Any],
    name: matching.NameResult,
    birth: BirthMatch,
    where: matching.PlaceResult,
    level: Confidence,
    settings: AmlSettings,
) -> dict[str, Any]:
    source_types = list(shown.get("sourceType", []))
    return {
        **shown,
        "source": entry.source,
        "confidence": str(level),
        "matchDetails": {
            "confidenceFactors": _factors(name, birth, where),
            "matchCriteria": [*name.criteria, *where.criteria],
        },
        "entityId": entry.entity_id,
        # openkyc's own, kept with the check and never shown: which entry, in which state.
        "priority": aml_settings.priority(settings, source_types, level),
        "entryKey": entry_key(entry),
        "entryDigest": entry.digest,
    }


BIRTH_FACTORS = {
    BirthMatch.DOB: "confidence_exact_dob",
    BirthMatch.YOB: "confidence_exact_yob",
    BirthMatch.INEXACT_YOB: "confidence_inexact_yob",
    BirthMatch.NO_DOB: "confidence_missing_dob",
}
COUNTRY_FACTORS = {
    PlaceMatch.MATCHING_COUNTRY: "confidence_exact_country",
    PlaceMatch.MISMATCHING_COUNTRY: "confidence_mismatch_country",
    PlaceMatch.NO_COUNTRY: "confidence_missing_country",
}


def _factors(
    name: matching.NameResult, birth: BirthMatch, where: matching.PlaceResult
) -> list[str]:
    strong = name.quality in (NameMatch.EXACT, NameMatch.INEXACT)
    return [
        "confidence_exact_full_name"
        if name.quality == NameMatch.EXACT
        else "confidence_fuzzy_full_name",
        BIRTH_FACTORS[birth],
        COUNTRY_FACTORS[where.country],
        "confidence_strong_hit_relevance" if strong else "confidence_weak_hit_relevance",
    ]


def same_hits(hits: list[dict[str, Any]], others: list[dict[str, Any]]) -> bool:
    """Whether two checks found the same entries in the same state."""

    def seen(found: list[dict[str, Any]]) -> set[tuple[str, str]]:
        return {(h.get("entryKey", ""), h.get("entryDigest", "")) for h in found}

    return seen(hits) == seen(others)
