"""Credit bureaus behind one small interface. The sandbox bureau is the only one shipped."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Applicant:
    first_name: str
    last_name: str
    dob: date | None
    line1: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None


@dataclass(frozen=True)
class CreditFileDecision:
    """What a bureau answered, in the shape of the contract's ``CreditFileMatches``."""

    decision: str  # single-source, dual-source or other
    matches: dict[str, Any] = field(default_factory=dict)

    @property
    def proves_identity(self) -> bool:
        return self.decision in ("single-source", "dual-source")


class BureauUnavailable(Exception):
    """The bureau could not be asked (timeout, outage); the check did not happen."""


class CreditBureau(Protocol):
    name: str

    def check(self, applicant: Applicant, consulted: datetime) -> CreditFileDecision: ...


def _y(flag: bool) -> str:
    return "Y" if flag else "N"


class SandboxBureau:
    """Decides without asking anyone: a first name of ``accept`` (any case) passes with a
    dual-source decision, every other applicant fails, as in Rebilly's sandbox."""

    name = "test-bureau"

    def check(self, applicant: Applicant, consulted: datetime) -> CreditFileDecision:
        accepted = applicant.first_name.strip().lower() == "accept"
        number = hashlib.sha1(
            f"{applicant.first_name}|{applicant.last_name}|{applicant.dob}".encode(),
            usedforsecurity=False,
        ).hexdigest()[:9]
        decision_data = {
            "firstNameMatch": _y(accepted),
            "lastNameMatch": _y(accepted),
            "dateOfBirthMatch": _y(accepted),
            "civicNumberMatch": _y(accepted),
            "streetNameMatch": _y(accepted),
            "cityMatch": _y(accepted),
            "postalCodeMatch": _y(accepted),
            "provinceMatch": _y(accepted),
            "ageOfCreditFileThreeOrMoreYearsOld": _y(accepted),
            "addressAsReported": _y(accepted),
            "nameAsReported": _y(accepted),
            "dateOfBirthAsReported": _y(accepted),
        }
        matches = {
            "creditBureau": self.name,
            "creditFileNumber": number.upper(),
            "name": f"{applicant.first_name} {applicant.last_name}".strip(),
            "consultedDate": consulted.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "decision": "dual-source" if accepted else "other",
            "trades": [
                {
                    "name": "Sandbox Bank",
                    "accountNumber": "000-SBX-001",
                    "dateOpened": "2015-03-01",
                },
                {
                    "name": "Sandbox Telecom",
                    "accountNumber": "000-SBX-002",
                    "dateOpened": "2017-09-15",
                },
            ]
            if accepted
            else [],
            "referenceData": {
                "singleSourceHit": "N",
                "dualSourceHit": _y(accepted),
                "waterfallProcess": "N",
                "creditFileCreatedDate": "2015-03-01" if accepted else "",
                "numberOfTradesOnFile": "002" if accepted else "000",
                "singleDecision": decision_data,
                "dualDecision": [decision_data, decision_data] if accepted else None,
            },
        }
        return CreditFileDecision("dual-source" if accepted else "other", matches)


def bureau_named(name: str) -> CreditBureau:
    if name == "sandbox":
        return SandboxBureau()
    raise ValueError(f"unknown credit bureau {name!r}; openkyc ships 'sandbox'")
