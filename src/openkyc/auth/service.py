"""Turns credentials into a principal, and issues JWTs."""

from __future__ import annotations

import ipaddress
import secrets as pysecrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import Row
from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.api_keys import grants
from openkyc.api_keys import service as api_keys
from openkyc.api_keys.secrets import hash_secret, same_digest
from openkyc.auth.repository import SessionTokenRepository
from openkyc.config import Settings
from openkyc.db.collection import CollectionQuery
from openkyc.db.models import ApiKey, Organization, SessionToken
from openkyc.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from openkyc.organizations import service as organizations
from openkyc.principal import ALL_OPERATIONS, Principal
from openkyc.users import service as users

JWT_ALGORITHM = "HS256"
JWT_ISSUER = "openkyc"
CUSTOMER_TOKEN = "customer"
USER_TOKEN = "user"


def principal_from_api_key(session: Session, secret: str) -> Principal:
    digest = hash_secret(secret)
    key = api_keys.credentials_by_secret_hash(session, digest)
    if key is None or not same_digest(digest, key.secret_hash):
        raise Unauthorized("The API key is not valid")
    return Principal(
        organization_id=key.organization_id,
        kind="api-key",
        actor_id=key.id,
        name=key.api_user,
        key_type="secret" if key.type == "secret" else "publishable",
        permissions=key_permissions(key.acl),
        allowed_ips=_allowed_ips(key),
        key_id=key.id,
    )


def key_permissions(acl: list[dict[str, object]] | None) -> frozenset[str] | None:
    """The operations of a key's ACL; ``None`` (a key without an ACL) is every operation."""
    if not acl:
        return None
    names: set[str] = set()
    for entry in acl:
        permissions = entry.get("permissions")
        if isinstance(permissions, list):
            names.update(str(p) for p in permissions)
    return frozenset(names)


def _allowed_ips(key: ApiKey | Row[Any]) -> tuple[str, ...] | None:
    return tuple(key.allowed_ips) if key.allowed_ips else None


def _narrowed(token: frozenset[str], key: frozenset[str] | None) -> frozenset[str]:
    """What a token may do today: its own operations, as far as its key still holds them."""
    if key is None or ALL_OPERATIONS in key:
        return token
    if ALL_OPERATIONS in token:
        return key
    return token & key


