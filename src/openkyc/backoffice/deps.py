"""Who is at the screen: the person of the session cookie, checked on every request (their
role and status as they are now), and the form token every form must carry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request, Response

from openkyc import clock
from openkyc.auth import service as auth
from openkyc.backoffice.pages import FormTokenMissing, SignInRequired
from openkyc.backoffice.sessions import COOKIE, PATH, SessionCookies, Visit
from openkyc.db.session import Session as OrmSession
from openkyc.errors import Forbidden, Unauthorized, ValidationFailed
from openkyc.principal import Principal
from openkyc.users import roles
from openkyc.users.enums import Role
from openkyc.web.deps import AppSettings, Session
from openkyc.web.routing import credentials_first, in_endpoint_thread

FORM_TOKEN = "csrf_token"


async def _cookies(settings: AppSettings) -> SessionCookies:
    """The seals of the back office's cookies (keys derived from the deployment's secret; no
    blocking work, so on the event loop rather than a hand-off of its own)."""
    return SessionCookies(settings)


Cookies = Annotated[SessionCookies, Depends(_cookies)]


def keep(request: Request, cookies: SessionCookies, name: str, value: str) -> None:
    """Send the cookie with whatever response the request ends with."""
    secure = request.url.scheme == "https" or cookies.production

    def set_cookie(response: Response) -> None:
        response.set_cookie(name, value, path=PATH, httponly=True, secure=secure, samesite="strict")

    request.state.after = set_cookie


def _refuse_nul(values: Iterable[tuple[str, object]]) -> None:
    """No database of openkyc stores the NUL character: a value with one is refused whole."""
    for name, value in values:
        if isinstance(value, str) and "\x00" in value:
            raise ValidationFailed.field(name, "must not contain the NUL character")


async def check_form_token(request: Request, visit: Visit) -> None:
    _refuse_nul(request.query_params.multi_items())
    if request.method != "POST":
        return
    form = await request.form()
    sent = form.get(FORM_TOKEN)
    if not visit.form_token_matches(sent if isinstance(sent, str) else None):
        raise FormTokenMissing()
    _refuse_nul(form.multi_items())


def _principal(session: OrmSession, visit: Visit) -> Principal:
    if visit.token is None:
        raise SignInRequired()
    try:
        principal = auth.principal_from_jwt(session, visit.token)
    except Unauthorized as error:
        raise SignInRequired() from error
    if principal.kind != "user":
        raise SignInRequired()
    return principal


async def _visit(request: Request, cookies: Cookies) -> Visit:
    """The visit of the session cookie, opened on the event loop (no database)."""
    visit = cookies.open(request.cookies.get(COOKIE), clock.now())
    if visit is None:
        raise SignInRequired()
    return visit


def _signed_in(
    request: Request, session: Session, cookies: Cookies, visit: Annotated[Visit, Depends(_visit)]
) -> Principal:
    """The signed-in person, read from the database in the endpoint's thread (no hand-off of
    its own); every request renews the idle timeout."""
    principal = _principal(session, visit)
    request.state.visit = visit
    request.state.person = principal
    keep(request, cookies, COOKIE, cookies.seal(visit, clock.now()))
    _refuse_nul(request.query_params.multi_items())
    return principal


SignedIn = Annotated[Principal, Depends(in_endpoint_thread(_signed_in))]


async def signed_in(
    request: Request, person: SignedIn, visit: Annotated[Visit, Depends(_visit)]
) -> Principal:
    """The signed-in person and, for a form, the token it must carry. The form is read on the
    event loop after the person is known, so only a form's person takes a hand-off before the
    endpoint's; any other request's is read in the endpoint's thread."""
    if request.method == "POST":
        await credentials_first(request)
        await check_form_token(request, visit)
    return person


# What an endpoint takes: the person (resolved in its thread, see openkyc.web.routing).
Person = Annotated[Principal, Depends(signed_in)]


def _admin(person: Person) -> Principal:
    if person.role != Role.ADMIN:
        raise Forbidden("Only an admin may open the settings")
    return person


Admin = Annotated[Principal, Depends(in_endpoint_thread(_admin))]


def may(person: Principal, operation_id: str) -> bool:
    """Whether the person's role may do what the API's operation of this id does."""
    return roles.permits(person.role or "", "POST", operation_id)


def ensure_may(person: Principal, operation_id: str) -> None:
    """The same policy as the API's: a role may do in the back office what its token may do
    through the operation of the same action."""
    roles.ensure_permits(person.role or "", "POST", operation_id)
