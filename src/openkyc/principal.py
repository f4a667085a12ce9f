from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# The one way to say "every operation": an empty or missing list never means it.
ALL_OPERATIONS = "*"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller, always of exactly one organization."""

    organization_id: str
    kind: Literal["api-key", "jwt", "user"]
    actor_id: str
    name: str
    key_type: Literal["secret", "publishable", "customer"] = "secret"
    # Rebilly operationIds the caller may use; None means every operation.
    permissions: frozenset[str] | None = field(default=None)
    allowed_ips: tuple[str, ...] | None = None
    # A customer token (the gatherer's) speaks for one customer and one KYC request only.
    customer_id: str | None = None
    request_id: str | None = None
    # The API key behind the credential (a token's issuing key), and when a token ends.
    key_id: str | None = None
    expires: datetime | None = None
    # A user token (kind "user") speaks for one person of the organization, in this role.
    role: str | None = None

    def may(self, operation_id: str | None) -> bool:
        if self.permissions is None or ALL_OPERATIONS in self.permissions:
            return True
        return operation_id is not None and operation_id in self.permissions
