from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import ApiKey
from openkyc.db.repository import TenantRepository

FIELDS = FieldSet.of(
    Field("id", ApiKey.id),
    Field("description", ApiKey.description, "text"),
    Field("type", ApiKey.type),
    Field("createdTime", ApiKey.created_time, "datetime"),
    Field("updatedTime", ApiKey.updated_time, "datetime"),
)


def find_by_secret_hash(session: Session, digest: str) -> ApiKey | None:
    """The one lookup not scoped to an organization: it is how a request finds its organization."""
    return session.scalars(select(ApiKey).where(ApiKey.secret_hash == digest)).one_or_none()


# Built once: this runs on every request, and building the statement cost more than its
# round trip. A row of columns, not a mapped object, for the same reason.
_CREDENTIALS_BY_DIGEST = select(
    ApiKey.organization_id,
    ApiKey.id,
    ApiKey.api_user,
    ApiKey.type,
    ApiKey.secret_hash,
    ApiKey.acl,
    ApiKey.allowed_ips,
).where(ApiKey.secret_hash == bindparam("digest"))


def credentials_by_secret_hash(session: Session, digest: str) -> Row[Any] | None:
    """What authenticating a request needs of its key, by the unique index on the digest of
    its secret (never a scan)."""
    return session.execute(_CREDENTIALS_BY_DIGEST, {"digest": digest}).one_or_none()


class ApiKeyRepository(TenantRepository[ApiKey]):
    model = ApiKey
    fields = FIELDS

    def count_secret_keys(self) -> int:
        statement = select(func.count()).where(
            ApiKey.organization_id == self.organization_id, ApiKey.type == "secret"
        )
        return int(self.session.scalar(statement) or 0)
