"""POST /files with a `url`: fetched from real servers on loopback, which the settings allow
for 127.0.0.1 only, so everything else on loopback stands for a network the server must not
reach."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.storage.local import LocalStorage
from tests.files import servers
from tests.files.helpers import assert_nothing_left, invalid_fields, settings_with, sha1
from tests.fixtures import images

MAX_FILE = 64 * 1024
TIMEOUT = 1.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_with(
        tmp_path,
        max_file_bytes=MAX_FILE,
        url_fetch_timeout=TIMEOUT,
        url_fetch_max_redirects=2,
        url_fetch_allowed_networks="127.0.0.1/32,::1/128",
    )


@pytest.fixture(scope="module")
def allowed() -> Iterator[servers.FileServer]:
    """A server on 127.0.0.1, the one address the settings allow."""
    with servers.running("127.0.0.1") as server:
        yield server


@pytest.fixture(scope="module")
def internal() -> Iterator[servers.FileServer]:
    """A server on 127.0.0.2: loopback, but not allowed. It must never be asked anything."""
    with servers.running("127.0.0.2") as server:
        server.routes["/secret.png"] = servers.serving(images.png(), "image/png")
        yield server


@pytest.fixture(autouse=True)
def _fresh(allowed: servers.FileServer, internal: servers.FileServer) -> Iterator[None]:
    allowed.routes.clear()
    allowed.requests.clear()
    internal.requests.clear()
    yield
    assert internal.requests == []


def _refusal(api: TestClient, url: str) -> str:
    response = api.post("/files", json={"url": url})
    assert response.status_code == 422, response.text
    return invalid_fields(response)["url"]


def test_url_upload_fetches_and_records_the_file(
    api: TestClient, allowed: servers.FileServer
) -> None:
    data = images.jpeg(64, 48)
    allowed.routes["/scans/passport%20front.jpg"] = servers.serving(data, "text/html")
    response = api.post(
        "/files",
        json={"url": allowed.url("/scans/passport%20front.jpg?x=1"), "tags": ["kyc"]},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["mime"], body["extension"]) == (
        "passport front.jpg",
        "image/jpeg",
        "jpg",
    )
    assert (body["size"], body["sha1"], body["tags"]) == (len(data), sha1(data), ["kyc"])
    assert allowed.requests == [("/scans/passport%20front.jpg?x=1", f"127.0.0.1:{allowed.port}")]
    assert api.get(f"/files/{body['id']}/download").content == data


def test_redirects_are_followed_within_the_limit(
    api: TestClient, allowed: servers.FileServer
) -> None:
    data = images.png()
    allowed.routes["/a"] = servers.redirecting("/b", 301)
    allowed.routes["/b"] = servers.redirecting(allowed.url("/card.png"), 307)
    allowed.routes["/card.png"] = servers.serving(data)
    body = api.post("/files", json={"url": allowed.url("/a"), "name": "card"}).json()
    assert (body["name"], body["sha1"]) == ("card", sha1(data))
    assert [path for path, _ in allowed.requests] == ["/a", "/b", "/card.png"]

    allowed.routes["/c"] = servers.redirecting("/a")
    assert _refusal(api, allowed.url("/c")) == "the URL redirects more than 2 times"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.2:{internal}/secret.png", "127.0.0.2 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://[::ffff:127.0.0.2]:{internal}/secret.png", "127.0.0.2 is a loopback address"),
        ("http://10.0.0.7/id.png", "10.0.0.7 is a private address"),
        ("http://2130706434:{internal}/secret.png", "127.0.0.2 is a loopback address"),
    ],
)
def test_a_redirect_to_a_refused_address_is_refused(
    api: TestClient,
    storage: LocalStorage,
    allowed: servers.FileServer,
    internal: servers.FileServer,
    target: str,
    reason: str,
) -> None:
    location = target.format(internal=internal.port)
    allowed.routes["/innocent.png"] = servers.redirecting(location)
    refusal = _refusal(api, allowed.url("/innocent.png"))
    assert refusal.endswith(f"is refused: {reason}")
    assert [path for path, _ in allowed.requests] == ["/innocent.png"]
    assert_nothing_left(api, storage)


def test_the_host_header_is_kept_while_the_checked_address_is_used(
    api: TestClient, allowed: servers.FileServer
) -> None:
    allowed.routes["/id.png"] = servers.serving(images.png())
    response = api.post("/files", json={"url": allowed.url("/id.png", host="localhost")})
    assert response.status_code == 201, response.text
    assert allowed.requests == [("/id.png", f"localhost:{allowed.port}")]


def test_dns_rebinding_cannot_switch_the_address_after_the_check(
    api: TestClient, allowed: servers.FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name answers 127.0.0.1 (allowed) the first time, 127.0.0.2 (refused) after: the
    fetch must connect to the address it checked, not resolve the name again."""
    real_getaddrinfo = socket.getaddrinfo
    answers = ["127.0.0.1", "127.0.0.2", "127.0.0.2"]

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "files.rebind.test":
            host = answers.pop(0)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    allowed.routes["/id.png"] = servers.serving(images.png())
    url = f"http://files.rebind.test:{allowed.port}/id.png"
    assert api.post("/files", json={"url": url}).status_code == 201
    assert allowed.requests == [("/id.png", f"files.rebind.test:{allowed.port}")]
    assert len(answers) == 2


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (None, "the server answered 404"),
        (
            servers.serving(b"<html>not a passport</html>", "image/png"),
            "the file type is not accepted: send JPEG, PNG, GIF, WebP, HEIC/HEIF or PDF",
        ),
        (servers.serving(images.noisy_png(160, 160)), f"the file is larger than {MAX_FILE} bytes"),
        (
            servers.streaming_without_length(images.noisy_png(160, 160)),
            f"the file is larger than {MAX_FILE} bytes",
        ),
        (servers.stalling(3 * TIMEOUT), f"the server did not answer within {TIMEOUT:g}s"),
        (servers.dripping(3 * TIMEOUT), f"the server did not answer within {TIMEOUT:g}s"),
    ],
    ids=["404", "not an image", "too large", "too large, no length", "stalls", "drips"],
)
def test_failed_fetches_are_422_naming_url(
    api: TestClient,
    storage: LocalStorage,
    allowed: servers.FileServer,
    route: servers.Route | None,
    reason: str,
) -> None:
    if route is not None:
        allowed.routes["/file"] = route
    assert _refusal(api, allowed.url("/file")) == reason
    assert_nothing_left(api, storage)


def test_a_closed_port_is_422(api: TestClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    refusal = _refusal(api, f"http://127.0.0.1:{closed_port}/id.png")
    assert refusal == "the file could not be fetched (the connection failed)"


def test_url_without_a_valid_form_is_422(api: TestClient) -> None:
    assert _refusal(api, "") == "only http and https URLs are fetched"
    assert _refusal(api, "http://user:secret@127.0.0.1/") == "URLs with credentials are not fetched"
    assert _refusal(api, "http://no-such-host.invalid/id.png") == (
        "the host no-such-host.invalid cannot be resolved"
    )
    too_long = api.post("/files", json={"url": "http://example.com/" + "a" * 2048})
    assert list(invalid_fields(too_long)) == ["url"]
