"""ASGI middleware at the edge: only known hosts are served, and every response carries the
headers that keep a browser from framing, sniffing or leaking it."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Paths a load balancer probes by address: they answer no links, so any Host may ask.
HOST_FREE_PREFIXES = ("/health",)
# Sent with every response unless the response set its own: nothing of openkyc is meant to
# be framed, sniffed into another type, or to tell other sites where the reader came from.
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "frame-ancestors 'none'",
}


def host_of(header: str) -> str:
    """The host name of a ``Host`` header, without the port (``[::1]:8000`` is ``::1``)."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        return value.partition(":")[0]
    return value


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """``*`` allows every host, ``*.example.com`` the sub-domains of example.com."""
    for pattern in allowed:
        if pattern == "*" or host == pattern:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


class HostCheck:
    """Refuses a request whose ``Host`` is not one the deployment answers to, with a 400
    problem: links, redirects and webhooks are built from the host, so an unknown one must
    never reach them."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(HOST_FREE_PREFIXES):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope.get("headers", []) if k == b"host"), b"")
        host = host_of(header.decode("latin-1"))
        if host and host_allowed(host, self.allowed):
            await self.app(scope, receive, send)
            return
        await send_problem(
            send,
            400,
            "bad-request",
            "Bad Request",
            "This server does not answer to that host; see OPENKYC_ALLOWED_HOSTS",
            scope["path"],
        )


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response that did not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def send_problem(
    send: Send, status: int, slug: str, title: str, detail: str, instance: str
) -> None:
    """A problem response sent before the application: no handler renders it."""
    body = json.dumps(
        {
            "type": f"/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": instance,
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
