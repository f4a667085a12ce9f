"""Reading and replacing an organization's AML settings, and reading confidence and
priority off them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.aml.enums import BirthMatch, Confidence, NameMatch, PlaceMatch, Priority
from openkyc.aml.settings.repository import AmlSettingsRepository
from openkyc.aml.settings.schemas import AmlSettings, CompoundConfidence

# The priority settings' names of each source type.
SOURCE_TYPE_KEYS = {
    "pep": "pep",
    "sanctions": "sanctions",
    "adverse-media": "adverseMedia",
    "enforcements": "enforcements",
    "state-owned-enterprise": "stateOwnedEnterprise",
}
CONFIDENCE_KEYS = {
    Confidence.VERY_STRONG: "veryStrong",
    Confidence.STRONG: "strong",
    Confidence.MEDIUM: "medium",
    Confidence.WEAK: "weak",
}


def get(session: Session, organization_id: str) -> AmlSettings:
    row = AmlSettingsRepository(session, organization_id).get()
    return AmlSettings.model_validate(row.settings) if row else AmlSettings()


def replace(session: Session, organization_id: str, settings: AmlSettings) -> bool:
    """Store the settings; True when the organization had only the defaults before."""
    row, created = AmlSettingsRepository(session, organization_id).save(
        settings.model_dump(mode="json")
    )
    row.updated_time = clock.now()
    return created


def confidence(
    settings: AmlSettings,
    birth: BirthMatch,
    name: NameMatch,
    address: PlaceMatch,
    country: PlaceMatch,
) -> Confidence | None:
    """The confidence the settings give this combination, or None (not a hit)."""
    if birth == BirthMatch.MISMATCH:
        return None
    row = getattr(settings.confidence, str(birth))
    compound: CompoundConfidence | None = getattr(row, str(name), None)
    if compound is None:
        return None
    found: Confidence | None = getattr(getattr(compound, str(address)), str(country))
    return found


def priority(settings: AmlSettings, source_types: list[str], level: Confidence) -> Priority | None:
    """The most urgent priority the hit's source types give at this confidence."""
    found = [
        getattr(getattr(settings.priority, SOURCE_TYPE_KEYS[t]), CONFIDENCE_KEYS[level])
        for t in source_types
        if t in SOURCE_TYPE_KEYS
    ]
    return most_urgent(found)


def most_urgent(priorities: list[Priority | None]) -> Priority | None:
    present = [p for p in priorities if p is not None]
    return min(present) if present else None
