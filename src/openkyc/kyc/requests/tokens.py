"""The customer's link to the gatherer: a signed token bound to one request until it expires."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import jwt
from jwt.types import Options

from openkyc import clock
from openkyc.db.models import KycRequest
from openkyc.errors import Unauthorized
from openkyc.wire import Links

TOKEN_TYPE = "kyc-gatherer"


class LinkExpired(Unauthorized):
    """The link was genuine but its time is over."""


ALGORITHM = "HS256"


@dataclass(frozen=True)
class GathererClaims:
    organization_id: str
    request_id: str
    customer_id: str


def gatherer_token(secret: str, request: KycRequest) -> str:
    claims = {
        "typ": TOKEN_TYPE,
        "org": request.organization_id,
        "req": request.id,
        "cus": request.customer_id,
        "exp": int(request.expiration_time.timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_gatherer_token(
    keys: Sequence[str], token: str, *, expired_too: bool = False
) -> GathererClaims:
    """The request a token opens, signed with any of ``keys`` (the secret key, then those it
    replaced); refuses forged and altered tokens, and expired ones unless ``expired_too`` (to
    say where an expired link would have led: its signature still holds)."""
    # The expiry is checked below against openkyc's clock, not the library's.
    options: Options = {"require": ["exp", "req", "org"], "verify_exp": False}
    for key in keys:
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], options=options)
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as error:
            raise Unauthorized("This link is not valid") from error
    else:
        raise Unauthorized("This link is not valid")
    expires = claims["exp"]
    if not isinstance(expires, int | float):
        raise Unauthorized("This link is not valid")
    if not expired_too and clock.timestamp() >= expires:
        raise LinkExpired("This link has expired")
    if claims.get("typ") != TOKEN_TYPE:
        raise Unauthorized("This link is not valid")
    return GathererClaims(str(claims["org"]), str(claims["req"]), str(claims.get("cus", "")))


def gatherer_url(links: Links, request: KycRequest) -> str:
    return f"{links.root}/gatherer?token={quote(gatherer_token(links.secret, request))}"


# The short link's code: 10 characters of 31 that cannot be mistaken for one another when
# typed from a screen (no 0/o, 1/l/i), about 50 bits: with the lookups' rate limit (see
# ``short_link_rate_limit``), guessing one of a million open requests' codes takes longer
# than any request lives.
SHORT_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SHORT_LENGTH = 10


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_ALPHABET) for _ in range(SHORT_LENGTH))


def is_short_code(text: str) -> bool:
    return len(text) == SHORT_LENGTH and all(ch in SHORT_ALPHABET for ch in text)


def short_url(links: Links, request: KycRequest) -> str | None:
    return f"{links.root}/g/{request.short_code}" if request.short_code else None
