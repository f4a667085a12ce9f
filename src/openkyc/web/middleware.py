"""ASGI middleware: the organization prefix, trailing slashes, and rate-limit headers."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openkyc.errors import PayloadTooLarge
from openkyc.web.problems import problem_for_path

ORG_PREFIX = re.compile(r"^/organizations/([^/]+)(/.*)?$")
ORGANIZATION_IN_PATH = "openkyc.path_organization_id"
PATH_PREFIX = "openkyc.path_prefix"
RESPONSE_HEADERS = "openkyc.response_headers"


class PathNormalizer:
    """Serves every resource at the root and under ``/organizations/{id}``, with or without a
    trailing slash, as Rebilly's SDK calls both (``POST …/customers/``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            match = ORG_PREFIX.match(path)
            if match:
                scope[ORGANIZATION_IN_PATH] = match.group(1)
                scope[PATH_PREFIX] = f"/organizations/{match.group(1)}"
                path = match.group(2) or "/"
            if len(path) > 1 and path.endswith("/"):
                path = path.rstrip("/") or "/"
            if path != scope["path"]:
                scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


class ExtraResponseHeaders:
    """Adds the headers handlers left in the scope (rate limits) to whatever response goes out,
    error responses included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra: dict[str, str] = {}
        scope[RESPONSE_HEADERS] = extra

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and extra:
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in extra.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over a size limit with a 413 problem, before reading them when
    ``Content-Length`` tells, and as soon as a streamed body passes the limit otherwise."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            detail = f"The request body is larger than the {limit} bytes this endpoint accepts"
            error = PayloadTooLarge(detail, headers={"Connection": "close"})
            await problem_for_path(scope["path"], error)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the app, so the problem handler renders it.
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
