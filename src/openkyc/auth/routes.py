from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from openkyc import clock
from openkyc.auth import grants, service
from openkyc.auth.principal import Principal
from openkyc.auth.repository import SessionTokenRepository
from openkyc.auth.schemas import SessionIn, SessionOut
from openkyc.config import Settings
from openkyc.db.models import SessionToken
from openkyc.errors import NotFound, ValidationFailed
from openkyc.organizations import repository as organizations
from openkyc.web.collections import Collection, member_response, page_response
from openkyc.web.deps import ResourceIdPath, SecretKeyAuth, Session

router = APIRouter(prefix="/sessions", tags=["Sessions"])


def _out(row: SessionToken, token: str | None = None) -> SessionOut:
    return SessionOut(
        id=row.id,
        token=token,
        name=row.name,
        permissions=row.permissions,
        expiredTime=row.expired_time,
        createdTime=row.created_time,
    )


@router.post("", operation_id="PostSession", status_code=201, response_model=SessionOut)
def create_session(
    auth: SecretKeyAuth, session: Session, body: SessionIn, request: Request
) -> JSONResponse:
    """Issue a JWT for `Authorization: Bearer`, signed with the organization's key, expiring
    at `expiredTime` (at most `OPENKYC_JWT_MAX_TTL_SECONDS` ahead). The token may do what
    `permissions` names, within what its API key may do, from the key's addresses; deleting
    or narrowing the key, or `DELETE /sessions/{id}`, takes effect on the token at once."""
    organization = organizations.get(session, auth.organization_id)
    if organization is None:
        raise NotFound("The organization no longer exists")
    expires = _expiry(body.expiredTime, auth, request.app.state.settings)
    name = body.name or auth.name
    permissions = grants.token_permissions(auth, body.permissions, request.app.state.operation_ids)
    row, token = service.issue_session(session, organization, auth, name, expires, permissions)
    return member_response(_out(row, token), status_code=201)


def _expiry(asked: datetime | None, holder: Principal, settings: Settings) -> datetime:
    now = clock.now()
    expires = asked or now + timedelta(seconds=settings.jwt_default_ttl_seconds)
    if expires <= now:
        raise ValidationFailed.field("expiredTime", "must be in the future")
    if expires > now + timedelta(seconds=settings.jwt_max_ttl_seconds):
        raise ValidationFailed.field(
            "expiredTime", f"must be at most {settings.jwt_max_ttl_seconds} seconds ahead"
        )
    if holder.expires is not None and expires > holder.expires:
        # A token from a token ends no later than the token that made it.
        if asked is not None:
            raise ValidationFailed.field("expiredTime", "must not outlive the token used")
        expires = holder.expires
    return expires


@router.get("", operation_id="GetSessionCollection", response_model=list[SessionOut])
def list_sessions(auth: SecretKeyAuth, session: Session, query: Collection) -> JSONResponse:
    """The organization's tokens still valid or not yet cleaned up; the tokens themselves
    are never shown again."""
    rows, total = SessionTokenRepository(session, auth.organization_id).page(query)
    return page_response([_out(row) for row in rows], total, query)


@router.delete(
    "/{id}",
    operation_id="DeleteSession",
    status_code=204,
    responses={403: {"description": "The token can do more than the credentials used."}},
)
def delete_session(auth: SecretKeyAuth, session: Session, id: ResourceIdPath) -> Response:
    """Revoke a token: requests made with it fail from now on."""
    service.revoke_session(session, auth, id)
    return Response(status_code=204)
