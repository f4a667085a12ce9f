"""Pieces of the wire format every resource shares (times, links, ids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
)

from openkyc.config import Settings
from openkyc.db.ids import ID_PATTERN


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Timestamp = Annotated[
    datetime, PlainSerializer(format_time, return_type=str, when_used="json-unless-none")
]
ResourceId = Annotated[str, StringConstraints(max_length=50, pattern=ID_PATTERN.pattern)]


def _iso_text(value: Any) -> Any:
    # JSON carries dates as ISO 8601 text. Pydantic would also read a number as a Unix time
    # (`"dob": 0` as 1970-01-01), which the documented `format: date` does not allow.
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 string, not a number")
    return value


def _representable(value: datetime) -> datetime:
    # Any offset is allowed, but the instant must exist in UTC with room to add hours and days
    # to it (`0001-01-01T00:00:00+14:00` is before the first representable UTC instant).
    try:
        utc = value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("is out of the range of dates openkyc keeps") from error
    if not 1 < utc.year < 9999:
        raise ValueError("must be a date-time between the years 2 and 9998")
    return value


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_representable)]
IsoDate = Annotated[date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[UtcDateTime, BeforeValidator(_iso_text)]


class Link(BaseModel):
    rel: str
    href: str


# Anywhere in a string; also a regex for query parameters that reach SQL.
NUL_FREE_PATTERN = r"^[^\x00]*$"


def storable_text(value: Any) -> Any:
    """Refuse text no database keeps: PostgreSQL stores no NUL character (U+0000) in text or
    jsonb, and half a surrogate pair is no Unicode at all. Walks free-form objects too."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain the NUL character (U+0000)")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ValueError("must be valid Unicode text") from error
    elif isinstance(value, dict):
        for key, item in value.items():
            storable_text(key)
            storable_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            storable_text(item)
    return value


class WireModel(BaseModel):
    """Base of request and response bodies: camelCase on the wire, unknown input ignored
    (clients send back what they read, read-only fields included)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    # Fields left out of a response when empty, rather than sent as null.
    omit_when_none: ClassVar[tuple[str, ...]] = ("_embedded",)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object a client receives."""
        # Parts built from stored JSON (``model_construct``) hold plain values where the
        # model has sub-models: they are written as they are, without a warning.
        data = self.model_dump(mode="json", by_alias=True, warnings=False)
        for name in self.omit_when_none:
            if data.get(name) is None:
                data.pop(name, None)
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return storable_text(value)


class StrictWireModel(WireModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


def links_field() -> Any:
    return Field(default_factory=list, alias="_links")


def embedded_field() -> Any:
    return Field(default=None, alias="_embedded")


@dataclass(frozen=True)
class Links:
    """Builds absolute links: ``base`` is the server's URL plus the client's path prefix
    (``/organizations/{id}``), ``root`` the bare server URL for customer-facing pages, and
    ``secret`` signs customer links (which ``previous`` secrets still verify)."""

    base: str
    root: str = ""
    secret: str = ""
    previous: tuple[str, ...] = ()

    @property
    def verifying(self) -> tuple[str, ...]:
        return (self.secret, *self.previous)

    def href(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    def self_link(self, *parts: str) -> list[Link]:
        return [Link(rel="self", href=self.href(*parts))]


def links_for_settings(settings: Settings) -> Links:
    """Links for work done outside a request (jobs, commands): the configured public URL."""
    root = settings.public_url.rstrip("/") or f"http://{settings.host}:{settings.port}"
    return Links(root, root, settings.resolved_secret_key, settings.previous_secret_keys)
