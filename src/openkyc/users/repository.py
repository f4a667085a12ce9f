from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import User
from openkyc.db.repository import TenantRepository
from openkyc.users.enums import Role, UserStatus

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


class UserRepository(TenantRepository[User]):
    model = User
    fields = FIELDS

    def by_email(self, email: str) -> User | None:
        statement = self.scoped().where(func.lower(User.email) == email.lower())
        return self.session.scalars(statement).one_or_none()

    def count_active_admins(self) -> int:
        statement = select(func.count()).where(
            User.organization_id == self.organization_id,
            User.role == Role.ADMIN,
            User.status == UserStatus.ACTIVE,
        )
        return int(self.session.scalar(statement) or 0)
