from __future__ import annotations

from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from openkyc.db.models import User
from openkyc.users.enums import Role, UserStatus
from openkyc.wire import IsoDateTime, Link, ResourceId, StrictWireModel, Timestamp, links_field

Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
# Long enough to resist guessing; argon2 takes any length, the cap keeps hashing cheap.
Password = Annotated[str, StringConstraints(min_length=12, max_length=256)]
Otp = Annotated[str, StringConstraints(pattern=r"^\s*[0-9]{6}\s*$")]


class UserIn(StrictWireModel):
    email: Annotated[EmailStr, StringConstraints(max_length=254)]
    firstName: Name
    lastName: Name
    role: Role = Role.REVIEWER
    password: Password


class UserPatch(StrictWireModel):
    firstName: Name | None = None
    lastName: Name | None = None
    role: Role | None = None
    status: UserStatus | None = None


class UserOut(StrictWireModel):
    id: str
    email: str
    firstName: str
    lastName: str
    role: Role
    status: UserStatus
    totpEnabled: bool
    lastSignInTime: Timestamp | None
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(cls, user: User, href: str) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            firstName=user.first_name,
            lastName=user.last_name,
            role=Role(user.role),
            status=UserStatus(user.status),
            totpEnabled=user.totp_enabled,
            lastSignInTime=user.last_sign_in_time,
            createdTime=user.created_time,
            updatedTime=user.updated_time,
            links=[Link(rel="self", href=href)],
        )


class SignInIn(StrictWireModel):
    email: str = Field(max_length=255)
    password: str = Field(max_length=256)
    otp: Otp | None = Field(default=None, description="The current code of the user's TOTP app.")
    organizationId: ResourceId | None = Field(
        default=None, description="Needed only when the email is a user of several organizations."
    )
    expiredTime: IsoDateTime | None = Field(
        default=None, description="When the token stops working; one hour by default."
    )


class SignInOut(StrictWireModel):
    token: str
    expiredTime: Timestamp
    user: UserOut


class TotpSetupOut(StrictWireModel):
    secret: str
    uri: str = Field(description="otpauth:// URI to show as a QR code to an authenticator app.")


class TotpConfirmIn(StrictWireModel):
    otp: Otp


class PasswordChangeIn(StrictWireModel):
    currentPassword: str = Field(max_length=256)
    newPassword: Password
