"""Rules for API keys: a secret shown once, never the last secret key deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from openkyc.api_keys import grants
from openkyc.api_keys import repository as lookups
from openkyc.api_keys.repository import ApiKeyRepository
from openkyc.api_keys.schemas import ApiKeyIn
from openkyc.api_keys.secrets import hash_secret, new_secret
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import is_valid_id, new_id
from openkyc.db.models import ApiKey
from openkyc.errors import Conflict, NotFound, ValidationFailed
from openkyc.principal import Principal


def credentials_by_secret_hash(session: Session, digest: str) -> Row[Any] | None:
    """What authenticating a request needs of its key (organization, id, api user, type,
    secret hash, ACL, allowed IPs), by the digest of its secret, whichever organization."""
    return lookups.credentials_by_secret_hash(session, digest)


def find_by_secret_hash(session: Session, digest: str) -> ApiKey | None:
    """The key with this secret, whichever organization holds it: how a request finds its
    organization."""
    return lookups.find_by_secret_hash(session, digest)


def _new_key(organization_id: str, data: ApiKeyIn, secret: str, key_id: str = "") -> ApiKey:
    return ApiKey(
        id=key_id or new_id("api_key"),
        organization_id=organization_id,
        description=data.description,
        type=data.type,
        api_user=data.description,
        secret_hash=hash_secret(secret),
        secret_hint=secret[-4:],
        acl=[entry.model_dump(exclude_none=True) for entry in data.acl] if data.acl else None,
        allowed_ips=data.allowedIps,
    )


def _acl_permissions(acl: list[dict[str, object]] | None) -> list[str] | None:
    if not acl:
        return None
    permissions = (entry.get("permissions") for entry in acl)
    return [str(p) for listed in permissions if isinstance(listed, list) for p in listed]


def check_grant(holder: Principal, data: ApiKeyIn, known: frozenset[str]) -> None:
    """The key asked for can do no more than the credentials asking for it."""
    acl = [p for entry in data.acl for p in entry.permissions] if data.acl else None
    grants.check_key_grant(holder, acl, data.allowedIps, known)


def check_manage(holder: Principal, key: ApiKey) -> None:
    grants.check_may_manage(holder, _acl_permissions(key.acl), key.allowed_ips)


def create(
    session: Session, organization_id: str, data: ApiKeyIn, key_id: str = ""
) -> tuple[ApiKey, str]:
    """A new key and its secret, which the caller shows once."""
    secret = new_secret(data.type)
    key = ApiKeyRepository(session, organization_id).add(
        _new_key(organization_id, data, secret, key_id)
    )
    return key, secret


def make(
    session: Session, holder: Principal, data: ApiKeyIn, known: frozenset[str]
) -> tuple[ApiKey, str]:
    """A new key of the holder's organization that can do no more than the holder (its
    operations and addresses within the holder's), and its secret, which the caller shows
    once."""
    check_grant(holder, data, known)
    return create(session, holder.organization_id, data)


def create_initial_key(session: Session, organization_id: str) -> str:
    return create(session, organization_id, ApiKeyIn(description="Initial key"))[1]


def ensure_key(session: Session, organization_id: str, secret: str, description: str) -> bool:
    """Make sure a known secret is a key of the organization; True when it was added."""
    if len(secret) < 16:
        raise ValidationFailed.field("apiKey", "a bootstrap API key needs at least 16 characters")
    existing = lookups.find_by_secret_hash(session, hash_secret(secret))
    if existing is not None:
        if existing.organization_id != organization_id:
            raise Conflict("That API key already belongs to another organization")
        return False
    data = ApiKeyIn(description=description)
    ApiKeyRepository(session, organization_id).add(_new_key(organization_id, data, secret))
    return True


def get(session: Session, organization_id: str, key_id: str) -> ApiKey:
    key = ApiKeyRepository(session, organization_id).get(key_id)
    if key is None:
        raise NotFound.resource("API key", key_id)
    return key


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[ApiKey], int]:
    return ApiKeyRepository(session, organization_id).page(query)


def upsert(
    session: Session, holder: Principal, key_id: str, data: ApiKeyIn
) -> tuple[ApiKey, str | None]:
    """Update a key's description and limits, or create it with that id (secret returned);
    the holder's own limits bound both the key it changes and what it changes it to."""
    if not is_valid_id(key_id):
        raise ValidationFailed.field("id", "must be 1-50 letters, digits or @~-._")
    organization_id = holder.organization_id
    key = ApiKeyRepository(session, organization_id).get(key_id)
    if key is not None:
        check_manage(holder, key)
    if key is None:
        return create(session, organization_id, data, key_id)
    if data.type != key.type:
        raise ValidationFailed.field("type", "the type of an existing key cannot change")
    key.description = data.description
    key.api_user = data.description
    key.acl = [entry.model_dump(exclude_none=True) for entry in data.acl] if data.acl else None
    key.allowed_ips = data.allowedIps
    key.touch()
    session.flush()
    return key, None


def delete(session: Session, holder: Principal, key_id: str) -> None:
    repository = ApiKeyRepository(session, holder.organization_id)
    key = repository.get(key_id)
    if key is None:
        raise NotFound.resource("API key", key_id)
    check_manage(holder, key)
    if key.type == "secret" and repository.count_secret_keys() <= 1:
        raise Conflict("This is the organization's last secret key; create another one first")
    repository.delete(key)
