"""Endpoints about the service itself: health, and the documentation of problem types."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from openkyc.errors import PROBLEM_TYPES, NotFound

router = APIRouter(tags=["Service"])


@router.get("/health", operation_id="GetHealth", openapi_extra={"security": []})
def health() -> dict[str, str]:
    """Liveness: answers as soon as the process serves HTTP."""
    return {"status": "ok"}


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
