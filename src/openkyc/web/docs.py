"""The API documentation page: Swagger UI with every script and style sheet served by openkyc
itself, so the page works offline and its policy allows nothing from elsewhere."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from openkyc.errors import NotFound
from openkyc.web.routing import OneHopRoute

router = APIRouter(include_in_schema=False, route_class=OneHopRoute)
DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
# Swagger UI's own files come from the fastapi-swagger wheel, the page's start-up script is ours.
_SWAGGER_UI = files("fastapi_swagger") / "resources"
_OWN = Path(__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": (_SWAGGER_UI, "text/javascript; charset=utf-8"),
    "swagger-ui.css": (_SWAGGER_UI, "text/css; charset=utf-8"),
    "favicon-32x32.png": (_SWAGGER_UI, "image/png"),
    "docs.js": (_OWN, "text/javascript; charset=utf-8"),
}
# Scripts, styles, fonts and the API description from this server only; Swagger UI's icons
# are data: URLs in its style sheet.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/docs.js"></script>
</body>
</html>
"""


@router.get(DOCS_PATH)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over this server's OpenAPI document."""
    root = request.scope.get("root_path", "").rstrip("/")
    page = PAGE.format(
        title=escape(request.app.title),
        assets=escape(root + ASSETS_PATH),
        openapi=escape(root + (request.app.openapi_url or "/openapi.json")),
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": POLICY})


@router.get(ASSETS_PATH + "/{name}")
def api_docs_asset(name: str) -> Response:
    """One of the page's scripts, style sheets or icons."""
    if name not in ASSETS:
        raise NotFound(f"No asset {name}")
    folder, media_type = ASSETS[name]
    return Response(
        (folder / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600"},
    )
