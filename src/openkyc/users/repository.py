from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkyc.db.collection import CollectionQuery, Field, FieldSet, fetch_page
from openkyc.db.models import User
from openkyc.users.enums import UserStatus

FIELDS = FieldSet.of(
    Field("id", User.id),
    Field("email", User.email, "text"),
    Field("firstName", User.first_name, "text"),
    Field("lastName", User.last_name, "text"),
    Field("role", User.role),
    Field("status", User.status),
    Field("createdTime", User.created_time, "datetime"),
    Field("updatedTime", User.updated_time, "datetime"),
)


def find_by_email(session: Session, email: str) -> list[User]:
    """The one lookup across organizations: signing in names a person before an organization."""
    statement = select(User).where(func.lower(User.email) == email.lower()).limit(2)
    return list(session.scalars(statement))


class UserRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        return self.session.get(
            User, (self.organization_id, user_id), with_for_update=for_update or None
        )

    def by_email(self, email: str) -> User | None:
        statement = select(User).where(
            User.organization_id == self.organization_id, func.lower(User.email) == email.lower()
        )
        return self.session.scalars(statement).one_or_none()

    def page(self, query: CollectionQuery) -> tuple[list[User], int]:
        statement = select(User).where(User.organization_id == self.organization_id)
        return fetch_page(self.session, statement, FIELDS, query)

    def count_active_admins(self) -> int:
        statement = select(func.count()).where(
            User.organization_id == self.organization_id,
            User.role == "admin",
            User.status == UserStatus.ACTIVE,
        )
        return int(self.session.scalar(statement) or 0)

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user
