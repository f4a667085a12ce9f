"""The back office's routes, mounted by the app at /backoffice, and its own static files
(every script and style ships in the package: no CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from openkyc.backoffice import admin, aml, customers, dashboard, review, signin
from openkyc.backoffice.pages import STATIC
from openkyc.errors import NotFound
from openkyc.web.routing import OneHopRoute

ASSET_TYPES = {
    "backoffice.css": "text/css; charset=utf-8",
    "backoffice.js": "text/javascript; charset=utf-8",
}
assets = APIRouter(prefix="/backoffice", include_in_schema=False, route_class=OneHopRoute)


@assets.get("/static/{name}")
def asset(name: str) -> Response:
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        raise NotFound(f"No asset {name}")
    return Response(
        (STATIC / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


routers = [
    assets,
    signin.router,
    review.router,
    customers.router,
    aml.router,
    dashboard.router,
    admin.router,
]
