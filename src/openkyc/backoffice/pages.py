"""Rendering the back office: autoescaped Jinja2 templates, the pages' security headers, and
the route class that turns a refusal into a page (or a way to the sign-in form)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ValidationError

from openkyc import clock
from openkyc.errors import InvalidField, OpenKycError, ValidationFailed
from openkyc.web.routing import OneHopRoute

_FOLDER = Path(__file__).parent
STATIC = _FOLDER / "static"
# Own scripts, styles and images only; nothing inline, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _age(then: datetime | None) -> str:
    """How long ago, in the largest unit that says it: 3 d 4 h, 5 h 12 min, 7 min."""
    if then is None:
        return "—"
    minutes = max(0, int((clock.now() - then.astimezone(UTC)).total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


_environment = Environment(
    loader=FileSystemLoader(_FOLDER / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["age"] = _age
_environment.filters["when"] = _when


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    visit = getattr(request.state, "visit", None)
    person = getattr(request.state, "person", None)
    body = _environment.get_template(template).render(
        {
            "request": request,
            "csrf": visit.csrf if visit else "",
            "person": person,
            "path": request.url.path,
            **context,
        }
    )
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


ModelT = TypeVar("ModelT", bound=BaseModel)


def validated(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    """A form's values as the API's body model, or ValidationFailed naming each field (as
    the API would), which the page shows."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(
            [
                InvalidField(
                    ".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, ")
                )
                for e in error.errors()
            ]
        ) from error


class SignInRequired(Exception):
    """No session, or one that ended: the person signs in again, then comes back."""


class FormTokenMissing(Exception):
    """A form sent without this session's form token (CSRF)."""


def _back(request: Request) -> str:
    """Where a refused action's page links back to: the page the form was on."""
    path = request.url.path
    if request.method == "POST":
        path = path.rsplit("/", 1)[0] or "/backoffice"
    return path


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"title": title, "detail": detail, "back": _back(request)},
        status=status,
    )


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class PageRoute(OneHopRoute):
    """A back-office route: a refusal becomes a page for the person (not problem JSON), a
    missing or ended session a way to the sign-in form."""

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                response = await handle(request)
            except SignInRequired:
                target = "/backoffice/signin"
                if request.method == "GET" and request.url.path != target:
                    target += "?next=" + request.url.path
                response = RedirectResponse(target, status_code=303)
            except FormTokenMissing:
                response = error_page(
                    request,
                    403,
                    "Form expired",
                    "The form was sent without its token; "
                    "open the page again and repeat the action.",
                )
            except RequestValidationError as error:
                fields = ", ".join(str(e["loc"][-1]) for e in error.errors())
                response = error_page(request, 422, "Check the form", f"Invalid: {fields}")
            except ValidationFailed as error:
                fields = "; ".join(f"{f.field}: {f.message}" for f in error.invalid_fields)
                response = error_page(request, error.status, "Check the form", fields)
            except OpenKycError as error:
                response = error_page(request, error.status, error.title, error.detail)
            after: Callable[[Response], None] | None = getattr(request.state, "after", None)
            if after is not None:
                after(response)
            return response

        return page
