from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from openkyc.auth import service as auth_service
from openkyc.db.models import User
from openkyc.errors import Forbidden, Unauthorized
from openkyc.organizations import service as organizations
from openkyc.principal import Principal
from openkyc.users import service
from openkyc.users.enums import Role
from openkyc.users.passwords import totp_uri
from openkyc.users.schemas import (
    PasswordChangeIn,
    SignInIn,
    SignInOut,
    TotpConfirmIn,
    TotpSetupOut,
    UserIn,
    UserOut,
    UserPatch,
)
from openkyc.web.collections import Collection, member_response, page_response
from openkyc.web.deps import (
    AppSealer,
    AppSettings,
    RequestLinks,
    ResourceIdPath,
    SecretKeyAuth,
    Session,
)
from openkyc.web.links import Links
from openkyc.web.routing import OneHopRoute, in_endpoint_thread

router = APIRouter(prefix="/users", tags=["Users"], route_class=OneHopRoute)
sign_in_router = APIRouter(tags=["Users"], route_class=OneHopRoute)
# The signed-in person's own account (apart from /users/{id}, which an admin manages).
profile_router = APIRouter(prefix="/profile", tags=["Users"], route_class=OneHopRoute)


def _person(auth: SecretKeyAuth) -> Principal:
    if auth.kind != "user":
        raise Forbidden("Only a signed-in user may do this (Authorization: Bearer <user token>)")
    return auth


def _admin(auth: SecretKeyAuth) -> Principal:
    if auth.kind != "user" or auth.role != Role.ADMIN:
        raise Forbidden("Only an admin user manages users")
    return auth


PersonAuth = Annotated[Principal, Depends(in_endpoint_thread(_person))]
AdminAuth = Annotated[Principal, Depends(in_endpoint_thread(_admin))]


def _out(user: User, links: Links) -> UserOut:
    return UserOut.of(user, links.href("users", user.id))


@sign_in_router.post("/signin", operation_id="PostSignin", response_model=SignInOut)
def sign_in(
    session: Session,
    sealer: AppSealer,
    links: RequestLinks,
    body: SignInIn,
    settings: AppSettings,
) -> JSONResponse:
    """Sign a person in with email, password and (when set up) a TOTP code; the answer is a
    JWT for `Authorization: Bearer` that acts as this person, for an hour by default (at most
    `OPENKYC_JWT_MAX_TTL_SECONDS`). Five failures in a row lock the account for 15 minutes."""
    expires = auth_service.token_lifetime(body.expiredTime, settings)
    outcome = service.sign_in(
        session, sealer, body.email, body.password, body.otp, body.organizationId
    )
    if outcome.user is None:
        # The count of failures must stay, though the answer is a refusal.
        session.commit()
        raise Unauthorized(outcome.refusal)
    organization = organizations.get(session, outcome.user.organization_id)
    assert organization is not None, "a user's organization is kept by a foreign key"
    token = auth_service.issue_user_jwt(organization, outcome.user.id, expires)
    return member_response(
        SignInOut(token=token, expiredTime=expires, user=_out(outcome.user, links))
    )


@router.get("", operation_id="GetUserCollection", response_model=list[UserOut])
def list_users(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection
) -> JSONResponse:
    """The organization's users."""
    users, total = service.page(session, auth.organization_id, query)
    return page_response([_out(u, links) for u in users], total, query)


@router.post("", operation_id="PostUser", status_code=201, response_model=UserOut)
def create_user(
    auth: AdminAuth, session: Session, links: RequestLinks, body: UserIn
) -> JSONResponse:
    """An admin adds a person (admin, reviewer or viewer) with a first password."""
    out = _out(service.create(session, auth.organization_id, body), links)
    return member_response(out, status_code=201, location=out.links[0].href)


@profile_router.get("", operation_id="GetCurrentUser", response_model=UserOut)
def current_user(auth: PersonAuth, session: Session, links: RequestLinks) -> JSONResponse:
    """The signed-in user."""
    return member_response(_out(service.get(session, auth.organization_id, auth.actor_id), links))


@profile_router.post("/password", operation_id="PostUserPassword", status_code=204)
def change_password(auth: PersonAuth, session: Session, body: PasswordChangeIn) -> Response:
    """Change your own password (the current one is asked again)."""
    user = service.get(session, auth.organization_id, auth.actor_id)
    service.change_password(session, user, body)
    return Response(status_code=204)


@profile_router.post(
    "/totp", operation_id="PostUserTotp", status_code=201, response_model=TotpSetupOut
)
def start_totp(auth: PersonAuth, session: Session, sealer: AppSealer) -> JSONResponse:
    """Start setting up a second factor: add the secret (or the URI as a QR code) to an
    authenticator app, then confirm with a code. Sign-in asks for a code from then on."""
    user = service.get(session, auth.organization_id, auth.actor_id)
    secret = service.start_totp(session, sealer, user)
    return member_response(
        TotpSetupOut(secret=secret, uri=totp_uri(secret, user.email)), status_code=201
    )


@profile_router.post(
    "/totp/confirmation",
    operation_id="PostUserTotpConfirmation",
    status_code=201,
    response_model=UserOut,
)
def confirm_totp(
    auth: PersonAuth, session: Session, sealer: AppSealer, links: RequestLinks, body: TotpConfirmIn
) -> JSONResponse:
    """Put the second factor in force with a code from the authenticator app."""
    user = service.get(session, auth.organization_id, auth.actor_id)
    return member_response(
        _out(service.confirm_totp(session, sealer, user, body.otp), links), status_code=201
    )


@router.get("/{id}", operation_id="GetUser", response_model=UserOut)
def get_user(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One user."""
    return member_response(_out(service.get(session, auth.organization_id, id), links))


@router.patch("/{id}", operation_id="PatchUser", response_model=UserOut)
def update_user(
    auth: AdminAuth, session: Session, links: RequestLinks, id: ResourceIdPath, body: UserPatch
) -> JSONResponse:
    """An admin changes a user's name, role or status (`deactivated` ends their sessions)."""
    user = service.update(session, auth.organization_id, id, body, auth.actor_id)
    return member_response(_out(user, links))


@router.post(
    "/{id}/totp-reset", operation_id="PostUserTotpReset", status_code=201, response_model=UserOut
)
def reset_totp(
    auth: AdminAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """An admin removes a user's second factor (a lost phone)."""
    return member_response(
        _out(service.reset_totp(session, auth.organization_id, id), links), status_code=201
    )
