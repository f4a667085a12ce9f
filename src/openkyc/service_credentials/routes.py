from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from openkyc.db.models import ServiceCredential
from openkyc.service_credentials import service
from openkyc.service_credentials.schemas import (
    CredentialStatusIn,
    CredentialType,
    ServiceCredentialOut,
    WebhookCredentialIn,
)
from openkyc.web.collections import Collection, member_response, page_response
from openkyc.web.deps import AppSealer, RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.links import Links
from openkyc.web.routing import OneHopRoute

router = APIRouter(
    prefix="/service-credentials", tags=["Service credentials"], route_class=OneHopRoute
)
UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid data, or a credential type other than webhook."}
}


async def _supported_type(
    type: Annotated[
        CredentialType,
        # The contract lists many credential types; openkyc keeps webhook credentials only.
        Path(description="Type of service credential.", json_schema_extra={"enum": ["webhook"]}),
    ],
) -> str:
    return service.check_supported(type)


SupportedType = Annotated[str, Depends(_supported_type)]


def _out(credential: ServiceCredential, links: Links) -> ServiceCredentialOut:
    href = links.href("service-credentials", credential.type, credential.id)
    return ServiceCredentialOut.of(credential, href)


@router.get(
    "/{type}",
    operation_id="GetServiceCredentialCollection",
    response_model=list[ServiceCredentialOut],
    responses=UNSUPPORTED,
)
def list_credentials(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    type: SupportedType,
    query: Collection,
) -> JSONResponse:
    """The organization's webhook credentials (`q` searches the host)."""
    credentials, total = service.page(session, auth.organization_id, query)
    return page_response([_out(c, links) for c in credentials], total, query)


@router.post(
    "/{type}",
    operation_id="PostServiceCredential",
    status_code=201,
    response_model=ServiceCredentialOut,
    responses={
        303: {"model": ServiceCredentialOut, "description": "The same credential exists."},
        **UNSUPPORTED,
    },
)
def create_credential(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    sealer: AppSealer,
    type: SupportedType,
    body: WebhookCredentialIn,
) -> JSONResponse:
    """Create a credential for a webhook host: none, HTTP Basic or HTTP Digest. An active one
    with the same host and authentication is answered with 303 and its location."""
    credential, created = service.create(session, auth.organization_id, body, sealer)
    out = _out(credential, links)
    return member_response(out, status_code=201 if created else 303, location=out.links[0].href)


@router.get(
    "/{type}/{id}",
    operation_id="GetServiceCredential",
    response_model=ServiceCredentialOut,
    responses=UNSUPPORTED,
)
def get_credential(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    type: SupportedType,
    id: ResourceIdPath,
) -> JSONResponse:
    """One credential, without its password."""
    return member_response(_out(service.get(session, auth.organization_id, id), links))


@router.patch(
    "/{type}/{id}",
    operation_id="PatchServiceCredential",
    response_model=ServiceCredentialOut,
    responses=UNSUPPORTED,
)
def patch_credential(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    type: SupportedType,
    id: ResourceIdPath,
    body: CredentialStatusIn,
) -> JSONResponse:
    """Activate, inactivate or (for good) deactivate a credential. Webhooks using one that is
    not active fail their deliveries until it is."""
    credential = service.change_status(session, auth.organization_id, id, body)
    return member_response(_out(credential, links))
