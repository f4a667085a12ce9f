from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do. Admins manage users and may override another person's review
    hold; reviewers decide documents and comment; viewers only read."""

    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class UserStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
