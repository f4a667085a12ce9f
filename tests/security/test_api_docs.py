"""The API documentation page works offline: Swagger UI's script and style sheet are served
by openkyc itself, the page's policy allows nothing from elsewhere, and a real browser with
every outside address blocked shows the operations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Request, Route, sync_playwright

from tests.conftest import POSTGRES_URL
from tests.fixtures.live import LiveServer, live_server
from tests.fixtures.tools import require
from tests.gatherer.browser import CHROMIUM, SCREENSHOTS, launch

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


class _References(HTMLParser):
    """Every URL the page makes the browser load: scripts, style sheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(found[name] or "")
        if tag == "script" and not found.get("src"):
            self.inline_scripts += 1


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def test_the_page_and_everything_it_loads_come_from_openkyc(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    references = _References()
    references.feed(page.text)
    assert references.inline_scripts == 0
    assert len(references.urls) == 4  # icon, style sheet, Swagger UI, the start-up script
    for url in references.urls:
        assert "//" not in url and url.startswith("/docs/assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in bundle.content
    style = client.get("/docs/assets/swagger-ui.css")
    assert style.headers["content-type"].startswith("text/css")
    # Its pictures are data: URLs and it imports nothing.
    urls = re.findall(rb"url\(\s*['\"]?([^'\")]*)", style.content)
    assert urls and all(url.startswith(b"data:") for url in urls)
    assert b"@import" not in style.content
    assert 'data-openapi-url="/openapi.json"' in page.text
    assert client.get("/openapi.json").status_code == 200


def test_the_page_allows_scripts_and_styles_from_openkyc_only(client: TestClient) -> None:
    policy = _policy(client.get("/docs").headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert all("http" not in value for values in policy.values() for value in values)


@pytest.mark.parametrize(
    "name", ["docs.py", "../../config.py", "swagger-ui.js", "index.html", "..%2Fapp.py"]
)
def test_only_the_pages_own_assets_are_served(client: TestClient, name: str) -> None:
    answer = client.get(f"/docs/assets/{name}")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server("sqlite", tmp_path, POSTGRES_URL) as server:
        yield server


@pytest.mark.browser
@pytest.mark.slow
def test_swagger_ui_shows_every_operation_with_the_outside_world_blocked(
    sqlite_server: LiveServer,
) -> None:
    require(CHROMIUM, "the docs page is shown in Debian's Chromium (apt-get install chromium)")
    base = sqlite_server.base_url
    document = httpx.get(f"{base}/openapi.json").json()
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]
    outside: list[str] = []
    served: list[str] = []
    problems: list[str] = []

    def only_openkyc(route: Route, request: Request) -> None:
        if urlsplit(request.url).netloc == urlsplit(base).netloc:
            served.append(request.url)
            route.continue_()
        else:
            outside.append(request.url)
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", only_openkyc)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{base}/docs")
            page.wait_for_selector(".opblock", timeout=60_000)
            shown = page.eval_on_selector_all(
                ".opblock",
                "blocks => blocks.map(b => ["
                "b.querySelector('.opblock-summary-method').textContent.trim(),"
                "b.querySelector('.opblock-summary-path').getAttribute('data-path')])",
            )
            page.click(".opblock-summary-path[data-path='/customers'] >> xpath=..")
            page.wait_for_selector(".opblock.is-open .parameters, .opblock.is-open .opblock-body")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
        finally:
            browser.close()
    assert outside == []
    assert problems == []
    # An operation with several tags is shown under each of them.
    assert {tuple(block) for block in shown} == set(operations)
    assert {urljoin(base, "/docs/assets/swagger-ui-bundle.js"), f"{base}/openapi.json"} <= set(
        served
    )
