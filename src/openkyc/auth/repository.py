"""Issued session tokens of an organization."""

from __future__ import annotations

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import ApiKey, SessionToken
from openkyc.db.repository import TenantRepository

FIELDS = FieldSet.of(
    Field("id", SessionToken.id),
    Field("name", SessionToken.name, "text"),
    Field("createdTime", SessionToken.created_time, "datetime"),
    Field("expiredTime", SessionToken.expired_time, "datetime"),
)


class SessionTokenRepository(TenantRepository[SessionToken]):
    model = SessionToken
    fields = FIELDS

    def key_of(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, (self.organization_id, key_id))
