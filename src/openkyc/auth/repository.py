"""Issued session tokens of an organization."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page
from openkyc.db.models import ApiKey, SessionToken

FIELDS = FieldSet.of(
    Field("id", SessionToken.id),
    Field("name", SessionToken.name, "text"),
    Field("createdTime", SessionToken.created_time, "datetime"),
    Field("expiredTime", SessionToken.expired_time, "datetime"),
)


class SessionTokenRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, token_id: str) -> SessionToken | None:
        return self.session.get(SessionToken, (self.organization_id, token_id))

    def key_of(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, (self.organization_id, key_id))

    def page(self, query: CollectionQuery) -> tuple[list[SessionToken], int]:
        statement = select(SessionToken).where(SessionToken.organization_id == self.organization_id)
        return fetch_page(self.session, statement, FIELDS, query)

    def add(self, token: SessionToken) -> SessionToken:
        self.session.add(token)
        self.session.flush()
        return token

    def delete(self, token: SessionToken) -> None:
        self.session.delete(token)
        self.session.flush()
