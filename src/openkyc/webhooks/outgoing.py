"""The request a subscription sends for an event: body, headers, signature, credentials."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from openkyc import __version__
from openkyc.files.fetch import FetchPolicy
from openkyc.service_credentials.enums import CredentialStatus
from openkyc.webhooks import signing
from openkyc.webhooks.enums import WebhookStatus
from openkyc.webhooks.sender import Outgoing
from openkyc.webhooks.templates import render

USER_AGENT = f"openkyc-webhooks/{__version__}"
# Headers openkyc sets itself; a subscription's headers of these names are not sent.
RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
)
HIDDEN = "[hidden]"


@dataclass(frozen=True)
class Credential:
    id: str
    host: str
    auth_type: str
    username: str | None
    password: str | None
    status: str


@dataclass(frozen=True)
class Subscription:
    """A webhook's settings as one attempt uses them (plain values, safe across threads)."""

    id: str
    organization_id: str
    url: str
    method: str
    headers: list[dict[str, Any]]
    body_template: str | None
    signing_secret: str | None
    credential: Credential | None


def payload_body(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def request_body(subscription: Subscription, payload: dict[str, Any]) -> str:
    """The body sent: the event's payload, or the subscription's template filled from it.
    GET requests carry none."""
    if subscription.method == "GET":
        return ""
    if subscription.body_template is None:
        return payload_body(payload)
    return render(subscription.body_template, payload)


def _headers(subscription: Subscription, has_body: bool) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT}
    if has_body:
        headers["Content-Type"] = "application/json"
    for header in subscription.headers:
        name = str(header["name"])
        if (
            header.get("status", WebhookStatus.ACTIVE) != WebhookStatus.ACTIVE
            or name.lower() in RESERVED_HEADERS
        ):
            continue
        for existing in [key for key in headers if key.lower() == name.lower()]:
            del headers[existing]
        headers[name] = str(header["value"])
    return headers


def credential_problem(subscription: Subscription, host: str) -> str | None:
    """Why the subscription's credential cannot be used for ``host``, or None."""
    credential = subscription.credential
    if credential is None:
        return "its service credential no longer exists"
    if credential.status != CredentialStatus.ACTIVE:
        return f"service credential {credential.id} is {credential.status}"
    if credential.host.lower() != host.lower():
        return f"service credential {credential.id} is for {credential.host}, not {host}"
    return None


def _auth(credential: Credential | None) -> tuple[str, str, str] | None:
    if credential is None or credential.auth_type not in ("basic", "digest"):
        return None
    return credential.auth_type, credential.username or "", credential.password or ""


def outgoing(
    subscription: Subscription,
    message_id: str,
    body: str,
    policy: FetchPolicy,
    now: float,
) -> Outgoing:
    """The signed request; unsigned only when the subscription has no secret (a preview
    without one)."""
    data = body.encode()
    headers = _headers(subscription, bool(data))
    if subscription.signing_secret:
        headers.update(
            signing.signature_headers(subscription.signing_secret, message_id, data, now)
        )
    return Outgoing(
        subscription.url,
        subscription.method,
        headers,
        data,
        policy,
        _auth(subscription.credential),
    )


def logged_headers(request: Outgoing) -> dict[str, str]:
    """The request's headers as the tracking log shows them: no secrets."""
    headers = {
        name: HIDDEN if name.lower() in ("authorization", "proxy-authorization") else value
        for name, value in request.headers.items()
    }
    if request.auth is not None:
        headers["Authorization"] = f"{request.auth[0].capitalize()} {HIDDEN}"
    return headers