def _verified_claims(session: Session, token: str) -> tuple[Organization, dict[str, Any]]:
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise Unauthorized("The bearer token is not a valid JWT") from error
    organization = organizations.get(session, str(unverified.get("org", "")))
    if organization is None:
        raise Unauthorized("The bearer token is not valid")
    try:
        claims = jwt.decode(
            token,
            organization.jwt_secret,
            algorithms=[JWT_ALGORITHM],
            issuer=JWT_ISSUER,
            # Times are checked against openkyc's clock below, not the machine's.
            options={
                "require": ["exp", "iat", "sub", "org", "jti"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise Unauthorized("The bearer token is not valid") from error
    _check_times(claims)
    return organization, claims


# Tolerated difference between the clocks of the nodes that issue and check a token.
CLOCK_SKEW_SECONDS = 60


def _check_times(claims: dict[str, Any]) -> None:
    now = clock.now().timestamp()
    try:
        expires, issued = float(claims["exp"]), float(claims["iat"])
    except (TypeError, ValueError) as error:
        raise Unauthorized("The bearer token is not valid") from error
    if expires <= now:
        raise Unauthorized("The bearer token has expired")
    if issued > now + CLOCK_SKEW_SECONDS:
        raise Unauthorized("The bearer token is not valid yet")


def principal_from_jwt(session: Session, token: str) -> Principal:
    """The principal of a bearer token, checked against what exists now: a session token
    needs its row (revocation deletes it) and its key, whose current ACL and addresses
    bound it; a customer token exchanged with a key needs that key too."""
    organization, claims = _verified_claims(session, token)
    repository = SessionTokenRepository(session, organization.id)
    if claims.get("typ") == CUSTOMER_TOKEN:
        return _customer_principal(repository, claims)
    if claims.get("typ") == USER_TOKEN:
        return _user_principal(session, organization.id, claims)
    row = repository.get(str(claims["jti"]))
    if row is None:
        raise Unauthorized("The bearer token has been revoked")
    key = repository.key_of(row.api_key_id)
    if key is None:
        raise Unauthorized("The bearer token's API key no longer exists")
    acl = claims.get("acl")
    if not isinstance(acl, list) or not acl:
        # A token says what it may do; none says "everything".
        raise Unauthorized("The bearer token is not valid")
    return Principal(
        organization_id=organization.id,
        kind="jwt",
        # Each session is one person's: two sessions made with one key ("Rita", "Bob") hold,
        # decide and confirm as two people, never as their key.
        actor_id=row.id,
        name=row.name,
        key_type="secret" if key.type == "secret" else "publishable",
        permissions=_narrowed(frozenset(str(p) for p in acl), key_permissions(key.acl)),
        allowed_ips=_allowed_ips(key),
        key_id=key.id,
        expires=row.expired_time,
    )


def _customer_principal(repository: SessionTokenRepository, claims: dict[str, Any]) -> Principal:
    """A customer token: its own operations only (never every operation), for one customer
    and one KYC request; from the addresses of the key that exchanged it, while it exists."""
    acl = claims.get("acl")
    request_id = claims.get("req")
    if not isinstance(acl, list) or not isinstance(request_id, str):
        raise Unauthorized("The bearer token is not valid")
    allowed_ips = None
    key_id = claims.get("kid")
    if key_id is not None:
        key = repository.key_of(str(key_id))
        if key is None:
            raise Unauthorized("The bearer token's API key no longer exists")
        allowed_ips = _allowed_ips(key)
    return Principal(
        organization_id=repository.organization_id,
        kind="jwt",
        actor_id=str(claims["sub"]),
        name="customer",
        key_type="customer",
        permissions=frozenset(str(p) for p in acl) - {ALL_OPERATIONS},
        allowed_ips=allowed_ips,
        customer_id=str(claims["sub"]),
        request_id=request_id,
        key_id=str(key_id) if key_id is not None else None,
    )


def _user_principal(session: Session, organization_id: str, claims: dict[str, object]) -> Principal:
    """A person's token: their name and role as they are now (a deactivated user's tokens
    stop working at once, a changed role applies at once)."""
    user = users.active_user(session, organization_id, str(claims["sub"]))
    if user is None:
        raise Unauthorized("The bearer token's user can no longer sign in")
    ended = user.sessions_not_before
    # iat was checked to be a number with the token's other times (see _check_times).
    if ended is not None and float(str(claims["iat"])) < int(ended.timestamp()):
        raise Unauthorized("The bearer token's session ended when its user signed out")
    return Principal(
        organization_id=organization_id,
        kind="user",
        actor_id=user.id,
        name=user.full_name,
        role=user.role,
    )


def issue_user_jwt(organization: Organization, user_id: str, expires: datetime) -> str:
    """A signed token for one person of the organization, after they signed in."""
    claims: dict[str, object] = {
        "iss": JWT_ISSUER,
        "typ": USER_TOKEN,
        "sub": user_id,
        "org": organization.id,
        "iat": int(clock.now().timestamp()),
        "exp": int(expires.timestamp()),
        "jti": "jwt_" + pysecrets.token_hex(12),
    }
    return jwt.encode(claims, organization.jwt_secret, algorithm=JWT_ALGORITHM)


@dataclass(frozen=True)
class SessionAsked:
    """What a client asks of a new token; each part may be left to the defaults."""

    name: str | None
    expired_time: datetime | None
    permissions: list[str] | None


def start_session(
    session: Session,
    holder: Principal,
    asked: SessionAsked,
    settings: Settings,
    known_operations: frozenset[str],
) -> tuple[SessionToken, str]:
    """A token for ``POST /sessions``: no longer-lived than the deployment allows or than the
    token it is made with, and able to do no more than the holder (``grants``)."""
    organization = organizations.get(session, holder.organization_id)
    if organization is None:
        raise NotFound("The organization no longer exists")
    expires = token_expiry(asked.expired_time, holder, settings)
    permissions = grants.token_permissions(holder, asked.permissions, known_operations)
    name = asked.name or holder.name
    return issue_session(session, organization, holder, name, expires, permissions)


def token_lifetime(asked: datetime | None, settings: Settings) -> datetime:
    """When a new token ends: when asked, in the future and within the deployment's maximum;
    the default lifetime from now otherwise."""
    now = clock.now()
    expires = asked or now + timedelta(seconds=settings.jwt_default_ttl_seconds)
    if expires <= now:
        raise ValidationFailed.field("expiredTime", "must be in the future")
    if expires > now + timedelta(seconds=settings.jwt_max_ttl_seconds):
        raise ValidationFailed.field(
            "expiredTime", f"must be at most {settings.jwt_max_ttl_seconds} seconds ahead"
        )
    return expires


def token_expiry(asked: datetime | None, holder: Principal, settings: Settings) -> datetime:
    expires = token_lifetime(asked, settings)
    if holder.expires is not None and expires > holder.expires:
        # A token from a token ends no later than the token that made it.
        if asked is not None:
            raise ValidationFailed.field("expiredTime", "must not outlive the token used")
        expires = holder.expires
    return expires


def sessions_page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[SessionToken], int]:
    return SessionTokenRepository(session, organization_id).page(query)


def issue_session(
    session: Session,
    organization: Organization,
    holder: Principal,
    name: str,
    expires: datetime,
    permissions: list[str],
) -> tuple[SessionToken, str]:
    """A token of the holder's key, recorded so that it can be revoked; returns (its row,
    the token)."""
    if holder.key_id is None:
        raise Forbidden("Only API keys and their tokens can issue tokens")
    row = SessionTokenRepository(session, organization.id).add(
        SessionToken(
            id="ses_" + pysecrets.token_hex(12),
            organization_id=organization.id,
            api_key_id=holder.key_id,
            name=name,
            permissions=permissions,
            expired_time=expires,
        )
    )
    claims: dict[str, object] = {
        "iss": JWT_ISSUER,
        "sub": holder.actor_id,
        "name": name,
        "org": organization.id,
        "kid": holder.key_id,
        "iat": int(clock.now().timestamp()),
        "exp": int(expires.timestamp()),
        "jti": row.id,
        "acl": permissions,
    }
    return row, jwt.encode(claims, organization.jwt_secret, algorithm=JWT_ALGORITHM)


def revoke_session(session: Session, holder: Principal, token_id: str) -> None:
    repository = SessionTokenRepository(session, holder.organization_id)
    row = repository.get(token_id)
    if row is None:
        raise NotFound.resource("Session", token_id)
    grants.check_may_manage(holder, row.permissions, None)
    repository.delete(row)


def issue_customer_jwt(
    organization: Organization,
    customer_id: str,
    request_id: str,
    expires: datetime,
    permissions: list[str],
    key_id: str | None = None,
) -> tuple[str, str, datetime]:
    """A customer token for the storefront API, bound to one KYC request (and to the key
    that exchanged it, when one did); returns (token id, token, issue time)."""
    token_id = "jwt_" + pysecrets.token_hex(12)
    now = clock.now()
    claims: dict[str, object] = {
        "iss": JWT_ISSUER,
        "typ": CUSTOMER_TOKEN,
        "sub": customer_id,
        "org": organization.id,
        "req": request_id,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": token_id,
        "acl": permissions,
    }
    if key_id is not None:
        claims["kid"] = key_id
    return token_id, jwt.encode(claims, organization.jwt_secret, algorithm=JWT_ALGORITHM), now


def default_expiry(ttl_seconds: int) -> datetime:
    return clock.now() + timedelta(seconds=ttl_seconds)


def check_client_ip(principal: Principal, client_ip: str | None) -> None:
    if principal.allowed_ips is None:
        return
    try:
        address = ipaddress.ip_address(client_ip or "")
    except ValueError as error:
        raise Forbidden("This API key only works from its allowed IP addresses") from error
    for allowed in principal.allowed_ips:
        if address in ipaddress.ip_network(allowed, strict=False):
            return
    raise Forbidden(f"This API key does not allow requests from {client_ip}")


def user_token(session: Session, organization_id: str, user_id: str, expires: datetime) -> str:
    """A person's token after they signed in (the API's answer to /signin, the back office's
    session)."""
    organization = organizations.get(session, organization_id)
    if organization is None:
        raise NotFound("The organization no longer exists")
    return issue_user_jwt(organization, user_id, expires)
