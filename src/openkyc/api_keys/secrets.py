"""API key secrets: random, shown once, stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIXES = {"secret": "sk_", "publishable": "pk_"}


def new_secret(key_type: str) -> str:
    return PREFIXES[key_type] + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # A key has 256 bits of entropy, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
