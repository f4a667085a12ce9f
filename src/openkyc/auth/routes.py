from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from openkyc.auth import service
from openkyc.auth.schemas import SessionIn, SessionOut
from openkyc.db.models import SessionToken
from openkyc.web.collections import Collection, member_response, page_response
from openkyc.web.deps import AppSettings, OperationIds, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/sessions", tags=["Sessions"], route_class=OneHopRoute)


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
    auth: SecretKeyAuth,
    session: Session,
    body: SessionIn,
    settings: AppSettings,
    operations: OperationIds,
) -> JSONResponse:
    """Issue a JWT for `Authorization: Bearer`, signed with the organization's key, expiring
    at `expiredTime` (at most `OPENKYC_JWT_MAX_TTL_SECONDS` ahead). The token may do what
    `permissions` names, within what its API key may do, from the key's addresses; deleting
    or narrowing the key, or `DELETE /sessions/{id}`, takes effect on the token at once."""
    asked = service.SessionAsked(body.name, body.expiredTime, body.permissions)
    row, token = service.start_session(session, auth, asked, settings, operations)
    return member_response(_out(row, token), status_code=201)


@router.get("", operation_id="GetSessionCollection", response_model=list[SessionOut])
def list_sessions(auth: SecretKeyAuth, session: Session, query: Collection) -> JSONResponse:
    """The organization's tokens still valid or not yet cleaned up; the tokens themselves
    are never shown again."""
    rows, total = service.sessions_page(session, auth.organization_id, query)
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
