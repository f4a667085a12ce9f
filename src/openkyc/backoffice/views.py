"""What the document page shows, drawn from a document and its customer: the data read beside
the customer's with each difference marked, the MRZ check digits, the face comparison and the
checks with their weights. Presentation only: every value comes from what the analyser
stored."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from openkyc.db.models import Customer, KycDocument
from openkyc.kyc.documents import service as documents
from openkyc.kyc.enums import RejectionType

REJECTION_TYPES: tuple[str, ...] = tuple(RejectionType)


@dataclass(frozen=True)
class Compared:
    label: str
    read: str | None
    expected: str | None

    @property
    def state(self) -> str:
        """same, differs, not-read or nothing-to-compare."""
        if not self.read:
            return "not-read"
        if not self.expected:
            return "nothing-to-compare"
        return "same" if _plain(self.read) == _plain(self.expected) else "differs"


@dataclass(frozen=True)
class CheckRow:
    name: str
    failed: bool
    # False when it failed only because something could not be read (never rejects alone).
    conclusive: bool
    weight: int | None
    score: int
    reason: str | None


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    return re.sub(r"[^0-9a-z]", "", "".join(c for c in folded if not unicodedata.combining(c)))


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _data(matches: dict[str, Any] | None) -> dict[str, Any]:
    return dict((matches or {}).get("data") or {})


def _expected(customer: Customer) -> dict[str, Any]:
    address = dict(customer.primary_address or {})
    return {
        "firstName": address.get("firstName") or customer.first_name,
        "lastName": address.get("lastName") or customer.last_name,
        "dob": address.get("dob") or customer.dob,
        "country": address.get("country") or customer.country,
        "line1": address.get("address"),
        "city": address.get("city") or customer.city,
        "region": address.get("region") or customer.region,
        "postalCode": address.get("postalCode") or customer.postal_code,
    }


def compared(document: KycDocument, customer: Customer) -> list[Compared]:
    """What the document says beside what the merchant said of the customer."""
    parsed = _data(document.parsed_data)
    matches = _data(document.document_matches)
    expected = _expected(customer)
    if document.document_type == "identity-proof":
        return [
            Compared("First name", _text(parsed.get("givenNames")), expected["firstName"]),
            Compared("Last name", _text(parsed.get("surname")), expected["lastName"]),
            Compared("Date of birth", _text(parsed.get("dateOfBirth")), expected["dob"]),
            Compared("Nationality", _text(matches.get("nationality")), expected["country"]),
            Compared("Document number", _text(parsed.get("documentNumber")), None),
            Compared("Expires", _text(parsed.get("expirationDate")), None),
        ]
    if document.document_type == "address-proof":
        return [
            Compared(label, _text(matches.get(key)), expected[key])
            for label, key in (
                ("First name", "firstName"),
                ("Last name", "lastName"),
                ("Address", "line1"),
                ("City", "city"),
                ("Region", "region"),
                ("Postal code", "postalCode"),
            )
        ] + [Compared("Dated", _text(parsed.get("date")), None)]
    return []


def checks(document: KycDocument) -> list[CheckRow]:
    """Every check the analyser ran, with the weight the document was scored with."""
    weights = dict((document.settings or {}).get("weights") or {})
    return [
        CheckRow(
            name=str(check.get("name")),
            failed=bool(check.get("failed")),
            conclusive=documents.conclusive(check),
            weight=weights.get(str(check.get("name"))),
            score=int(check.get("score") or 0),
            reason=check.get("reason"),
        )
        for check in (document.document_matches or {}).get("checkList") or []
    ]


def mrz(document: KycDocument) -> dict[str, Any] | None:
    """The machine-readable zone as read: its lines and each check digit's result."""
    found = _data(document.parsed_data).get("mrz")
    return found if isinstance(found, dict) and found.get("lines") else None


def face(document: KycDocument) -> dict[str, Any] | None:
    """The document's portrait against the selfie: the distance of the two faces (0 is the
    same picture) and that as a similarity."""
    distance = _data(document.parsed_data).get("faceDistance")
    if distance is None:
        return None
    return {"distance": distance, "similarity": round(max(0.0, 1.0 - float(distance)) * 100)}


