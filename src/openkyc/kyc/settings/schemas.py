from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from openkyc.files.content import JPEG, PNG, WEBP, ContentRefused, inspect_content
from openkyc.kyc.settings.defaults import (
    ADDRESS_THRESHOLDS,
    ADDRESS_WEIGHTS,
    DEFAULT_MINIMUM_AGE,
    IDENTITY_WEIGHTS,
    THRESHOLDS,
)
from openkyc.wire import StrictWireModel


def _number_not_text(value: object) -> object:
    """JSON Schema's integer: 3 and 3.0, never true or "3"."""
    if isinstance(value, bool | str):
        raise ValueError("must be a number")
    return value


Weight = Annotated[int, Field(ge=0, le=100), BeforeValidator(_number_not_text)]
Age = Annotated[int, Field(ge=1, le=100), BeforeValidator(_number_not_text)]


class Thresholds(StrictWireModel):
    rejectBelow: Weight = THRESHOLDS["rejectBelow"]
    acceptAbove: Weight = THRESHOLDS["acceptAbove"]

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.rejectBelow > self.acceptAbove:
            raise ValueError("rejectBelow must not be above acceptAbove")
        return self


class IdentityWeights(StrictWireModel):
    containsImage: Weight = IDENTITY_WEIGHTS["containsImage"]
    isIdentityDocument: Weight = IDENTITY_WEIGHTS["isIdentityDocument"]
    isPublishedOnline: Weight = IDENTITY_WEIGHTS["isPublishedOnline"]
    firstName: Weight = IDENTITY_WEIGHTS["firstName"]
    lastName: Weight = IDENTITY_WEIGHTS["lastName"]
    expirationDate: Weight = IDENTITY_WEIGHTS["expirationDate"]
    dateOfBirth: Weight = IDENTITY_WEIGHTS["dateOfBirth"]
    issueDate: Weight = IDENTITY_WEIGHTS["issueDate"]
    hasMinimalAge: Weight = IDENTITY_WEIGHTS["hasMinimalAge"]
    hasMatchingFaceProof: Weight = IDENTITY_WEIGHTS["hasMatchingFaceProof"]
    nationality: Weight = IDENTITY_WEIGHTS["nationality"]
    documentSubtype: Weight = IDENTITY_WEIGHTS["documentSubtype"]
    isTampered: Weight = IDENTITY_WEIGHTS["isTampered"]
    isPhotocopy: Weight = IDENTITY_WEIGHTS["isPhotocopy"]
    mrzChecksum: Weight = IDENTITY_WEIGHTS["mrzChecksum"]


class AddressWeights(StrictWireModel):
    firstName: Weight = ADDRESS_WEIGHTS["firstName"]
    lastName: Weight = ADDRESS_WEIGHTS["lastName"]
    line1: Weight = ADDRESS_WEIGHTS["line1"]
    city: Weight = ADDRESS_WEIGHTS["city"]
    region: Weight = ADDRESS_WEIGHTS["region"]
    postalCode: Weight = ADDRESS_WEIGHTS["postalCode"]
    date: Weight = ADDRESS_WEIGHTS["date"]
    phone: Weight = ADDRESS_WEIGHTS["phone"]
    documentSubtype: Weight = ADDRESS_WEIGHTS["documentSubtype"]
    isTampered: Weight = ADDRESS_WEIGHTS["isTampered"]


class LocationMinimumAge(StrictWireModel):
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    state: Annotated[str, StringConstraints(min_length=1, max_length=45)] | None = None
    minimumAge: Age


class MinimumAgeSettings(StrictWireModel):
    defaultMinimumAge: Age = DEFAULT_MINIMUM_AGE
    locationOverrides: list[LocationMinimumAge] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _one_rule_per_place(self) -> MinimumAgeSettings:
        places = [(o.country, (o.state or "").lower()) for o in self.locationOverrides]
        if len(places) != len(set(places)):
            raise ValueError("each country, or country and state, may appear once")
        return self


class IdentitySettings(StrictWireModel):
    weights: IdentityWeights = Field(default_factory=IdentityWeights)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    minimumAgeSettings: MinimumAgeSettings = Field(default_factory=MinimumAgeSettings)


class AddressThresholds(Thresholds):
    rejectBelow: Weight = ADDRESS_THRESHOLDS["rejectBelow"]
    acceptAbove: Weight = ADDRESS_THRESHOLDS["acceptAbove"]


class AddressSettings(StrictWireModel):
    weights: AddressWeights = Field(default_factory=AddressWeights)
    thresholds: AddressThresholds = Field(default_factory=AddressThresholds)


def _contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on ``#rrggbb``."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def _readable_colour(value: str | None) -> str | None:
    if value is not None and _contrast_with_white(value) < 4.5:
        raise ValueError("white text on this colour has a contrast under 4.5:1 (WCAG AA)")
    return value


HexColour = Annotated[
    str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"), AfterValidator(_readable_colour)
]
LOGO_BYTES = 64 * 1024  # "64 KB" in the message that refuses a larger one
LOGO_PIXELS = 1024 * 1024
_LOGO_TYPES = {"image/png": PNG, "image/jpeg": JPEG, "image/webp": WEBP}


def _a_picture(value: str | None) -> str | None:
    """A logo is a small PNG, JPEG or WebP that decodes: the page shows it from the data
    URL itself (its Content-Security-Policy takes pictures from openkyc only)."""
    if value is None:
        return value
    media_type, _, encoded = value.removeprefix("data:").partition(";base64,")
    try:
        data = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise ValueError("the logo is not a picture that opens (PNG, JPEG or WebP)") from error
    if len(data) > LOGO_BYTES:
        raise ValueError("the logo is larger than 64 KB")
    try:
        content = inspect_content(data, LOGO_PIXELS)
    except ContentRefused as error:
        raise ValueError("the logo is not a picture that opens (PNG, JPEG or WebP)") from error
    if content.type != _LOGO_TYPES.get(media_type):
        raise ValueError("the logo is not a picture that opens (PNG, JPEG or WebP)")
    return value


LogoDataUrl = Annotated[
    str,
    StringConstraints(
        pattern=r"^data:image/(png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$",
        max_length=LOGO_BYTES * 4 // 3 + 40,
    ),
    AfterValidator(_a_picture),
]
WebAddress = Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"']+$", max_length=2000)]


class GathererSettings(StrictWireModel):
    """openkyc: the merchant's brand and words on the customer's pages."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    logo: LogoDataUrl | None = None
    primaryColor: HexColour | None = None
    supportUrl: WebAddress | None = None
    privacyNoticeUrl: WebAddress | None = None
    defaultLanguage: Literal["en", "fr", "es"] | None = None
    consentText: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None


class KycSettings(StrictWireModel):
    """Scoring settings. Anything left out of a PUT takes its default value."""

    identityProof: IdentitySettings = Field(default_factory=IdentitySettings)
    addressProof: AddressSettings = Field(default_factory=AddressSettings)
    uiVersion: Literal["1", "2"] | None = "1"
    gatherer: GathererSettings = Field(
        default_factory=GathererSettings,
        description=(
            "openkyc: the merchant's name, logo (a data URL of a PNG, JPEG or WebP of at most "
            "64 KB and 1024x1024 pixels), primary colour (white text on it at 4.5:1 or "
            "more), support and privacy notice links (https), default language and the "
            "consent text shown before any photo of the customer's face on the gatherer."
        ),
    )
    fourEyes: StrictBool = Field(
        default=False,
        description=(
            "openkyc: a person's acceptance or rejection takes effect only when a second, "
            "different person makes the same decision."
        ),
    )
