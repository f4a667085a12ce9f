"""Standard Webhooks signatures (https://www.standardwebhooks.com): every delivery carries
``webhook-id`` (the event id, the same on every retry), ``webhook-timestamp`` (Unix seconds of
the attempt) and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of
``{id}.{timestamp}.{body}`` keyed with the subscription's ``whsec_`` secret)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping

from openkyc import clock

SECRET_PREFIX = "whsec_"
# The specification asks for 24 to 64 random bytes.
MIN_KEY_BYTES, MAX_KEY_BYTES = 24, 64


def new_signing_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_`` secret stands for; ValueError when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a signing secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise ValueError("the part after whsec_ must be base64") from error
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(f"the key must be {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(secret: str, message_id: str, body: bytes, now: float) -> dict[str, str]:
    timestamp = int(now)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance_seconds: float = 300,
    now: float | None = None,
) -> bool:
    """What a receiver checks: a known signature over this body, sent recently."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    if not message_id or not stamp.isdigit():
        return False
    if abs((clock.timestamp() if now is None else now) - int(stamp)) > tolerance_seconds:
        return False
    expected = signature(secret, message_id, int(stamp), body)
    offered = lowered.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)
