"""The ASGI application: every domain's routes behind one set of conventions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from openkyc import __version__
from openkyc.config import Settings
from openkyc.credit_file.bureau import CreditBureau, bureau_named
from openkyc.db.session import Database
from openkyc.jobs.pool import Runner
from openkyc.kyc.documents.gate import capture_gate_for
from openkyc.metrics import registry_for
from openkyc.redaction import protect_loggers
from openkyc.sealing import Sealer
from openkyc.storage import Storage, storage_from_url
from openkyc.web import problems
from openkyc.web.middleware import BodyLimit, ExtraResponseHeaders, PathNormalizer
from openkyc.web.openapi import build_openapi
from openkyc.web.ratelimit import OrganizationRateLimiter
from openkyc.web.security import HostCheck, SecurityHeaders
from openkyc.web.telemetry import RequestTelemetry

DESCRIPTION = (
    "openkyc serves Rebilly's KYC API. Every path works at the root and under "
    "`/organizations/{organizationId}`. Authenticate with `REB-APIKEY: <secret key>` or "
    "`Authorization: Bearer <JWT>`. Text anywhere in a request must not contain the NUL "
    "character (U+0000), which no database of openkyc can store."
)


def api_routers() -> list[APIRouter]:
    from openkyc.aml.checks.routes import experimental as aml_experimental
    from openkyc.aml.checks.routes import reports as aml_reports
    from openkyc.aml.checks.routes import router as aml_checks
    from openkyc.aml.settings.routes import router as aml_settings
    from openkyc.api_keys.routes import router as api_keys
    from openkyc.attachments.routes import router as attachments
    from openkyc.auth.routes import router as sessions
    from openkyc.customers.routes import router as customers
    from openkyc.files.routes import router as files
    from openkyc.gatherer.routes import router as gatherer
    from openkyc.gatherer.routes import short_links
    from openkyc.kyc.documents.routes import router as kyc_documents
    from openkyc.kyc.liveness.routes import router as kyc_liveness
    from openkyc.kyc.requests.routes import router as kyc_requests
    from openkyc.kyc.settings.routes import router as kyc_settings
    from openkyc.reports.routes import router as reports
    from openkyc.service_credentials.routes import router as service_credentials
    from openkyc.storefront.routes import router as storefront
    from openkyc.storefront.routes import tokens as authentication_tokens
    from openkyc.tags.routes import router as tags
    from openkyc.timeline.routes import router as timeline
    from openkyc.users.routes import profile_router as profile
    from openkyc.users.routes import router as users
    from openkyc.users.routes import sign_in_router as sign_in
    from openkyc.web.docs import router as docs
    from openkyc.web.meta import router as meta
    from openkyc.webhooks.routes import router as webhooks

    return [
        meta,
        docs,
        api_keys,
        sessions,
        customers,
        files,
        attachments,
        kyc_requests,
        kyc_documents,
        kyc_settings,
        aml_checks,
        aml_settings,
        aml_reports,
        aml_experimental,
        tags,
        webhooks,
        service_credentials,
        storefront,
        kyc_liveness,
        authentication_tokens,
        gatherer,
        short_links,
        reports,
        sign_in,
        users,
        profile,
        timeline,
    ]


def backoffice_routers() -> list[APIRouter]:
    from openkyc.backoffice.routes import routers

    return routers


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from openkyc.background import background

    settings: Settings = app.state.settings
    work = background(
        settings,
        app.state.database,
        app.state.storage,
        jobs=settings.embedded_worker,
        runner=app.state.analysis_runner,
    )
    work.start()
    try:
        yield
    finally:
        # The gate's processes start when a customer first opens a gatherer page.
        if app.state.capture_gate is not None:
            app.state.capture_gate.shutdown()
        work.stop()


# Endpoints that take files: their bodies may be as large as a file (plus base64 and fields).
UPLOAD_PATHS = frozenset({"/files"})


def _body_limits(settings: Settings) -> Callable[[Scope], int]:
    def limit_for(scope: Scope) -> int:
        if scope["path"] in UPLOAD_PATHS and scope["method"] in ("POST", "PUT"):
            return settings.max_upload_body_bytes
        return settings.max_body_bytes

    return limit_for


def create_app(
    settings: Settings,
    database: Database | None = None,
    storage: Storage | None = None,
    credit_bureau: CreditBureau | None = None,
    analysis_runner: Runner | None = None,
) -> FastAPI:
    app = FastAPI(
        title="openkyc",
        version=__version__,
        description=DESCRIPTION,
        # /docs is openkyc's own page (openkyc.web.docs): FastAPI's loads Swagger UI from a CDN.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    # However uvicorn is started and logging configured, request lines hide credentials.
    protect_loggers()
    app.state.sealer = Sealer(settings.resolved_secret_key, settings.previous_secret_keys)
    app.state.database = database or Database.from_settings(settings)
    app.state.sessionmaker = app.state.database.sessionmaker
    app.state.write_sessionmaker = app.state.database.write_sessionmaker
    app.state.storage = storage or storage_from_url(
        settings.resolved_storage_url, settings.s3_options
    )
    app.state.credit_bureau = credit_bureau or bureau_named(settings.credit_bureau)
    app.state.analysis_runner = analysis_runner
    app.state.capture_gate = capture_gate_for(settings)
    app.state.rate_limiter = OrganizationRateLimiter(
        settings.rate_limit, settings.rate_limit_storage
    )
    app.state.short_link_limiter = OrganizationRateLimiter(
        settings.short_link_rate_limit, settings.rate_limit_storage
    )
    app.state.metrics = registry_for(app.state.database.sessionmaker)
    problems.install(app)
    routers = api_routers()
    for router in routers:
        app.include_router(router)
    # What ACLs and tokens may name: the operations this server has.
    app.state.operation_ids = frozenset(
        operation
        for router in routers
        for route in router.routes
        if (operation := getattr(route, "operation_id", None))
    )
    for router in backoffice_routers():
        app.include_router(router)
    app.add_middleware(BodyLimit, limit_for=_body_limits(settings))
    app.add_middleware(RequestTelemetry)
    app.add_middleware(PathNormalizer)
    app.add_middleware(ExtraResponseHeaders)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HostCheck, allowed=settings.accepted_hosts)
    if settings.trusted_proxies:
        # The client's address and scheme as the operator's proxies tell them; nobody else's.
        proxies = [str(network) for network in settings.trusted_proxies]
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    def openapi() -> dict[str, Any]:
        return build_openapi(app)

    app.openapi = openapi  # type: ignore[method-assign]
    return app
