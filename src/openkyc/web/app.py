"""The ASGI application: every domain's routes behind one set of conventions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from openkyc import __version__
from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage import Storage, storage_from_url
from openkyc.web import problems
from openkyc.web.middleware import ExtraResponseHeaders, PathNormalizer
from openkyc.web.openapi import build_openapi
from openkyc.web.ratelimit import OrganizationRateLimiter

DESCRIPTION = (
    "openkyc serves Rebilly's KYC API. Every path works at the root and under "
    "`/organizations/{organizationId}`. Authenticate with `REB-APIKEY: <secret key>` or "
    "`Authorization: Bearer <JWT>`. Text anywhere in a request must not contain the NUL "
    "character (U+0000), which no database of openkyc can store."
)


def api_routers() -> list[APIRouter]:
    from openkyc.api_keys.routes import router as api_keys
    from openkyc.auth.routes import router as sessions
    from openkyc.customers.routes import router as customers
    from openkyc.web.meta import router as meta

    return [meta, api_keys, sessions, customers]


def create_app(
    settings: Settings, database: Database | None = None, storage: Storage | None = None
) -> FastAPI:
    app = FastAPI(
        title="openkyc",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        max_body_size=settings.max_body_bytes,
    )
    app.state.settings = settings
    app.state.database = database or Database.from_url(settings.resolved_database_url)
    app.state.sessionmaker = app.state.database.sessionmaker
    app.state.write_sessionmaker = app.state.database.write_sessionmaker
    app.state.storage = storage or storage_from_url(settings.resolved_storage_url)
    app.state.rate_limiter = OrganizationRateLimiter(
        settings.rate_limit, settings.rate_limit_storage
    )
    problems.install(app)
    for router in api_routers():
        app.include_router(router)
    app.add_middleware(PathNormalizer)
    app.add_middleware(ExtraResponseHeaders)

    def openapi() -> dict[str, Any]:
        return build_openapi(app)

    app.openapi = openapi  # type: ignore[method-assign]
    return app
