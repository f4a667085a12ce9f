from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from openkyc.flows import webhooks as subscriptions
from openkyc.web.collections import Collection, Fields, member_response, page_response
from openkyc.web.deps import (
    AppSealer,
    AppSettings,
    ReadSession,
    RequestLinks,
    ResourceIdPath,
    SecretKeyAuth,
    Session,
)
from openkyc.web.routing import OneHopRoute
from openkyc.webhooks import service
from openkyc.webhooks.schemas import (
    TrackingOut,
    WebhookIn,
    WebhookOut,
    WebhookSettingsIn,
    WebhookSettingsOut,
)
from openkyc.webhooks.tasks import DeliveryConfig

router = APIRouter(tags=["Webhooks"], route_class=OneHopRoute)


@router.get("/webhooks", operation_id="GetWebhookCollection", response_model=list[WebhookOut])
def list_webhooks(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection, fields: Fields
) -> JSONResponse:
    """The organization's webhooks, newest first; their signing secrets are never shown."""
    hooks, total = service.page(session, auth.organization_id, query)
    return page_response([WebhookOut.of(h, links) for h in hooks], total, query, fields)


@router.post("/webhooks", operation_id="PostWebhook", status_code=201, response_model=WebhookOut)
def create_webhook(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, sealer: AppSealer, body: WebhookIn
) -> JSONResponse:
    """Subscribe a URL to events. `credentialHash` names a webhook credential of the URL's
    host. Without a `signingSecret` openkyc generates one and shows it in this response only."""
    hook, secret = subscriptions.create(session, auth.organization_id, body, sealer)
    out = WebhookOut.of(hook, links, secret)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("/webhooks/{id}", operation_id="GetWebhook", response_model=WebhookOut)
def get_webhook(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One webhook, with its health (`failingSince`, `deactivationReason`)."""
    return member_response(WebhookOut.of(service.get(session, auth.organization_id, id), links))


@router.put(
    "/webhooks/{id}",
    operation_id="PutWebhook",
    response_model=WebhookOut,
    responses={201: {"model": WebhookOut, "description": "Webhook created with this id."}},
)
def put_webhook(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    sealer: AppSealer,
    id: ResourceIdPath,
    body: WebhookIn,
) -> JSONResponse:
    """Replace a webhook's settings or create it with this id. The signing secret stays unless
    a new one is given; `status: active` reactivates a webhook openkyc deactivated."""
    hook, created, secret = subscriptions.upsert(session, auth.organization_id, id, body, sealer)
    out = WebhookOut.of(hook, links, secret)
    if not created:
        return member_response(out)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.delete("/webhooks/{id}", operation_id="DeleteWebhook", status_code=204)
def delete_webhook(auth: SecretKeyAuth, session: Session, id: ResourceIdPath) -> Response:
    """Delete a webhook, its delivery log and the deliveries it still owed."""
    service.delete(session, auth.organization_id, id)
    return Response(status_code=204)


@router.post(
    "/previews/webhooks",
    operation_id="PostPreviewWebhook",
    status_code=204,
    responses={422: {"description": "Invalid webhook, or the receiver did not answer 2xx."}},
)
def preview_webhook(
    auth: SecretKeyAuth, session: ReadSession, settings: AppSettings, body: WebhookIn
) -> Response:
    """Send one test request now, as this webhook would, with the organization's latest event
    it would receive. 204 when the receiver answered 2xx; otherwise 422 says what happened."""
    subscriptions.preview(
        session, auth.organization_id, body, DeliveryConfig.from_settings(settings)
    )
    return Response(status_code=204)


@router.get(
    "/tracking/webhooks",
    operation_id="GetTrackingWebhookCollection",
    response_model=list[TrackingOut],
    tags=["Tracking"],
)
def list_deliveries(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection, fields: Fields
) -> JSONResponse:
    """The delivery log: every event sent (or to be sent) to every webhook, with the latest
    attempt's request, response, duration and count."""
    items, total = service.deliveries(session, auth.organization_id, query)
    return page_response([TrackingOut.of(d, links) for d in items], total, query, fields)


@router.get(
    "/tracking/webhooks/{id}",
    operation_id="GetTrackingWebhook",
    response_model=TrackingOut,
    tags=["Tracking"],
)
def get_delivery(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One delivery of the log."""
    return member_response(
        TrackingOut.of(service.get_delivery(session, auth.organization_id, id), links)
    )


@router.post(
    "/tracking/webhooks/{id}/resend",
    operation_id="PostTrackingWebhookResendRequest",
    status_code=204,
    tags=["Tracking"],
)
def resend_delivery(auth: SecretKeyAuth, session: Session, id: ResourceIdPath) -> Response:
    """Schedule one more attempt now (same event id, fresh timestamp and signature)."""
    service.resend(session, auth.organization_id, id)
    return Response(status_code=204)


@router.get(
    "/webhook-settings", operation_id="GetWebhookSettings", response_model=WebhookSettingsOut
)
def get_webhook_settings(
    auth: SecretKeyAuth, session: Session, links: RequestLinks
) -> JSONResponse:
    """openkyc: how the organization's webhooks are delivered."""
    return member_response(
        WebhookSettingsOut.of(service.get_settings(session, auth.organization_id), links)
    )


@router.put(
    "/webhook-settings", operation_id="PutWebhookSettings", response_model=WebhookSettingsOut
)
def put_webhook_settings(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    settings: AppSettings,
    body: WebhookSettingsIn,
) -> JSONResponse:
    """openkyc: `allowPrivateNetworks: true` lets webhooks reach loopback and private
    addresses (local development, receivers inside your network). 403 where the operator
    does not let organizations choose (OPENKYC_WEBHOOK_PRIVATE_NETWORKS_OPT_IN=false)."""
    saved = service.put_settings(
        session, auth.organization_id, body, bool(settings.webhook_private_networks_opt_in)
    )
    return member_response(WebhookSettingsOut.of(saved, links))
