"""Turns credentials into a principal, and issues JWTs."""

from __future__ import annotations

import ipaddress
import secrets as pysecrets
from datetime import datetime, timedelta

import jwt
from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.api_keys import repository as api_keys
from openkyc.auth.principal import Principal
from openkyc.auth.secrets import hash_secret, same_digest
from openkyc.db.models import Organization
from openkyc.errors import Forbidden, Unauthorized
from openkyc.organizations import repository as organizations

JWT_ALGORITHM = "HS256"
JWT_ISSUER = "openkyc"
CUSTOMER_TOKEN = "customer"


def principal_from_api_key(session: Session, secret: str) -> Principal:
    digest = hash_secret(secret)
    key = api_keys.find_by_secret_hash(session, digest)
    if key is None or not same_digest(digest, key.secret_hash):
        raise Unauthorized("The API key is not valid")
    permissions = _permissions(key.acl)
    return Principal(
        organization_id=key.organization_id,
        kind="api-key",
        actor_id=key.id,
        name=key.api_user,
        key_type="secret" if key.type == "secret" else "publishable",
        permissions=permissions,
        allowed_ips=tuple(key.allowed_ips) if key.allowed_ips else None,
    )


def _permissions(acl: list[dict[str, object]] | None) -> frozenset[str] | None:
    if not acl:
        return None
    names: set[str] = set()
    for entry in acl:
        permissions = entry.get("permissions")
        if isinstance(permissions, list):
            names.update(str(p) for p in permissions)
    return frozenset(names)


def principal_from_jwt(session: Session, token: str) -> Principal:
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
            options={"require": ["exp", "iat", "sub", "org"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise Unauthorized("The bearer token has expired") from error
    except jwt.PyJWTError as error:
        raise Unauthorized("The bearer token is not valid") from error
    acl = claims.get("acl")
    if claims.get("typ") == CUSTOMER_TOKEN:
        return _customer_principal(organization.id, claims)
    return Principal(
        organization_id=organization.id,
        kind="jwt",
        actor_id=str(claims["sub"]),
        name=str(claims.get("name") or claims["sub"]),
        permissions=frozenset(acl) if isinstance(acl, list) else None,
    )


def _customer_principal(organization_id: str, claims: dict[str, object]) -> Principal:
    """A customer token: its own operations only (never every operation), for one customer
    and one KYC request."""
    acl = claims.get("acl")
    request_id = claims.get("req")
    if not isinstance(acl, list) or not isinstance(request_id, str):
        raise Unauthorized("The bearer token is not valid")
    return Principal(
        organization_id=organization_id,
        kind="jwt",
        actor_id=str(claims["sub"]),
        name="customer",
        key_type="customer",
        permissions=frozenset(str(p) for p in acl) - {"*"},
        customer_id=str(claims["sub"]),
        request_id=request_id,
    )


def issue_jwt(
    organization: Organization,
    subject: str,
    name: str,
    expires: datetime,
    permissions: list[str] | None = None,
) -> tuple[str, str]:
    """A signed token for the organization; returns (token id, token)."""
    token_id = pysecrets.token_hex(12)
    claims: dict[str, object] = {
        "iss": JWT_ISSUER,
        "sub": subject,
        "name": name,
        "org": organization.id,
        "iat": int(clock.now().timestamp()),
        "exp": int(expires.timestamp()),
        "jti": token_id,
    }
    if permissions:
        claims["acl"] = permissions
    return token_id, jwt.encode(claims, organization.jwt_secret, algorithm=JWT_ALGORITHM)


def issue_customer_jwt(
    organization: Organization,
    customer_id: str,
    request_id: str,
    expires: datetime,
    permissions: list[str],
) -> tuple[str, str, datetime]:
    """A customer token for the storefront API, bound to one KYC request; returns (token id,
    token, issue time)."""
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
