"""Service credentials of an organization."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import ServiceCredential
from openkyc.db.repository import TenantRepository

FIELDS = FieldSet.of(
    Field("id", ServiceCredential.id),
    Field("host", ServiceCredential.host, "text"),
    Field("status", ServiceCredential.status),
    Field("createdTime", ServiceCredential.created_time, "datetime"),
    Field("updatedTime", ServiceCredential.updated_time, "datetime"),
)


def every_credential_with_password(session: Session) -> list[ServiceCredential]:
    """Every organization's credentials that keep a password (maintenance at start)."""
    statement = select(ServiceCredential).where(ServiceCredential.password.is_not(None))
    return list(session.scalars(statement))


class CredentialRepository(TenantRepository[ServiceCredential]):
    """The organization's credentials of one type (the type is part of their path)."""

    model = ServiceCredential
    fields = FIELDS
    search = (ServiceCredential.host,)

    def __init__(self, session: Session, organization_id: str, credential_type: str) -> None:
        super().__init__(session, organization_id)
        self.type = credential_type

    def scoped(self) -> Select[ServiceCredential]:
        return super().scoped().where(ServiceCredential.type == self.type)

    def get(self, credential_id: str, *, for_update: bool = False) -> ServiceCredential | None:
        credential = super().get(credential_id, for_update=for_update)
        return credential if credential is not None and credential.type == self.type else None

    def for_host(self, host: str) -> list[ServiceCredential]:
        statement = self.scoped().where(func.lower(ServiceCredential.host) == host.lower())
        return list(self.session.scalars(statement))
