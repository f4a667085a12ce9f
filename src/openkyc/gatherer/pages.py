"""The gatherer's HTML: the application shell and the message pages (invalid or closed
links, the last page when there is no redirect). Every value is escaped here."""

from __future__ import annotations

import io
import json
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import segno
from fastapi.responses import HTMLResponse, Response

from openkyc.gatherer import i18n

_TEMPLATES = Path(__file__).parent / "templates"
ASSETS = "gatherer/assets"  # relative to the page, so any path prefix works
REDIRECT_SECONDS = 10  # before a closed link's page goes back to the merchant by itself
# Own scripts, styles and API only; pictures and the camera stay in the browser until sent.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' blob: data:; media-src 'self' blob: mediastream:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(self)",
}


@cache
def _template(name: str) -> Template:
    return Template((_TEMPLATES / name).read_text(encoding="utf-8"))


def _html(body: str, status: int) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def _json_for_html(data: dict[str, Any]) -> str:
    # Inside <script type="application/json">: nothing may close the element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _options(locale: str) -> str:
    return "".join(
        f'<option value="{code}"{" selected" if code == locale else ""}>'
        f"{escape(i18n.messages(code)['name'])}</option>"
        for code in i18n.LOCALES
    )


def app_page(
    locale: str,
    ui: str,
    link_token: str,
    bootstrap: dict[str, Any],
    brand: str | None = None,
    logo: str | None = None,
) -> HTMLResponse:
    """The shell the script fills in from the storefront API; ``brand``: the merchant's name,
    ``logo``: its logo (a data URL checked when the merchant saved it), shown beside it."""
    text = i18n.messages(locale)
    picture = f'<img class="logo" id="brand-logo" src="{escape(logo)}" alt="">' if logo else ""
    body = _template("app.html").substitute(
        lang=locale,
        brand=picture + escape(brand or "openkyc"),
        title=escape(text["title"]),
        intro=escape(text["intro"]),
        ui=escape(ui),
        assets=ASSETS,
        link_token=escape(link_token),
        language_label=escape(text["language"]),
        language_options=_options(locale),
        bootstrap=_json_for_html({**bootstrap, "lang": locale, "ui": ui, "t": text}),
    )
    return _html(body, 200)


def qr_svg(content: str, title: str) -> bytes:
    """``content`` as a QR code, an SVG image that scales (no script, no external file)."""
    out = io.BytesIO()
    segno.make_qr(content, error="m").save(
        out, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, title=title, nl=False
    )
    return out.getvalue()


def message_page(
    locale: str,
    title: str,
    text: str,
    *,
    status: int,
    state: str,
    ui: str = "1",
    go_to: str | None = None,
    button: str = "",
) -> Response:
    """A page with one message; with ``go_to``, a button there and, when scripts run, an
    automatic redirect a few seconds later that the customer can stop (WCAG 2.2.1)."""
    action = script = ""
    if go_to:
        redirect = i18n.messages(locale)["pages"]["redirect"]
        action = (
            f'<p><a class="button primary" id="continue" href="{escape(go_to)}">'
            f"{escape(button)}</a></p>\n"
            f'  <div id="redirect" data-seconds="{REDIRECT_SECONDS}" hidden>'
            f'<p class="help" id="redirect-help" data-stayed="{escape(redirect["stayed"])}">'
            f"{escape(redirect['auto'].format(seconds=REDIRECT_SECONDS))}</p>"
            f'<p><button type="button" class="button" id="stay">{escape(redirect["stay"])}'
            "</button></p></div>"
        )
        script = f'<script src="{ASSETS}/message.js" defer></script>\n'
    body = _template("message.html").substitute(
        lang=locale,
        title=escape(title),
        text=escape(text),
        state=escape(state),
        ui=escape(ui),
        assets=ASSETS,
        script=script,
        action=action,
    )
    return _html(body, status)


def invalid_page(locale: str, status: int = 403) -> Response:
    pages = i18n.messages(locale)["pages"]
    return message_page(
        locale, pages["invalidTitle"], pages["invalid"], status=status, state="invalid"
    )


def too_many_page(locale: str, headers: dict[str, str]) -> Response:
    """Too many short links looked up from one address: wait, or use the whole link."""
    text = i18n.messages(locale)
    page = message_page(
        locale,
        text["pages"]["tooManyTitle"],
        text["problems"]["rate-limit-exceeded"],
        status=429,
        state="too-many",
    )
    page.headers.update({k: v for k, v in headers.items() if k.lower().startswith("x-ratelimit")})
    return page


def closed_page(locale: str, status: str | None, go_to: str | None) -> Response:
    """An expired or ended link: what it means, and the way back to the merchant."""
    text = i18n.messages(locale)
    closed = text["pages"]["closed"]
    reason = closed.get(status or "", closed["ended"])
    return message_page(
        locale,
        text["pages"]["closedTitle"],
        reason,
        status=410,
        state="closed",
        go_to=go_to,
        button=text["done"]["continue"],
    )


def final_page(locale: str, info: str, ui: str) -> Response:
    """The last page when the merchant gave no address to return to."""
    pages = i18n.messages(locale)["pages"]
    return message_page(
        locale, pages["finalTitle"], pages["final"][info], status=200, state=info, ui=ui
    )
