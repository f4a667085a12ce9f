"""The settings, for admins: the KYC scoring settings with a preview of what new values would
change, webhooks with their deliveries, API keys, and the organization's people."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from openkyc.api_keys import service as api_keys
from openkyc.api_keys.schemas import ApiKeyIn
from openkyc.backoffice.deps import Admin
from openkyc.backoffice.pages import PageRoute, render, validated
from openkyc.db.collection import CollectionQuery
from openkyc.events import types as event_types
from openkyc.flows import webhooks as subscriptions
from openkyc.kyc.documents import service as documents
from openkyc.kyc.settings import service as kyc_settings
from openkyc.kyc.settings.schemas import KycSettings
from openkyc.principal import Principal
from openkyc.service_credentials import service as credentials
from openkyc.users import service as users
from openkyc.users.enums import Role, UserStatus
from openkyc.users.schemas import UserIn, UserPatch
from openkyc.web.deps import AppSealer, OperationIds, ResourceIdPath, Session
from openkyc.webhooks import service as webhooks
from openkyc.webhooks.enums import HttpMethod, WebhookStatus
from openkyc.webhooks.schemas import WebhookIn

router = APIRouter(prefix="/backoffice/settings", route_class=PageRoute, include_in_schema=False)
# The sections of the scoring settings the form shows, and their parts.
SECTIONS = ("identityProof", "addressProof")
PREVIEW_DEFAULT = 200
PREVIEW_MOST = 5_000


@router.get("")
def overview(request: Request, person: Admin) -> Response:
    return render(request, "settings.html", {})


def _kyc_page(
    request: Request,
    settings: KycSettings,
    status: int = 200,
    **context: object,
) -> Response:
    return render(
        request,
        "settings_kyc.html",
        {
            "settings": settings.model_dump(mode="json"),
            "sections": SECTIONS,
            "last": PREVIEW_DEFAULT,
            **context,
        },
        status,
    )


@router.get("/kyc")
def kyc_form(request: Request, person: Admin, session: Session) -> Response:
    return _kyc_page(request, kyc_settings.get(session, person.organization_id))


def _proposed(current: KycSettings, form: dict[str, Any]) -> dict[str, Any]:
    """The current settings with the form's weights, thresholds and four-eyes rule."""
    proposed = current.model_dump(mode="json")
    for section in SECTIONS:
        for part in ("weights", "thresholds"):
            for name in proposed[section][part]:
                sent = form.get(f"{section}.{part}.{name}")
                if sent is not None:
                    proposed[section][part][name] = (
                        int(sent) if sent.lstrip("-").isdigit() else sent
                    )
    proposed["fourEyes"] = form.get("fourEyes") == "on"
    return proposed


@router.post("/kyc")
async def kyc_change(
    request: Request,
    person: Admin,
    session: Session,
    action: Annotated[str, Form(pattern="^(preview|save)$")],
    last: Annotated[int, Form(ge=1, le=PREVIEW_MOST)] = PREVIEW_DEFAULT,
) -> Response:
    """Preview how many of the last documents would change decision, or save."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    current = kyc_settings.get(session, person.organization_id)
    proposed = _proposed(current, form)
    try:
        settings = KycSettings.model_validate(proposed)
    except ValidationError as error:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        return _kyc_page(request, current, 422, problems=problems, entered=proposed)
    if action == "save":
        kyc_settings.replace(session, person.organization_id, settings)
        return _kyc_page(request, settings, saved=True)
    preview = documents.rescored(session, person.organization_id, settings, last)
    return _kyc_page(request, settings, preview=preview, last=last, previewing=True)


def _webhooks_page(
    request: Request, session: Session, person: Principal, status: int = 200, **context: object
) -> Response:
    hooks, _ = webhooks.page(session, person.organization_id, CollectionQuery(limit=100))
    deliveries, _ = webhooks.deliveries(
        session, person.organization_id, CollectionQuery(limit=50, sort=("-initiatedTime",))
    )
    found, _ = credentials.page(session, person.organization_id, CollectionQuery(limit=100))
    return render(
        request,
        "settings_webhooks.html",
        {
            "hooks": hooks,
            "deliveries": deliveries,
            "credentials": found,
            "event_types": event_types.ALL_EVENT_TYPES,
            "methods": list(HttpMethod),
            "statuses": list(WebhookStatus),
            **context,
        },
        status,
    )


@router.get("/webhooks")
def webhook_list(request: Request, person: Admin, session: Session) -> Response:
    return _webhooks_page(request, session, person)


@router.get("/webhooks/{id}")
def webhook_form(request: Request, person: Admin, session: Session, id: ResourceIdPath) -> Response:
    """The webhook's settings in the form, to change them."""
    return _webhooks_page(
        request, session, person, editing=webhooks.get(session, person.organization_id, id)
    )


def _webhook_in(form: dict[str, Any], events: list[str]) -> WebhookIn:
    return validated(
        WebhookIn,
        {
            "url": form.get("url", ""),
            "method": form.get("method", ""),
            "eventsFilter": events,
            "credentialHash": form.get("credential", ""),
            "status": form.get("status") or WebhookStatus.ACTIVE,
            "filter": form.get("filter") or None,
        },
    )


