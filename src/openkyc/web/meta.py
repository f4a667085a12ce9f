"""Endpoints about the service itself: health, metrics, and the documentation of problem
types."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from openkyc.errors import PROBLEM_TYPES, NotFound

router = APIRouter(tags=["Service"])


@router.get("/health", operation_id="GetHealth", openapi_extra={"security": []})
def health() -> dict[str, str]:
    """Liveness: answers as soon as the process serves HTTP."""
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus metrics of this process and the shared queues (docs/scaling.md)."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/problems/{slug}",
    operation_id="GetProblemType",
    response_class=PlainTextResponse,
    openapi_extra={"security": []},
)
def problem_type(slug: str) -> str:
    """Human-readable documentation of a problem `type`."""
    error = PROBLEM_TYPES.get(slug)
    if error is None:
        raise NotFound(f"No problem type {slug!r}")
    return f"{error.status} {error.title}\n\n{(error.__doc__ or error.title).strip()}\n"
