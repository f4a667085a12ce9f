"""Typed dependencies: an endpoint's signature is its access policy and its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request

from openkyc.auth import service as auth
from openkyc.config import Settings
from openkyc.credit_file.bureau import CreditBureau
from openkyc.db.ids import ID_PATTERN
from openkyc.db.session import Session as OrmSession
from openkyc.db.session import SessionFactory
from openkyc.errors import Forbidden, Unauthorized
from openkyc.kyc.documents.gate import CaptureGate
from openkyc.principal import Principal
from openkyc.sealing import Sealer
from openkyc.storage import Storage
from openkyc.storefront import service as storefront
from openkyc.users import roles
from openkyc.web.links import Links, links_for_request
from openkyc.web.middleware import ORGANIZATION_IN_PATH, RESPONSE_HEADERS
from openkyc.web.ratelimit import OrganizationRateLimiter
from openkyc.web.routing import in_endpoint_thread, open_unit_of_work

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _session(request: Request) -> OrmSession:
    """The request's unit of work: services flush, the transaction commits before the response
    leaves (a collision with another request's writes is a 409, see ``unit_of_work``).

    Opening a session touches no database, so it happens on the event loop. The endpoint's
    thread commits or rolls back; the route ends what it left open (``openkyc.web.routing``)."""
    state = request.app.state
    maker = state.write_sessionmaker if request.method not in SAFE_METHODS else state.sessionmaker
    return open_unit_of_work(request, maker).session


Session = Annotated[OrmSession, Depends(_session)]


def _read_session(request: Request) -> Iterator[OrmSession]:
    """A session that only reads whatever the method: for endpoints that wait on the network
    (a writer's transaction would hold SQLite's write lock meanwhile)."""
    with request.app.state.sessionmaker() as session:
        yield session


ReadSession = Annotated[OrmSession, Depends(_read_session, scope="function")]


async def _read_sessions(request: Request) -> SessionFactory:
    factory: SessionFactory = request.app.state.sessionmaker
    return factory


# For work that reads before waiting on the network and must hold nothing while it waits: a
# short session opened (and closed) by the service only when it needs one.
ReadSessions = Annotated[SessionFactory, Depends(_read_sessions)]


def _principal(request: Request, session: OrmSession) -> Principal:
    api_key = request.headers.get("reb-apikey")
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if api_key:
        return auth.principal_from_api_key(session, api_key.strip())
    if scheme.lower() == "bearer" and token.strip():
        return auth.principal_from_jwt(session, token.strip())
    if authorization.startswith("pk_"):
        return auth.principal_from_api_key(session, authorization.strip())
    raise Unauthorized("Send a secret key in REB-APIKEY or a JWT as Authorization: Bearer")


def _credentials(request: Request, session: Session) -> Principal:
    """Who is calling. A read looks the key up in its own unit of work (one session and one
    transaction per request); a write in a short session of its own, so that its transaction
    (on SQLite, the write lock) starts only when its work does, and an endpoint that waits on
    the network with a reading session never holds it."""
    if request.method in SAFE_METHODS:
        return _principal(request, session)
    with request.app.state.sessionmaker() as short:
        return _principal(request, short)


def _authorize(request: Request, principal: Principal) -> Principal:
    path_organization = request.scope.get(ORGANIZATION_IN_PATH)
    if path_organization is not None and path_organization != principal.organization_id:
        raise Forbidden("The credentials do not belong to the organization in the path")
    auth.check_client_ip(principal, request.client.host if request.client else None)
    route = request.scope.get("route")
    if not principal.may(getattr(route, "operation_id", None)):
        raise Forbidden("The credentials do not permit this operation")
    if principal.role is not None:
        roles.ensure_permits(principal.role, request.method, getattr(route, "operation_id", None))
    if request.method not in SAFE_METHODS and principal.key_type == "customer":
        with request.app.state.sessionmaker() as short:
            storefront.ensure_open(short, principal)
    if request.method not in SAFE_METHODS:
        decision = request.app.state.rate_limiter.hit(_bucket(principal))
        request.scope[RESPONSE_HEADERS].update(decision.headers())
    return principal


def _bucket(principal: Principal) -> str:
    """Whose writes a request counts against: the merchant's keys, its publishable keys and
    each customer link have buckets of their own, so the public side never locks the
    merchant out."""
    if principal.key_type == "customer":
        return f"{principal.organization_id}/customer/{principal.request_id}"
    return f"{principal.organization_id}/{principal.key_type}"


def require_secret(request: Request, session: Session) -> Principal:
    principal = _credentials(request, session)
    if principal.key_type != "secret":
        raise Forbidden(f"A {principal.key_type} credential cannot be used for this operation")
    return _authorize(request, principal)


def allow_publishable(request: Request, session: Session) -> Principal:
    return _authorize(request, _credentials(request, session))


def require_customer(request: Request, session: Session) -> Principal:
    """A customer token (storefront operations): what the gatherer link was exchanged for."""
    principal = _credentials(request, session)
    if principal.key_type != "customer":
        # The credential these operations need is missing (a merchant's is not it).
        raise Unauthorized("Storefront operations take a customer token (Authorization: Bearer)")
    return _authorize(request, principal)


# Each runs in the endpoint's worker thread, just before it (openkyc.web.routing).
SecretKeyAuth = Annotated[Principal, Depends(in_endpoint_thread(require_secret))]
CustomerAuth = Annotated[Principal, Depends(in_endpoint_thread(require_customer))]
UploadAuth = Annotated[Principal, Depends(in_endpoint_thread(allow_publishable))]


async def _sealer(request: Request) -> Sealer:
    sealer: Sealer = request.app.state.sealer
    return sealer


# Seals the secrets openkyc keeps to send again (see openkyc.sealing).
AppSealer = Annotated[Sealer, Depends(_sealer)]


# What the app was built with, typed: only this module reads ``request.app.state``.
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


async def _credit_bureau(request: Request) -> CreditBureau:
    bureau: CreditBureau = request.app.state.credit_bureau
    return bureau


async def _operation_ids(request: Request) -> frozenset[str]:
    """The operations this server has: what ACLs and tokens may name."""
    operations: frozenset[str] = request.app.state.operation_ids
    return operations


async def _capture_gate(request: Request) -> CaptureGate | None:
    """The quality gate of pictures before they are stored (None when it is off)."""
    gate: CaptureGate | None = request.app.state.capture_gate
    return gate


AppSettings = Annotated[Settings, Depends(_settings)]
AppCaptureGate = Annotated[CaptureGate | None, Depends(_capture_gate)]


async def _short_link_limiter(request: Request) -> OrganizationRateLimiter:
    """The counter of short-link lookups per client address."""
    limiter: OrganizationRateLimiter = request.app.state.short_link_limiter
    return limiter


ShortLinkLimiter = Annotated[OrganizationRateLimiter, Depends(_short_link_limiter)]
AppStorage = Annotated[Storage, Depends(_storage)]
AppCreditBureau = Annotated[CreditBureau, Depends(_credit_bureau)]
OperationIds = Annotated[frozenset[str], Depends(_operation_ids)]


async def _links(request: Request) -> Links:
    return links_for_request(request)


RequestLinks = Annotated[Links, Depends(_links)]


ResourceIdPath = Annotated[
    str, Path(max_length=50, pattern=ID_PATTERN.pattern, description="ID of the resource.")
]
