from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from openkyc.attachments import service, views
from openkyc.attachments.schemas import AttachmentIn, AttachmentOut
from openkyc.db.models import Attachment
from openkyc.web.collections import (
    Collection,
    Expand,
    Fields,
    check_expand,
    member_response,
    page_response,
)
from openkyc.web.deps import RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.links import Links
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/attachments", tags=["Files"], route_class=OneHopRoute)


def _one(
    session: Session, attachment: Attachment, links: Links, expand: frozenset[str] = frozenset()
) -> AttachmentOut:
    rendered = views.attachments_out(
        session, attachment.organization_id, [attachment], links, expand
    )
    return rendered[0]


@router.get("", operation_id="GetAttachmentCollection", response_model=list[AttachmentOut])
def list_attachments(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    query: Collection,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """The organization's attachments, filtered (`fileId`, `relatedType`, `relatedId`,
    `name`, `createdTime`, …), sorted and paginated; `expand=file` embeds each file."""
    check_expand(expand, views.EXPANDABLE)
    attachments, total = service.page(session, auth.organization_id, query)
    return page_response(
        views.attachments_out(session, auth.organization_id, attachments, links, expand),
        total,
        query,
        fields,
    )


@router.post("", operation_id="PostAttachment", status_code=201, response_model=AttachmentOut)
def create_attachment(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, body: AttachmentIn, expand: Expand
) -> JSONResponse:
    """Attach one of the organization's files to one of its customers or to the organization
    itself. A file or customer the organization does not have is a 422 naming `fileId` or
    `relatedId`; openkyc keeps no payments, invoices or the like, so those types are refused."""
    check_expand(expand, views.EXPANDABLE)
    out = _one(session, service.create(session, auth.organization_id, body), links, expand)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("/{id}", operation_id="GetAttachment", response_model=AttachmentOut)
def get_attachment(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    expand: Expand,
    fields: Fields,
) -> JSONResponse:
    """One attachment."""
    check_expand(expand, views.EXPANDABLE)
    return member_response(
        _one(session, service.get(session, auth.organization_id, id), links, expand), fields
    )


@router.put(
    "/{id}",
    operation_id="PutAttachment",
    response_model=AttachmentOut,
    responses={201: {"model": AttachmentOut, "description": "Attachment created with this id."}},
)
def put_attachment(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    body: AttachmentIn,
    expand: Expand,
) -> JSONResponse:
    """Create or replace the attachment with this id (upsert)."""
    check_expand(expand, views.EXPANDABLE)
    attachment, created = service.upsert(session, auth.organization_id, id, body)
    out = _one(session, attachment, links, expand)
    if created:
        return member_response(out, status_code=201, location=out.links[0].href)
    return member_response(out)


@router.delete("/{id}", operation_id="DeleteAttachment", status_code=204)
def delete_attachment(auth: SecretKeyAuth, session: Session, id: ResourceIdPath) -> Response:
    """Detach: delete the attachment; its file stays."""
    service.delete(session, auth.organization_id, id)
    return Response(status_code=204)
