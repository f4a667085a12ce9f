"""Real HTTP servers on loopback addresses, for the URL-upload tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class FileServer:
    """A server answering from a table of routes, remembering every request it got."""

    host: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)
    port: int = 0

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


def _handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append((self.path, self.headers.get("Host", "")))
            route = server.routes.get(self.path.split("?")[0])
            if route is None:
                send(self, 404, b"not here", "text/plain")
            else:
                route(self)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def running(host: str) -> Iterator[FileServer]:
    server = FileServer(host)
    httpd = ThreadingHTTPServer((host, 0), _handler(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def serving(body: bytes, content_type: str = "application/octet-stream") -> Route:
    return lambda handler: send(handler, 200, body, content_type)


def redirecting(location: str, status: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def streaming_without_length(body: bytes) -> Route:
    """The body with no Content-Length: its end is the end of the connection."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True

    return route


def dripping(seconds: float) -> Route:
    """Headers at once, then a byte now and then: every read is quick, the whole is not."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    return route


def stalling(seconds: float) -> Route:
    """Nothing at all for a while."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)

    return route
