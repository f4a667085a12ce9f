"""Every error leaves as RFC 9457 problem details; only this module renders them."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from openkyc.db.session import UNAVAILABLE_ERRORS
from openkyc.errors import (
    BadRequest,
    InvalidField,
    MethodNotAllowed,
    NotFound,
    OpenKycError,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_LOCATIONS = ("body", "query", "path", "header", "cookie")
HTTP_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def problem_response(request: Request, error: OpenKycError) -> JSONResponse:
    return problem_for_path(request.url.path, error)


def problem_for_path(path: str, error: OpenKycError) -> JSONResponse:
    """The problem details of ``error`` about ``path`` (also for middleware, before a
    request exists)."""
    body: dict[str, Any] = {
        "type": f"/problems/{error.slug}",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": path,
        **error.extensions(),
    }
    return JSONResponse(
        body, status_code=error.status, headers=error.headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _field_name(loc: tuple[Any, ...], body: Any) -> str:
    """Dot notation of the field an error is about. Pydantic puts the names of union members and
    validators in the path; only steps that exist in the client's body (and the last step, the
    field itself) are the client's field."""
    parts = list(loc[1:] if loc and loc[0] in _LOCATIONS else loc)
    named: list[str] = []
    node: Any = body if loc and loc[0] == "body" else None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        elif node is not None and not last:
            continue
        named.append(str(part))
    return ".".join(named) or str(loc[0] if loc else "body")


def _is_json(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def from_validation_error(request: Request, exc: RequestValidationError) -> OpenKycError:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return BadRequest("The body is not valid JSON")
    body_whole = [e for e in errors if tuple(e.get("loc", ())) == ("body",)]
    if body_whole and request.headers.get("content-type") and not _is_json(request):
        return UnsupportedMediaType("Send the body as application/json")
    if body_whole and body_whole[0].get("type") == "missing":
        return ValidationFailed.field("body", "A JSON body is required")
    fields = [InvalidField(_field_name(_location(e), exc.body), e["msg"]) for e in errors]
    return ValidationFailed(fields)


# A body of several kinds told apart by one field: a missing or unknown kind is that field's
# error, not the whole body's.
_TAG_ERRORS = ("union_tag_not_found", "union_tag_invalid")


def _location(error: Any) -> tuple[Any, ...]:
    location = tuple(error["loc"])
    if error.get("type") in _TAG_ERRORS:
        tag = str(error.get("ctx", {}).get("discriminator", "")).strip("'")
        return (*location, tag) if tag else location
    return location


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path. Starlette names only the first route
    whose path matches, and a collection has one route for GET and another for POST."""
    allowed = [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


def _from_http_exception(request: Request, exc: StarletteHTTPException) -> OpenKycError:
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return NotFound(f"No resource at {request.url.path}")
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
        return MethodNotAllowed(
            f"{request.method} is not allowed on {request.url.path}", headers=headers
        )
    if exc.status_code == 413:
        return PayloadTooLarge("The request body is larger than this endpoint accepts")
    error = OpenKycError(str(exc.detail), headers=headers)
    error.status, error.title, error.slug = exc.status_code, str(exc.detail), "http-error"
    return error


def _unavailable(what: str) -> ServiceUnavailable:
    return ServiceUnavailable(f"{what} is unavailable; retry later", headers={"Retry-After": "5"})


def install(app: FastAPI) -> None:
    @app.exception_handler(OpenKycError)
    async def _openkyc(request: Request, exc: OpenKycError) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(request, from_validation_error(request, exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(request, _from_http_exception(request, exc))

    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        log.error("the database is unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(request, _unavailable("The database"))

    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, _database_down)

    @app.exception_handler(OSError)
    async def _storage_down(request: Request, exc: OSError) -> JSONResponse:
        log.error("the file storage failed on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(request, _unavailable("The file storage"))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, OpenKycError("An unexpected error occurred"))
