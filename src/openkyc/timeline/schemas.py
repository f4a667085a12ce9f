from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from openkyc.db.models import CustomerTimelineEntry, TimelineCustomEvent
from openkyc.wire import Link, Timestamp, WireModel, links_field


class TimelineIn(WireModel):
    """A comment (`message`), or a custom event (`type: custom-event`, `customEventType`,
    `customData`). Read-only fields sent back are ignored."""

    type: Annotated[str, StringConstraints(max_length=60)] | None = Field(
        default=None, description="`customer-comment-created` (default) or `custom-event`."
    )
    message: Annotated[str, StringConstraints(max_length=10000)] | None = None
    customEventType: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    customData: dict[str, Any] | None = Field(default=None, max_length=100)


class TimelineOut(WireModel):
    id: str
    type: str
    customEventType: str | None
    triggeredBy: str
    message: str | None
    extraData: dict[str, Any]
    occurredTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(cls, entry: CustomerTimelineEntry, href: str) -> TimelineOut:
        return cls(
            id=entry.id,
            type=entry.type,
            customEventType=entry.custom_event_type,
            triggeredBy=entry.triggered_by,
            message=entry.message,
            extraData=entry.extra_data or {},
            occurredTime=entry.occurred_time,
            links=[Link(rel="self", href=href)],
        )


class CustomEventIn(WireModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]


class CustomEventOut(WireModel):
    id: str
    name: str
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(cls, custom: TimelineCustomEvent, href: str) -> CustomEventOut:
        return cls(
            id=custom.id,
            name=custom.name,
            createdTime=custom.created_time,
            updatedTime=custom.updated_time,
            links=[Link(rel="self", href=href)],
        )
