from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from openkyc.auth import grants, service
from openkyc.auth.schemas import SessionIn, SessionOut
from openkyc.db.types import utcnow
from openkyc.errors import NotFound, ValidationFailed
from openkyc.organizations import repository as organizations
from openkyc.web.collections import member_response
from openkyc.web.deps import SecretKeyAuth, Session

router = APIRouter(prefix="/sessions", tags=["Sessions"])


@router.post("", operation_id="PostSession", status_code=201, response_model=SessionOut)
def create_session(
    auth: SecretKeyAuth, session: Session, body: SessionIn, request: Request
) -> JSONResponse:
    """Issue a JWT for `Authorization: Bearer`, signed with the organization's key, expiring
    at `expiredTime`. Use it for back-office users or short-lived integrations."""
    organization = organizations.get(session, auth.organization_id)
    if organization is None:
        raise NotFound("The organization no longer exists")
    now = utcnow()
    expires = body.expiredTime or service.default_expiry(
        request.app.state.settings.jwt_default_ttl_seconds
    )
    if expires <= now:
        raise ValidationFailed.field("expiredTime", "must be in the future")
    name = body.name or auth.name
    permissions = grants.token_permissions(auth, body.permissions, request.app.state.operation_ids)
    token_id, token = service.issue_jwt(organization, auth.actor_id, name, expires, permissions)
    out = SessionOut(
        id=token_id,
        token=token,
        name=name,
        permissions=permissions,
        expiredTime=expires,
        createdTime=now,
    )
    return member_response(out, status_code=201)
