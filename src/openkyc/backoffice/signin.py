"""Signing in to the back office (password, and the one-time code when the person set up a
second factor) and out. The same rules as `POST /signin`: lockout, one answer for every
wrong part."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from openkyc import clock
from openkyc.auth import service as auth
from openkyc.backoffice.deps import Cookies, Person, check_form_token, keep
from openkyc.backoffice.pages import FormTokenMissing, PageRoute, render
from openkyc.backoffice.sessions import COOKIE, PATH, SIGN_IN_COOKIE, SessionCookies, Visit
from openkyc.errors import ValidationFailed
from openkyc.users import service as users
from openkyc.web.deps import AppSealer, Session

router = APIRouter(prefix="/backoffice", route_class=PageRoute, include_in_schema=False)
HOME = "/backoffice/queue"


def _next(target: str | None) -> str:
    """Only a back-office path: the sign-in form never sends a person elsewhere."""
    if target and target.startswith("/backoffice/") and "//" not in target and "\\" not in target:
        return target
    return HOME


def _form(
    request: Request, cookies: SessionCookies, status: int = 200, **context: object
) -> Response:
    visit = Visit.new()
    request.state.visit = visit
    keep(request, cookies, SIGN_IN_COOKIE, cookies.seal(visit, clock.now()))
    return render(
        request, "signin.html", {"next": _next(request.query_params.get("next")), **context}, status
    )


@router.get("")
def home() -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/signin")
def sign_in_form(request: Request, cookies: Cookies) -> Response:
    """The sign-in form."""
    return _form(request, cookies)


@router.post("/signin")
async def sign_in(
    request: Request,
    session: Session,
    cookies: Cookies,
    sealer: AppSealer,
    email: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=256)],
    otp: Annotated[str, Form(max_length=12)] = "",
    organization: Annotated[str, Form(max_length=50)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
) -> Response:
    now = clock.now()
    pending = cookies.open(request.cookies.get(SIGN_IN_COOKIE), now)
    if pending is None:
        raise FormTokenMissing()
    await check_form_token(request, pending)
    try:
        outcome = users.sign_in(
            session,
            sealer,
            email,
            password,
            otp.strip() or None,
            organization.strip() or None,
        )
    except ValidationFailed:
        return _form(
            request,
            cookies,
            400,
            email=email,
            ask_organization=True,
            error="This email belongs to several organizations: name yours.",
        )
    if outcome.user is None:
        session.commit()  # the count of failures stays, though the answer is a refusal
        return _form(request, cookies, 401, email=email, error=outcome.refusal)
    token = auth.user_token(
        session, outcome.user.organization_id, outcome.user.id, now + cookies.lifetime
    )
    response = RedirectResponse(_next(next), status_code=303)
    keep(request, cookies, COOKIE, cookies.seal(Visit.new(token), now))
    response.delete_cookie(SIGN_IN_COOKIE, path=PATH)
    return response


@router.post("/signout")
def sign_out(person: Person, session: Session, request: Request) -> Response:
    """End the person's sessions (this one and any other, in the back office or through the
    API): the cookie goes, and the tokens issued until now stop working."""
    users.sign_out(session, person.organization_id, person.actor_id)
    response = RedirectResponse("/backoffice/signin", status_code=303)
    request.state.after = lambda r: r.delete_cookie(COOKIE, path=PATH)
    return response
