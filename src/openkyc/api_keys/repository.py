from __future__ import annotations

from sqlalchemy import func, select
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


class ApiKeyRepository(TenantRepository[ApiKey]):
    model = ApiKey
    fields = FIELDS

    def count_secret_keys(self) -> int:
        statement = select(func.count()).where(
            ApiKey.organization_id == self.organization_id, ApiKey.type == "secret"
        )
        return int(self.session.scalar(statement) or 0)
