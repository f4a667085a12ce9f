"""The resources events are about, as webhooks filter them: a webhook's filter is that
resource's collection filter, applied to the one resource the event names.

The collections belong to the domains above the webhooks, so those domains hand their filters
in: whoever records an event gives the matcher of its resource (``events.record``), and the
flow that subscribes checks a new filter with each collection's check
(``openkyc.flows.webhooks``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

RESOURCE_TYPES = ("customer", "kyc-document", "kyc-request")

# Whether the event's resource, as it is now, passes a filter of its collection (an unknown
# field is a ValidationFailed).
FilterMatch = Callable[[str], bool]
# Refuses a filter the collection does not understand (ValidationFailed).
FilterCheck = Callable[[str], None]
# Each resource type's check.
FilterChecks = Mapping[str, FilterCheck]
