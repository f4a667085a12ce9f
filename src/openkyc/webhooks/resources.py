"""The resources events are about, as webhooks filter them: a webhook's filter is that
resource's collection filter, applied to the one resource the event names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

RESOURCE_TYPES = ("customer", "kyc-document", "kyc-request")


@dataclass(frozen=True)
class Filterable:
    # Refuses a filter the collection does not understand (ValidationFailed).
    check: Callable[[str], None]
    # (session, organization id, resource id, filter): whether the resource passes it now.
    matches: Callable[[Session, str, str, str], bool]


@cache
def filterable(resource_type: str) -> Filterable:
    """How the collection of ``resource_type`` (one of RESOURCE_TYPES) filters."""
    # Imported here: these domains record events, and recording an event fans it out.
    from openkyc.customers import service as customers
    from openkyc.kyc.documents import service as documents
    from openkyc.kyc.requests import service as requests

    return {
        "customer": Filterable(customers.check_filter, customers.matches_filter),
        "kyc-document": Filterable(documents.check_filter, documents.matches_filter),
        "kyc-request": Filterable(requests.check_filter, requests.matches_filter),
    }[resource_type]
