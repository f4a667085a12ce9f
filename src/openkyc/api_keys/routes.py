from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from openkyc.api_keys import service
from openkyc.api_keys.schemas import ApiKeyIn, ApiKeyOut
from openkyc.db.models import ApiKey
from openkyc.web.collections import Collection, member_response, page_response
from openkyc.web.deps import OperationIds, RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.links import Links
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/api-keys", tags=["API keys"], route_class=OneHopRoute)


def _out(key: ApiKey, links: Links, secret: str | None = None) -> ApiKeyOut:
    return ApiKeyOut.of(key, links.href("api-keys", key.id), secret)


@router.get("", operation_id="GetApiKeyCollection", response_model=list[ApiKeyOut])
def list_api_keys(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection
) -> JSONResponse:
    """The organization's API keys; secrets are never shown again."""
    keys, total = service.page(session, auth.organization_id, query)
    return page_response([_out(k, links) for k in keys], total, query)


@router.post("", operation_id="PostApiKey", status_code=201, response_model=ApiKeyOut)
def create_api_key(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    body: ApiKeyIn,
    operations: OperationIds,
) -> JSONResponse:
    """Create a key. The response is the only time its `secretKey` is shown. A key may do no
    more than the credentials that create it: a key with an ACL or `allowedIps` creates keys
    within them."""
    key, secret = service.make(session, auth, body, operations)
    out = _out(key, links, secret)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("/{id}", operation_id="GetApiKey", response_model=ApiKeyOut)
def get_api_key(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One API key, without its secret."""
    return member_response(_out(service.get(session, auth.organization_id, id), links))


@router.put(
    "/{id}",
    operation_id="PutApiKey",
    response_model=ApiKeyOut,
    responses={
        201: {"model": ApiKeyOut, "description": "API key created."},
        403: {"description": "The key can do more than the credentials used."},
    },
)
def put_api_key(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: ApiKeyIn,
    operations: OperationIds,
) -> JSONResponse:
    """Update a key's description, ACL and allowed IPs, or create a key with this id; within
    the limits of the credentials used, which must also cover the key as it was."""
    service.check_grant(auth, body, operations)
    key, secret = service.upsert(session, auth, id, body)
    out = _out(key, links, secret)
    if secret is None:
        return member_response(out)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.delete(
    "/{id}",
    operation_id="DeleteApiKey",
    status_code=204,
    responses={
        403: {"description": "The key can do more than the credentials used."},
        409: {"description": "The organization's last secret key cannot be deleted."},
    },
)
def delete_api_key(auth: SecretKeyAuth, session: Session, id: ResourceIdPath) -> Response:
    """Delete a key; requests made with it fail from now on."""
    service.delete(session, auth, id)
    return Response(status_code=204)
