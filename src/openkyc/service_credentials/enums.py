from __future__ import annotations

from openkyc.enums import WireEnum


class CredentialStatus(WireEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DEACTIVATED = "deactivated"


class AuthType(WireEnum):
    """How a webhook credential authenticates at its host."""

    NONE = "none"
    BASIC = "basic"
    DIGEST = "digest"
