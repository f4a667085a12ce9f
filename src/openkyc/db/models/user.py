from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, ResourceMixin, tenant_table_args
from openkyc.db.types import EnumText, UTCDateTime
from openkyc.users.enums import Role, UserStatus


class User(ResourceMixin, Base):
    """A person of the organization who signs in (argon2id password, optional TOTP)."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(255), nullable=False)
    first_name: Mapped[str] = mapped_column(String(255), nullable=False)
    last_name: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[Role] = mapped_column(EnumText(Role, 20), nullable=False)
    status: Mapped[UserStatus] = mapped_column(
        EnumText(UserStatus, 20), nullable=False, default=UserStatus.ACTIVE
    )
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    # Sealed (openkyc.sealing): the second factor's shared secret must be read again.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The last TOTP time step used, so a code seen once cannot sign in again.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Signing out ends every session: tokens issued before this no longer act for the person.
    sessions_not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = tenant_table_args(
        Index("uq_users_org_email", "organization_id", func.lower(email), unique=True),
        # Sign-in finds a person by email before it knows the organization.
        Index("ix_users_email", func.lower(email)),
        Index(None, "organization_id", "created_time"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
