"""The customer's pages. The link's token opens one KYC request; the page gets a customer
token for the storefront API and does everything else through that API, as a merchant's
own front end would."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from openkyc.db.models import KycRequest
from openkyc.errors import NotFound, RateLimited
from openkyc.gatherer import i18n, pages
from openkyc.kyc.requests import service as kyc_requests
from openkyc.kyc.requests import tokens as link_tokens
from openkyc.kyc.settings import service as kyc_settings
from openkyc.storefront import service as storefront
from openkyc.storefront.routes import consent_text
from openkyc.web.deps import AppCaptureGate, RequestLinks, Session, ShortLinkLimiter
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/gatherer", include_in_schema=False, route_class=OneHopRoute)
short_links = APIRouter(include_in_schema=False, route_class=OneHopRoute)
_STATIC = FilePath(__file__).parent / "static"
ASSET_TYPES = {
    "gatherer.js": "text/javascript; charset=utf-8",
    "gatherer.css": "text/css; charset=utf-8",
    "message.js": "text/javascript; charset=utf-8",
}
# Documents with a front and a back: both sides are asked for.
TWO_SIDED = (
    "id-card",
    "driver-license",
    "public-health-card",
    "proof-of-age-card",
    "firearms-license",
)
# What to offer when a request does not restrict the subtypes.
DEFAULT_SUBTYPES = {
    "identity-proof": ["passport", "id-card", "driver-license"],
    "address-proof": [
        "utility-bill",
        "bank-statement",
        "credit-card-statement",
        "rental-receipt",
        "lease-agreement",
        "insurance-letter",
    ],
    "funds-proof": ["bank-statement", "salary-slip", "tax-return", "income-statement", "other"],
    "purchase-proof": ["copy-credit-card", "credit-card-statement", "other"],
}
LinkToken = Annotated[str, Query(alias="token", max_length=4096)]
Language = Annotated[str | None, Query(alias="lang", max_length=8)]


def _locale(request: Request, chosen: str | None, default: str | None = None) -> str:
    return i18n.negotiate(request.headers.get("accept-language"), chosen, default)


def ui_version(kyc_request: KycRequest, organization: str | None) -> str:
    """The design of the request's pages: the request's own ``uiVersion``, else the
    organization's, else the classic one."""
    return kyc_request.ui_version or organization or "1"


@router.get("")
def gatherer_page(
    request: Request,
    session: Session,
    links: RequestLinks,
    gate: AppCaptureGate,
    token: LinkToken = "",
    lang: Language = None,
) -> Response:
    """The customer's page for the link's KYC request."""
    locale = _locale(request, lang)
    found = storefront.link_state(session, links.verifying, token)
    if found.state == "invalid":
        return pages.invalid_page(locale)
    if found.state == "closed" or found.request is None:
        kyc_request = found.request
        go_to = (
            storefront.redirect_to(kyc_request.redirect_url, "token_expired")
            if kyc_request is not None and kyc_request.redirect_url
            else None
        )
        return pages.closed_page(locale, kyc_request.status if kyc_request else None, go_to)
    issued = storefront.token_for_link(session, links.verifying, token)
    if gate is not None:
        # The models load while the customer takes the first photo.
        gate.start()
    settings = kyc_settings.get(session, issued.request.organization_id)
    brand = settings.gatherer
    # The customer's choice on the page first, then the language the merchant gave this
    # customer (their ``locale``), then the browser's, then the merchant's default.
    chosen = lang if lang in i18n.LOCALES else storefront.customer_language(session, issued.request)
    locale = _locale(request, chosen, brand.defaultLanguage)
    ui = ui_version(issued.request, settings.uiVersion)
    leave = "gatherer/leave?" + urlencode({"token": token, "lang": locale})
    link = f"{links.root}/gatherer?" + urlencode({"token": token})
    bootstrap = {
        "api": "",
        "token": issued.token,
        "requestId": issued.request.id,
        "hasRedirect": bool(issued.request.redirect_url),
        "leave": {"back": leave + "&why=back", "done": leave + "&why=done"},
        # Continue on the phone: the same link, as a QR code drawn here and as text.
        "handoff": {
            "qr": "gatherer/qr.svg?" + urlencode({"token": token}),
            "link": link,
            "short": link_tokens.short_url(links, issued.request),
        },
        "twoSided": list(TWO_SIDED),
        "defaultSubtypes": DEFAULT_SUBTYPES,
        "brand": brand.model_dump(exclude={"name", "logo", "defaultLanguage"}),
        # The words of the consent step, by version: the page records the customer's
        # agreement to exactly these (StorefrontPostKycConsent).
        "consentVersion": storefront.consent_version(consent_text(brand.consentText, locale)),
    }
    return pages.app_page(locale, ui, token, bootstrap, brand.name, brand.logo)