def score(document: KycDocument) -> int | None:
    value = (document.document_matches or {}).get("score")
    return int(value) if value is not None else None


# What each of an AML hit's reasons means, in the words of the check page.
AML_REASONS = {
    "confidence_exact_country": "the country is the same",
    "confidence_mismatch_country": "the country differs",
    "confidence_missing_country": "no country to compare",
    "confidence_exact_dob": "the birth date is the same",
    "confidence_mismatch_dob": "the birth date differs",
    "confidence_missing_dob": "no birth date to compare",
    "confidence_exact_yob": "the birth year is the same",
    "confidence_inexact_yob": "the birth year is a year apart",
    "confidence_strong_hit_relevance": "the name matches strongly",
    "confidence_weak_hit_relevance": "the name matches weakly",
    "confidence_exact_full_name": "the full name is the same",
    "confidence_fuzzy_full_name": "the full name is close (a few letters differ)",
    "match_exact_name": "a name is the same",
    "match_phonetic_first_name": "the first name sounds the same",
    "match_phonetic_last_name": "the last name sounds the same",
    "match_exact_full_name": "the full name is the same",
    "match_aka_exact_name": "a name of an alias is the same",
    "match_aka_phonetic_first_name": "an alias's first name sounds the same",
    "match_aka_phonetic_last_name": "an alias's last name sounds the same",
    "match_aka_exact_full_name": "an alias's full name is the same",
    "match_fuzzy_nationality": "the nationality matches",
    "match_exact_address": "the address is the same",
    "match_exact_city": "the city is the same",
    "match_exact_region": "the region is the same",
    "match_exact_country": "the country is the same",
    "match_exact_post_code": "the postal code is the same",
}
AML_DECISIONS = {"confirmed-match": "Confirm the match", "false-positive": "False positive"}


@dataclass(frozen=True)
class Beside:
    """A field of an AML hit beside the customer's: the entry may hold several values
    (aliases, birth dates, addresses); the field is the same when any of them is."""

    label: str
    entry: str | None
    customer: str | None
    state: str


def _beside(label: str, customer: str | None, shown: list[str], options: list[str]) -> Beside:
    distinct = {_plain(v): v for v in reversed(shown) if v}  # the first spelling of each
    entry = "; ".join(reversed(distinct.values())) or None
    if not entry:
        state = "not-read"
    elif not customer:
        state = "nothing-to-compare"
    else:
        same = any(_plain(o) == _plain(customer) for o in options if o)
        state = "same" if same else "differs"
    return Beside(label, entry, customer or None, state)


@dataclass(frozen=True)
class AmlHitView:
    """A hit as the check page shows it: the customer's data beside the entry's, and why
    it matched in words."""

    hit: dict[str, Any]
    compared: list[Beside]
    factors: list[tuple[str, str]]
    criteria: list[tuple[str, str]]


def _name(part: dict[str, Any]) -> str:
    return " ".join(p for p in (part.get("firstName"), part.get("lastName")) if p)


def aml_hit(screened: dict[str, Any], hit: dict[str, Any]) -> AmlHitView:
    """One hit beside the customer's data as screened, with its reasons in words."""
    addresses = list(hit.get("address") or [])
    names = [_name(hit), *(_name(a) for a in hit.get("aliases") or [])]
    dobs = [str(d) for d in hit.get("dob") or []]
    countries = [hit.get("nationality") or "", *(a.get("country") or "" for a in addresses)]
    cities = [a.get("city") or "" for a in addresses]
    lines = [a.get("address") or "" for a in addresses]
    details = hit.get("matchDetails") or {}
    return AmlHitView(
        hit=hit,
        compared=[
            _beside("Name", _name(screened) or None, names[:1], names),
            _beside("Aliases", None, names[1:], []),
            _beside("Birth date", screened.get("dob"), dobs, dobs),
            _beside("Country", screened.get("country"), countries, countries),
            _beside("City", screened.get("city"), cities, cities),
            _beside("Address", screened.get("address"), lines, lines),
        ],
        factors=[(f, AML_REASONS.get(f, f)) for f in details.get("confidenceFactors") or []],
        criteria=[(c, AML_REASONS.get(c, c)) for c in details.get("matchCriteria") or []],
    )
