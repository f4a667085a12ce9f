"""Per-request telemetry: the request id (``X-Request-Id`` in and out), the latency
histogram by route template and status, and one access log line per request."""

from __future__ import annotations

import logging
from time import perf_counter

from starlette.datastructures import Headers
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openkyc.logs import request_context, request_id_from
from openkyc.metrics import REQUEST_SECONDS
from openkyc.redaction import redact

log = logging.getLogger("openkyc.access")


class RequestTelemetry:
    """Sits inside the path normalizer, so the route it reports is the template a request
    matched (``/customers/{id}``), whatever organization prefix or id it came with."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get("x-request-id"))
        status = 500
        started = perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        with request_context(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                self._record(scope, status, perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else ""
        method = scope["method"]
        REQUEST_SECONDS.labels(method, template or "unmatched", str(status)).observe(seconds)
        log.info(
            "%s %s %d %.1f ms",
            method,
            redact(scope["path"]),
            status,
            seconds * 1000,
            extra={"route": template, "status": status, "durationMs": round(seconds * 1000, 1)},
        )