@router.get("/leave")
def leave_gatherer(
    request: Request,
    session: Session,
    links: RequestLinks,
    token: LinkToken = "",
    why: Literal["back", "done"] = "done",
    lang: Language = None,
) -> Response:
    """Back to the merchant with `info` saying how it went (`back` when the customer chose
    to leave), or the last page when the request has no `redirectUrl`."""
    locale = _locale(request, lang)
    found = storefront.link_state(session, links.verifying, token)
    if found.state == "invalid":
        return pages.invalid_page(locale)
    if found.request is None:
        return pages.closed_page(locale, None, None)
    info = "back" if why == "back" else storefront.redirect_info(found.request.status)
    if found.request.redirect_url:
        return RedirectResponse(storefront.redirect_to(found.request.redirect_url, info), 303)
    settings = kyc_settings.get(session, found.request.organization_id)
    ui = ui_version(found.request, settings.uiVersion)
    return pages.final_page(locale, info, ui)


@router.get("/qr.svg")
def gatherer_qr(
    request: Request, session: Session, links: RequestLinks, token: LinkToken = ""
) -> Response:
    """The short link of an open request as a QR code (SVG), for the customer's phone."""
    found = storefront.link_state(session, links.verifying, token)
    if found.state != "open" or found.request is None:
        raise NotFound("No open gatherer link")
    # The short link: a code of a few modules that any phone's camera reads at a glance
    # (the full link's token would make it dense), opening the same request.
    link = link_tokens.short_url(links, found.request) or (
        f"{links.root}/gatherer?" + urlencode({"token": token})
    )
    return Response(
        pages.qr_svg(link, i18n.messages(_locale(request, None))["handoff"]["qrTitle"]),
        media_type="image/svg+xml",
        headers={**pages.SECURITY_HEADERS, "Content-Security-Policy": "default-src 'none'"},
    )


@router.get("/assets/{name}")
def gatherer_asset(name: str) -> Response:
    """The page's own script and style sheet (no CDN)."""
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        raise NotFound(f"No asset {name}")
    return Response(
        (_STATIC / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@short_links.get("/g/{code}")
def gatherer_short_link(
    request: Request,
    session: Session,
    links: RequestLinks,
    limiter: ShortLinkLimiter,
    code: Annotated[str, Path(max_length=32)],
    lang: Language = None,
) -> Response:
    """A request's short link, typed on a phone: to the request's gatherer page (a link of
    its own, valid until the request expires), or why not. Each client address may look up
    a few codes in a while (``OPENKYC_SHORT_LINK_RATE_LIMIT``): codes cannot be guessed."""
    locale = _locale(request, lang)
    client = request.client.host if request.client else "unknown"
    try:
        limiter.hit(f"short-link/{client}")
    except RateLimited as limited:
        return pages.too_many_page(locale, limited.headers or {})
    found = kyc_requests.find_by_short_code(session, code.lower())
    if found is None:
        return pages.invalid_page(locale, status=404)
    return RedirectResponse(
        link_tokens.gatherer_url(links, found), 303, headers=pages.SECURITY_HEADERS
    )
