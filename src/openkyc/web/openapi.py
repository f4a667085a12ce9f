"""The served OpenAPI document: what the app really does, in Rebilly's vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from openkyc.principal import ALL_OPERATIONS
from openkyc.web.problems import PROBLEM_MEDIA_TYPE

ERROR_STATUSES = {
    "400": "The request could not be parsed (malformed JSON, broken file).",
    "401": "Missing or invalid credentials.",
    "403": "The credentials do not permit this operation or organization.",
    "404": "No such resource in this organization.",
    "409": "The change clashes with the resource's current state.",
    "413": "The request body is too large.",
    "415": "The request body has an unsupported media type.",
    "422": "Invalid data; `invalidFields` names each field.",
    "429": "The organization's rate limit is exhausted.",
}
READ_ERRORS = ("400", "401", "403", "404", "422", "429")

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidFields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
SECURITY_SCHEMES = {
    "SecretApiKey": {"type": "apiKey", "in": "header", "name": "REB-APIKEY"},
    "JWT": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "PublishableApiKey": {"type": "apiKey", "in": "header", "name": "Authorization"},
    "CustomerJWT": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
}
_INT_HEADER = {"schema": {"type": "integer"}}
PAGINATION_HEADERS = {
    name: _INT_HEADER for name in ("Pagination-Total", "Pagination-Limit", "Pagination-Offset")
}
RATE_HEADERS = {name: _INT_HEADER for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining")}


def _problem_response(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}}


def _without_null(parameter: dict[str, Any]) -> None:
    """An optional parameter is one a client leaves out; `?q=null` is the text "null", so the
    `null` FastAPI adds for `str | None` does not describe the wire."""
    schema = parameter.get("schema", {})
    kinds = schema.get("anyOf", [])
    rest = [kind for kind in kinds if kind != {"type": "null"}]
    if len(kinds) == 2 and len(rest) == 1:
        del schema["anyOf"]
        schema.pop("default", None)
        schema.update(rest[0])


def _decorate(method: str, operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") in ("query", "header", "path"):
            _without_null(parameter)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    public = operation.get("security") == []
    statuses = READ_ERRORS if method == "get" else tuple(ERROR_STATUSES)
    for status in statuses:
        if public and status in ("401", "403", "429"):
            continue
        responses[status] = _problem_response(ERROR_STATUSES[status])
    if "429" in responses:
        responses["429"]["headers"] = {"X-RateLimit-Retry-After": _INT_HEADER}
    for status, response in responses.items():
        if not status.startswith("2"):
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if method == "get" and schema.get("type") == "array":
            response.setdefault("headers", {}).update(PAGINATION_HEADERS)
        if method != "get" and not public:
            response.setdefault("headers", {}).update(RATE_HEADERS)
        if status == "201":
            response.setdefault("headers", {})["Location"] = {"schema": {"type": "string"}}


def _name_operations(schemas: dict[str, Any], operations: frozenset[str]) -> None:
    """ACLs and tokens name operations of this server, or `*` for every one."""
    names = {"type": "string", "enum": [ALL_OPERATIONS, *sorted(operations)]}
    schemas["AclEntry"]["properties"]["permissions"]["items"] = names
    for variant in schemas["SessionIn"]["properties"]["permissions"]["anyOf"]:
        if variant.get("type") == "array":
            variant.update(items=names, minItems=1)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title="openkyc",
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    document["components"]["securitySchemes"] = SECURITY_SCHEMES
    document["security"] = [{"SecretApiKey": []}, {"JWT": []}]
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            _decorate(method, operation)
    _name_operations(schemas, app.state.operation_ids)
    app.openapi_schema = document
    return document
