"""Scoring settings, shaped like the contract's ``KycSettings.identityProof`` and
``addressProof``, and the defaults openkyc ships.

Why the defaults are what they are: a document starts at 100 and loses each failed
check's weight; it is accepted at ``acceptAbove`` (90) or more and rejected below
``rejectBelow`` (50). So

* every check that proves the document is not the customer's, not valid or not
  genuine weighs more than 50 on its own: a name *and* surname mismatch (30 + 30),
  a birth-date mismatch (51), an expired or underage document (51, 60), a face that is
  someone else's (60), tampering (60), a specimen or a document already used by another
  customer (``isPublishedOnline``, 60) are each rejected;
* every check whose failure should stop an automatic acceptance weighs more than 10:
  one name that does not match, a bad MRZ check digit, a photocopy, no portrait, a
  subtype that was not asked for go to ``pending``;
* only the two checks that many genuine documents fail for harmless reasons (no issue
  date printed in the MRZ, a nationality we could not read) weigh 5, so they alone
  never block an acceptance.

What the analyser could not read never rejects on its own (see
:func:`openkyc.analysis.scoring.score_document`), it sends the document to ``pending``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_ADDRESS_SETTINGS",
    "DEFAULT_IDENTITY_SETTINGS",
    "AddressSettings",
    "IdentitySettings",
    "LocationOverride",
    "MinimumAgeSettings",
    "Thresholds",
    "address_settings_from_contract",
    "identity_settings_from_contract",
    "minimum_age_for",
    "settings_to_contract",
]


@dataclass(frozen=True)
class Thresholds:
    """``rejectBelow`` and ``acceptAbove`` of the contract."""

    reject_below: int = 50
    accept_above: int = 90


@dataclass(frozen=True)
class LocationOverride:
    """A minimum age for a country (ISO 3166 alpha-2) or one of its states or regions."""

    country: str
    minimum_age: int
    state: str | None = None


@dataclass(frozen=True)
class MinimumAgeSettings:
    """``minimumAgeSettings``: a default age and overrides by country and state."""

    default_minimum_age: int = 18
    location_overrides: tuple[LocationOverride, ...] = ()


@dataclass(frozen=True)
class IdentitySettings:
    """``KycSettings.identityProof``: weights by check name, thresholds, minimum ages."""

    weights: dict[str, int]
    thresholds: Thresholds = field(default_factory=Thresholds)
    minimum_age: MinimumAgeSettings = field(default_factory=MinimumAgeSettings)


@dataclass(frozen=True)
class AddressSettings:
    """``KycSettings.addressProof``: weights by check name and thresholds."""

    weights: dict[str, int]
    thresholds: Thresholds = field(default_factory=Thresholds)


DEFAULT_IDENTITY_SETTINGS = IdentitySettings(
    weights={
        "containsImage": 20,
        "isIdentityDocument": 60,
        "isPublishedOnline": 60,
        "firstName": 30,
        "lastName": 30,
        "expirationDate": 51,
        "dateOfBirth": 51,
        "issueDate": 5,
        "hasMinimalAge": 60,
        "hasMatchingFaceProof": 60,
        "nationality": 5,
        "documentSubtype": 20,
        "isTampered": 60,
        "isPhotocopy": 20,
        "mrzChecksum": 30,
    },
)

DEFAULT_ADDRESS_SETTINGS = AddressSettings(
    weights={
        "firstName": 30,
        "lastName": 30,
        "line1": 30,
        "city": 15,
        "region": 5,
        "postalCode": 15,
        "date": 30,
        "phone": 5,
        "documentSubtype": 15,
        "isTampered": 60,
    },
)


def minimum_age_for(
    settings: MinimumAgeSettings, country: str | None, region: str | None = None
) -> int:
    """The minimum age where the customer lives: a state override beats a country one,
    which beats the default."""
    country = (country or "").upper()
    region = (region or "").strip().upper()
    rules = [rule for rule in settings.location_overrides if rule.country.upper() == country]
    for rule in rules:
        if rule.state is not None and rule.state.strip().upper() == region:
            return rule.minimum_age
    for rule in rules:
        if rule.state is None:
            return rule.minimum_age
    return settings.default_minimum_age


def _thresholds(data: Mapping[str, Any] | None, default: Thresholds) -> Thresholds:
    data = data or {}
    return Thresholds(
        reject_below=int(data.get("rejectBelow", default.reject_below)),
        accept_above=int(data.get("acceptAbove", default.accept_above)),
    )


def _weights(data: Mapping[str, Any] | None, default: Mapping[str, int]) -> dict[str, int]:
    return {**default, **{name: int(value) for name, value in (data or {}).items()}}


def identity_settings_from_contract(data: Mapping[str, Any] | None) -> IdentitySettings:
    """``IdentitySettings`` from the contract's ``KycSettingsIdentity`` JSON. Weights and
    thresholds the merchant left out keep openkyc's defaults, so a partial settings
    object never weakens a check to zero by omission."""
    data = data or {}
    default = DEFAULT_IDENTITY_SETTINGS
    ages = data.get("minimumAgeSettings") or {}
    overrides = tuple(
        LocationOverride(
            country=str(rule["country"]),
            minimum_age=int(rule["minimumAge"]),
            state=rule.get("state"),
        )
        for rule in ages.get("locationOverrides") or ()
    )
    return IdentitySettings(
        weights=_weights(data.get("weights"), default.weights),
        thresholds=_thresholds(data.get("thresholds"), default.thresholds),
        minimum_age=MinimumAgeSettings(
            int(ages.get("defaultMinimumAge", default.minimum_age.default_minimum_age)), overrides
        ),
    )


def address_settings_from_contract(data: Mapping[str, Any] | None) -> AddressSettings:
    """``AddressSettings`` from the contract's ``KycSettingsAddress`` JSON (omitted
    weights and thresholds keep openkyc's defaults)."""
    data = data or {}
    default = DEFAULT_ADDRESS_SETTINGS
    return AddressSettings(
        weights=_weights(data.get("weights"), default.weights),
        thresholds=_thresholds(data.get("thresholds"), default.thresholds),
    )


def settings_to_contract(settings: IdentitySettings | AddressSettings) -> dict[str, Any]:
    """The contract's JSON for a settings snapshot (what a document stores and returns)."""
    data: dict[str, Any] = {
        "weights": dict(settings.weights),
        "thresholds": {
            "rejectBelow": settings.thresholds.reject_below,
            "acceptAbove": settings.thresholds.accept_above,
        },
    }
    if isinstance(settings, IdentitySettings):
        ages = settings.minimum_age
        data["minimumAgeSettings"] = {
            "defaultMinimumAge": ages.default_minimum_age,
            "locationOverrides": [
                {
                    "country": rule.country,
                    "minimumAge": rule.minimum_age,
                    **({"state": rule.state} if rule.state else {}),
                }
                for rule in ages.location_overrides
            ],
        }
    return data
