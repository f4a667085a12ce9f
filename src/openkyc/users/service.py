"""Rules for users: who may be created, how a person signs in, the second factor, lockout.

Sign-in is the one place that writes on a refusal (the count of failures), so it returns
its outcome and lets the boundary commit before answering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import User
from openkyc.errors import Conflict, NotFound, ValidationFailed
from openkyc.sealing import Sealer
from openkyc.users import passwords
from openkyc.users import repository as lookups
from openkyc.users.enums import Role, UserStatus
from openkyc.users.repository import UserRepository
from openkyc.users.schemas import PasswordChangeIn, UserIn, UserPatch

# Consecutive failed sign-ins that lock an account, and for how long.
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)


def create(session: Session, organization_id: str, data: UserIn) -> User:
    repository = UserRepository(session, organization_id)
    if repository.by_email(data.email) is not None:
        raise ValidationFailed.field("email", "a user of this organization has this email")
    now = clock.now()
    return repository.add(
        User(
            id=new_id("usr"),
            organization_id=organization_id,
            email=data.email,
            first_name=data.firstName,
            last_name=data.lastName,
            role=data.role.value,
            status=UserStatus.ACTIVE.value,
            password_hash=passwords.hash_password(data.password),
            totp_enabled=False,
            failed_sign_ins=0,
            revision=0,
            created_time=now,
            updated_time=now,
        )
    )


def get(session: Session, organization_id: str, user_id: str) -> User:
    user = UserRepository(session, organization_id).get(user_id)
    if user is None:
        raise NotFound.resource("User", user_id)
    return user


def page(session: Session, organization_id: str, query: CollectionQuery) -> tuple[list[User], int]:
    return UserRepository(session, organization_id).page(query)


def update(
    session: Session, organization_id: str, user_id: str, data: UserPatch, acting_user: str | None
) -> User:
    """Change a user's name, role or status; the organization keeps at least one active admin."""
    repository = UserRepository(session, organization_id)
    user = repository.get(user_id, for_update=True)
    if user is None:
        raise NotFound.resource("User", user_id)
    values = {
        "first_name": data.firstName,
        "last_name": data.lastName,
        "role": data.role.value if data.role else None,
        "status": data.status.value if data.status else None,
    }
    was_admin = user.role == Role.ADMIN and user.status == UserStatus.ACTIVE
    if user.assign({k: v for k, v in values.items() if v is not None}):
        user.touch()
        session.flush()
    if was_admin and repository.count_active_admins() == 0:
        raise Conflict("The organization's last active admin cannot lose that role")
    if user_id == acting_user and user.status != UserStatus.ACTIVE:
        raise Conflict("An admin cannot deactivate themselves")
    return user


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or why not (said the same way for every cause
    a stranger could probe)."""

    user: User | None
    refusal: str = ""


WRONG = "The email, password or one-time code is wrong"


def sign_in(
    session: Session,
    sealer: Sealer,
    email: str,
    password: str,
    otp: str | None,
    organization_id: str | None,
) -> SignIn:
    now = clock.now()
    user = _find(session, email, organization_id)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return SignIn(None, "Too many failed sign-ins; try again later")
    if not passwords.password_matches(user.password_hash if user else None, password):
        return _failed(user, now)
    assert user is not None
    if user.status != UserStatus.ACTIVE:
        return SignIn(None, WRONG)
    if user.totp_enabled:
        step = _totp_step(sealer, user, otp, now)
        if step is None:
            return _failed(user, now)
        user.totp_last_step = step
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_time = now
    session.flush()
    return SignIn(user)


def _find(session: Session, email: str, organization_id: str | None) -> User | None:
    if organization_id is not None:
        return UserRepository(session, organization_id).by_email(email)
    found = lookups.find_by_email(session, email)
    if len(found) > 1:
        raise ValidationFailed.field(
            "organizationId", "this email belongs to several organizations: name one"
        )
    return found[0] if found else None


def _failed(user: User | None, now: datetime) -> SignIn:
    if user is not None:
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until = now + LOCKOUT
            user.failed_sign_ins = 0
    return SignIn(None, WRONG)


def _totp_step(sealer: Sealer, user: User, otp: str | None, now: datetime) -> int | None:
    secret = sealer.open(user.totp_secret)
    if not otp or secret is None:
        return None
    return passwords.totp_step(secret, otp, user.totp_last_step, now)


def start_totp(session: Session, sealer: Sealer, user: User) -> str:
    """A new TOTP secret for the user, in force once a code from it is confirmed."""
    if user.totp_enabled:
        raise Conflict("A second factor is already set up; an admin can reset it")
    secret = passwords.new_totp_secret()
    user.totp_secret = sealer.seal(secret)
    user.totp_last_step = None
    user.touch()
    session.flush()
    return secret


def confirm_totp(session: Session, sealer: Sealer, user: User, otp: str) -> User:
    if user.totp_enabled:
        raise Conflict("The second factor is already in force")
    step = _totp_step(sealer, user, otp, clock.now())
    if step is None:
        raise ValidationFailed.field("otp", "the code does not match; start again if needed")
    user.totp_enabled = True
    user.totp_last_step = step
    user.touch()
    session.flush()
    return user


def reset_totp(session: Session, organization_id: str, user_id: str) -> User:
    """An admin removes a user's second factor (a lost phone); the user sets up a new one."""
    user = get(session, organization_id, user_id)
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    user.touch()
    session.flush()
    return user


def change_password(session: Session, user: User, data: PasswordChangeIn) -> None:
    if not passwords.password_matches(user.password_hash, data.currentPassword):
        raise ValidationFailed.field("currentPassword", "is not the current password")
    user.password_hash = passwords.hash_password(data.newPassword)
    user.touch()
    session.flush()


def sign_out(session: Session, organization_id: str, user_id: str) -> None:
    """End every session of the person: the tokens issued until now stop acting for them."""
    user = get(session, organization_id, user_id)
    user.sessions_not_before = clock.now()
    session.flush()


def active_user(session: Session, organization_id: str, user_id: str) -> User | None:
    """The user a token speaks for, if they may still act."""
    user = UserRepository(session, organization_id).get(user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    return user
