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
