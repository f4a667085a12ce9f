"""AML settings on the wire: the confidence matrix and the priorities. Anything left out of
a PUT takes its default."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from pydantic import BeforeValidator, Field

from openkyc.aml.enums import Confidence, Priority
from openkyc.aml.settings.defaults import PRIORITIES, SUPPRESSION_DAYS, confidence_matrix
from openkyc.wire import StrictWireModel

DEFAULT = confidence_matrix()


def _number_not_text(value: object) -> object:
    if isinstance(value, bool | str):
        raise ValueError("must be a number")
    return value


class CountryConfidence(StrictWireModel):
    matchingCountry: Confidence | None = None
    mismatchingCountry: Confidence | None = None
    noCountry: Confidence | None = None


class CompoundConfidence(StrictWireModel):
    """Confidence by whether the city or region matched, then by the country."""

    addressMatch: CountryConfidence = Field(default_factory=CountryConfidence)
    addressMismatch: CountryConfidence = Field(default_factory=CountryConfidence)
    noAddress: CountryConfidence = Field(default_factory=CountryConfidence)


def _compound(birth: str, name: str) -> CompoundConfidence:
    return CompoundConfidence.model_validate(DEFAULT[birth][name])


def _default(birth: str, name: str) -> CompoundConfidence:
    return Field(default_factory=partial(_compound, birth, name))


class DobConfidence(StrictWireModel):
    exactMatch: CompoundConfidence = _default("dob", "exactMatch")
    inexactMatch: CompoundConfidence = _default("dob", "inexactMatch")


class NoDobConfidence(StrictWireModel):
    exactMatch: CompoundConfidence = _default("noDob", "exactMatch")
    inexactMatch: CompoundConfidence = _default("noDob", "inexactMatch")
    weakMatch: CompoundConfidence = _default("noDob", "weakMatch")


class YobConfidence(StrictWireModel):
    exactMatch: CompoundConfidence = _default("yob", "exactMatch")
    inexactMatch: CompoundConfidence = _default("yob", "inexactMatch")


class InexactYobConfidence(StrictWireModel):
    exactMatch: CompoundConfidence = _default("inexactYob", "exactMatch")
    inexactMatch: CompoundConfidence = _default("inexactYob", "inexactMatch")


class ConfidenceSettings(StrictWireModel):
    """The confidence of a hit, by birth date, then name, then place."""

    dob: DobConfidence = Field(default_factory=DobConfidence)
    noDob: NoDobConfidence = Field(default_factory=NoDobConfidence)
    yob: YobConfidence = Field(default_factory=YobConfidence)
    inexactYob: InexactYobConfidence = Field(default_factory=InexactYobConfidence)


class SourcePriority(StrictWireModel):
    veryStrong: Priority | None = None
    strong: Priority | None = None
    medium: Priority | None = None
    weak: Priority | None = None


def _priority(source: str) -> SourcePriority:
    return Field(default_factory=partial(SourcePriority.model_validate, PRIORITIES[source]))


class PrioritySettings(StrictWireModel):
    """The priority of a hit (p0 the most urgent) by its list's type and its confidence."""

    pep: SourcePriority = _priority("pep")
    enforcements: SourcePriority = _priority("enforcements")
    stateOwnedEnterprise: SourcePriority = _priority("stateOwnedEnterprise")
    sanctions: SourcePriority = _priority("sanctions")
    adverseMedia: SourcePriority = _priority("adverseMedia")


SuppressionDays = Annotated[int, Field(ge=0, le=3650), BeforeValidator(_number_not_text)]


class AmlSettings(StrictWireModel):
    confidence: ConfidenceSettings = Field(default_factory=ConfidenceSettings)
    priority: PrioritySettings = Field(default_factory=PrioritySettings)
    falsePositiveSuppressionDays: SuppressionDays = Field(
        default=SUPPRESSION_DAYS,
        description="openkyc: for how many days a list entry a person marked a false positive "
        "is not raised again for the same customer, unless the entry or the customer's data "
        "changes (0: raised again at the next screening).",
    )
