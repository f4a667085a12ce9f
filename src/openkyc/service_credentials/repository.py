"""Service credentials of an organization."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page, text_search
from openkyc.db.models import ServiceCredential

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


class CredentialRepository:
    def __init__(self, session: Session, organization_id: str, credential_type: str) -> None:
        self.session = session
        self.organization_id = organization_id
        self.type = credential_type

    def _scoped(self) -> Select[ServiceCredential]:
        return select(ServiceCredential).where(
            ServiceCredential.organization_id == self.organization_id,
            ServiceCredential.type == self.type,
        )

    def get(self, credential_id: str) -> ServiceCredential | None:
        credential = self.session.get(ServiceCredential, (self.organization_id, credential_id))
        return credential if credential is not None and credential.type == self.type else None

    def for_host(self, host: str) -> list[ServiceCredential]:
        statement = self._scoped().where(func.lower(ServiceCredential.host) == host.lower())
        return list(self.session.scalars(statement))

    def page(self, query: CollectionQuery) -> tuple[list[ServiceCredential], int]:
        statement = self._scoped()
        if query.q:
            statement = statement.where(text_search(query.q, ServiceCredential.host))
        return fetch_page(self.session, statement, FIELDS, query)

    def add(self, credential: ServiceCredential) -> ServiceCredential:
        self.session.add(credential)
        self.session.flush()
        return credential
