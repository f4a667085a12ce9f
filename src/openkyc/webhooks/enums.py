from __future__ import annotations

from openkyc.enums import WireEnum


class WebhookStatus(WireEnum):
    """Whether a subscription (or one of its headers) is in use."""

    ACTIVE = "active"
    INACTIVE = "inactive"


class HttpMethod(WireEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class DeliveryStatus(WireEnum):
    """Where a delivery stands: pending (due at its time), sending (leased by a worker),
    delivered or failed (both final)."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
