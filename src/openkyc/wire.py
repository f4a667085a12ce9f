"""Pieces of the wire format every resource shares (times, links, ids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from openkyc.db.ids import ID_PATTERN


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Timestamp = Annotated[
    datetime, PlainSerializer(format_time, return_type=str, when_used="json-unless-none")
]
ResourceId = Annotated[str, StringConstraints(max_length=50, pattern=ID_PATTERN.pattern)]


class Link(BaseModel):
    rel: str
    href: str


class WireModel(BaseModel):
    """Base of request and response bodies: camelCase on the wire, unknown input ignored
    (clients send back what they read, read-only fields included)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    # Fields left out of a response when empty, rather than sent as null.
    omit_when_none: ClassVar[tuple[str, ...]] = ("_embedded",)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object a client receives."""
        data = self.model_dump(mode="json", by_alias=True)
        for name in self.omit_when_none:
            if data.get(name) is None:
                data.pop(name, None)
        return data


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
    ``secret`` signs customer links."""

    base: str
    root: str = ""
    secret: str = ""

    def href(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    def self_link(self, *parts: str) -> list[Link]:
        return [Link(rel="self", href=self.href(*parts))]
