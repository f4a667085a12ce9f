"""Endpoints about the service itself: health, metrics, and the documentation of problem
types."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from openkyc.errors import PROBLEM_TYPES, NotFound
from openkyc.jobs import repository as jobs
from openkyc.web.routing import OneHopRoute

router = APIRouter(tags=["Service"], route_class=OneHopRoute)


@router.get("/health", operation_id="GetHealth", openapi_extra={"security": []})
def health() -> dict[str, str]:
    """Liveness: answers as soon as the process serves HTTP."""
    return {"status": "ok"}


@router.get("/health/live", operation_id="GetHealthLive", openapi_extra={"security": []})
def health_live() -> dict[str, str]:
    """Liveness: the process is alive and serves HTTP (restart it when this fails)."""
    return {"status": "ok"}


def _database(request: Request) -> None:
    request.app.state.database.ping()


def _storage(request: Request) -> None:
    request.app.state.storage.check()


def _job_queue(request: Request) -> None:
    with request.app.state.database.sessionmaker() as session:
        jobs.pending_count(session)


def _rate_limits(request: Request) -> None:
    request.app.state.rate_limiter.check()


READINESS_CHECKS: dict[str, Callable[[Request], None]] = {
    "database": _database,
    "storage": _storage,
    "jobQueue": _job_queue,
    "rateLimits": _rate_limits,
}


@router.get(
    "/health/ready",
    operation_id="GetHealthReady",
    openapi_extra={"security": []},
    responses={503: {"description": "A dependency is down; the body says which."}},
)
def health_ready(request: Request) -> JSONResponse:
    """Readiness: whether this process can serve requests now (its database, its file storage,
    the job queue and the rate limits' counters answer); 503 with the failing checks named
    when not."""
    checks = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check(request)
            checks[name] = {"status": "ok"}
        except Exception as error:  # any failure of a dependency is "not ready"
            checks[name] = {"status": "down", "error": type(error).__name__}
    ready = all(c["status"] == "ok" for c in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


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
