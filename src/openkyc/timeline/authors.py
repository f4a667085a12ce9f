"""Who a change on a customer's timeline is by: the caller a service acts for (``of``), or
openkyc itself (``SYSTEM``: background work). The author is handed to the service that
records the entry, like any other argument."""

from __future__ import annotations

from dataclasses import dataclass

from openkyc.principal import Principal
from openkyc.timeline.enums import TriggeredBy


@dataclass(frozen=True)
class Author:
    id: str
    name: str
    triggered_by: TriggeredBy

    def to_wire(self) -> dict[str, str]:
        return {"userId": self.id, "userFullName": self.name}


SYSTEM = Author("openkyc", "openkyc", TriggeredBy.SYSTEM)


def of(principal: Principal) -> Author:
    """The author of what ``principal`` does: a person (the back office, a user token) or a
    customer (their link) in the app, a key through the API."""
    if principal.kind == "user":
        return Author(principal.actor_id, principal.name, TriggeredBy.APP)
    if principal.key_type == "customer":
        return Author(principal.actor_id, "Customer", TriggeredBy.APP)
    return Author(principal.actor_id, principal.name, TriggeredBy.API)