async def _sent(request: Request) -> tuple[dict[str, Any], list[str]]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    return values, [v for v in form.getlist("events") if isinstance(v, str)]


@router.post("/webhooks")
async def add_webhook(
    request: Request, person: Admin, session: Session, sealer: AppSealer
) -> Response:
    """A new webhook (POST /webhooks): its signing secret is shown on the page once."""
    form, events = await _sent(request)
    hook, secret = subscriptions.create(
        session, person.organization_id, _webhook_in(form, events), sealer
    )
    return _webhooks_page(request, session, person, created=hook, signing_secret=secret)


@router.post("/webhooks/{id}")
async def change_webhook(
    request: Request, person: Admin, session: Session, sealer: AppSealer, id: ResourceIdPath
) -> Response:
    """Change a webhook (PUT /webhooks/{id}); its signing secret stays."""
    webhooks.get(session, person.organization_id, id)
    form, events = await _sent(request)
    subscriptions.upsert(session, person.organization_id, id, _webhook_in(form, events), sealer)
    return RedirectResponse("/backoffice/settings/webhooks?changed=" + id, status_code=303)


@router.post("/webhooks/deliveries/{id}/resend")
def resend(person: Admin, session: Session, id: ResourceIdPath) -> Response:
    webhooks.resend(session, person.organization_id, id)
    return RedirectResponse("/backoffice/settings/webhooks?resent=" + id, status_code=303)


def _keys_page(
    request: Request,
    session: Session,
    person: Principal,
    operations: frozenset[str],
    **context: object,
) -> Response:
    keys, _ = api_keys.page(session, person.organization_id, CollectionQuery(limit=100))
    return render(
        request,
        "settings_keys.html",
        {"keys": keys, "operations": sorted(operations), **context},
    )


@router.get("/api-keys")
def key_list(
    request: Request, person: Admin, session: Session, operations: OperationIds
) -> Response:
    return _keys_page(request, session, person, operations)


def _addresses(text: str) -> list[str] | None:
    """Addresses or networks separated by commas, spaces or lines; None when there are none."""
    found = [part for part in re.split(r"[\s,]+", text) if part]
    return found or None


@router.post("/api-keys")
def add_key(
    request: Request,
    person: Admin,
    session: Session,
    operations: OperationIds,
    description: Annotated[str, Form(min_length=1, max_length=255)],
    type: Annotated[Literal["secret", "publishable"], Form()] = "secret",
    allowed: Annotated[list[str] | None, Form(max_length=500)] = None,
    addresses: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A new key (POST /api-keys), for every operation or only those chosen, from any address
    or only those listed; never more than the admin's own sign-in may do. Its secret is
    shown on this page once."""
    acl = [{"permissions": allowed}] if allowed else None
    data = validated(
        ApiKeyIn,
        {"description": description, "type": type, "acl": acl, "allowedIps": _addresses(addresses)},
    )
    key, secret = api_keys.make(session, person, data, operations)
    return _keys_page(request, session, person, operations, created=key, secret=secret)


@router.post("/api-keys/{id}/delete")
def delete_key(person: Admin, session: Session, id: ResourceIdPath) -> Response:
    api_keys.delete(session, person, id)
    return RedirectResponse("/backoffice/settings/api-keys", status_code=303)


@router.get("/users")
def user_list(
    request: Request,
    person: Admin,
    session: Session,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    people, total = users.page(
        session,
        person.organization_id,
        CollectionQuery(limit=100, offset=(page - 1) * 100, sort=("lastName",)),
    )
    return render(
        request,
        "settings_users.html",
        {"people": people, "total": total, "roles": list(Role), "statuses": list(UserStatus)},
    )


@router.post("/users")
def add_user(
    person: Admin,
    session: Session,
    email: Annotated[str, Form(max_length=254)],
    first_name: Annotated[str, Form(max_length=255)],
    last_name: Annotated[str, Form(max_length=255)],
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(min_length=12, max_length=256)],
) -> Response:
    data = UserIn(
        email=email, firstName=first_name, lastName=last_name, role=role, password=password
    )
    users.create(session, person.organization_id, data)
    return RedirectResponse("/backoffice/settings/users", status_code=303)


@router.post("/users/{id}/totp-reset")
def reset_second_factor(person: Admin, session: Session, id: ResourceIdPath) -> Response:
    """Remove a person's second factor (a lost phone); they set up a new one."""
    users.reset_totp(session, person.organization_id, id)
    return RedirectResponse("/backoffice/settings/users", status_code=303)


@router.post("/users/{id}")
def change_user(
    person: Admin,
    session: Session,
    id: ResourceIdPath,
    role: Annotated[Role, Form()],
    status: Annotated[UserStatus, Form()],
) -> Response:
    users.update(
        session, person.organization_id, id, UserPatch(role=role, status=status), person.actor_id
    )
    return RedirectResponse("/backoffice/settings/users", status_code=303)
