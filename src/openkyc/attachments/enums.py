from __future__ import annotations

from openkyc.enums import WireEnum


class RelatedType(WireEnum):
    """What openkyc keeps attachments for. Rebilly lets a file be attached to many kinds of
    its resources; the others have no record here to attach a file to."""

    CUSTOMER = "customer"
    ORGANIZATION = "organization"
