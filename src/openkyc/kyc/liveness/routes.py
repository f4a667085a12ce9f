from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from openkyc.db.models import KycLivenessSession
from openkyc.kyc.liveness import service
from openkyc.kyc.liveness.schemas import LivenessSessionIn, LivenessSessionOut
from openkyc.web.collections import member_response
from openkyc.web.deps import (
    AppSettings,
    AppStorage,
    CustomerAuth,
    RequestLinks,
    ResourceIdPath,
    Session,
)
from openkyc.web.routing import OneHopRoute, credentials_first
from openkyc.wire import Link, Links

router = APIRouter(
    prefix="/storefront/kyc-liveness-sessions",
    tags=["Storefront KYC documents"],
    route_class=OneHopRoute,
)
CUSTOMER_JWT: dict[str, Any] = {"security": [{"CustomerJWT": []}]}


async def _frame_bytes(request: Request) -> bytes:
    await credentials_first(request)
    return await request.body()


FrameBody = Annotated[bytes, Depends(_frame_bytes)]


def _out(liveness: KycLivenessSession, links: Links) -> LivenessSessionOut:
    rendered = [
        Link(rel="self", href=links.href("storefront", "kyc-liveness-sessions", liveness.id)),
        Link(rel="kycRequest", href=links.href("storefront", "kyc-requests", liveness.request_id)),
    ]
    reference = (
        links.href("files", liveness.reference_file_id, "download")
        if liveness.reference_file_id
        else None
    )
    return LivenessSessionOut.of(liveness, rendered, reference)


@router.post(
    "",
    operation_id="StorefrontPostKycLivenessSession",
    status_code=201,
    response_model=LivenessSessionOut,
    openapi_extra=CUSTOMER_JWT,
)
def create_liveness_session(
    auth: CustomerAuth, session: Session, links: RequestLinks, body: LivenessSessionIn
) -> JSONResponse:
    """Start a face liveness check for the token's KYC request: the response's `challenge`
    lists the poses to show the customer, in order."""
    out = _out(service.create(session, auth, body.kycRequestId), links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get(
    "/{id}",
    operation_id="StorefrontGetKycLivenessSession",
    response_model=LivenessSessionOut,
    openapi_extra=CUSTOMER_JWT,
)
def get_liveness_session(
    auth: CustomerAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One of the customer's liveness sessions; `pending` until its check decides."""
    return member_response(_out(service.get(session, auth, id), links))


@router.post(
    "/{id}/frames",
    operation_id="StorefrontPostKycLivenessSessionFrame",
    response_model=LivenessSessionOut,
    openapi_extra={
        **CUSTOMER_JWT,
        "requestBody": {
            "required": True,
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("image/jpeg", "image/png", "image/webp")
            },
        },
    },
)
def add_liveness_frame(
    auth: CustomerAuth,
    session: Session,
    links: RequestLinks,
    id: ResourceIdPath,
    storage: AppStorage,
    settings: AppSettings,
    data: FrameBody,
    step: Annotated[int, Query(ge=0, le=20, description="The challenge step shown.")],
) -> JSONResponse:
    """An openkyc extension: one camera frame (JPEG, PNG or WebP, up to 512 KiB, as the body)
    taken while challenge step `step` was shown. Frames arrive as they are taken."""
    liveness = service.add_frame(session, storage, settings, auth, id, step, data)
    return member_response(_out(liveness, links))


@router.post(
    "/{id}/finish",
    operation_id="StorefrontPostKycLivenessSessionFinish",
    response_model=LivenessSessionOut,
    openapi_extra=CUSTOMER_JWT,
)
def finish_liveness_session(
    auth: CustomerAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """The customer has finished the challenge: the check runs now and the session becomes
    `succeeded` (its `referenceFileId` is the selfie to put in the identity document) or
    `failed` with a `failureReason`."""
    return member_response(_out(service.finish(session, auth, id), links))
