"""Real HTTP receivers on 127.0.0.1 for the delivery tests: an ASGI app under uvicorn in a
thread, answering as a test tells it and remembering every request."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from tests.fixtures.waiting import until


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    started: float
    ended: float
    status: int


@dataclass(frozen=True)
class Reply:
    status: int = 200
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"ok"


Behaviour = Callable[[str, dict[str, str], bytes], Reply]


def answering(status: int = 200, delay: float = 0.0) -> Behaviour:
    return lambda method, headers, body: Reply(status, delay)


@dataclass
class Receiver:
    behaviour: Behaviour = field(default_factory=answering)
    received: list[Received] = field(default_factory=list)
    # The webhook-id of every request as it arrives (before it is answered).
    arrived: list[str] = field(default_factory=list)
    port: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ok(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        started = time.monotonic()
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.arrived.append(headers.get("webhook-id", ""))
        body = b"".join(chunks)
        reply = self.behaviour(scope["method"], headers, body)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        self.received.append(
            Received(
                scope["method"],
                scope["path"],
                headers,
                body,
                started,
                time.monotonic(),
                reply.status,
            )
        )
        response_headers = [(b"content-type", b"text/plain")]
        response_headers += [(k.encode(), v.encode()) for k, v in reply.headers]
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": response_headers}
        )
        await send({"type": "http.response.body", "body": reply.body})

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            lifespan="off",
            interface="asgi3",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, daemon=True
        )
        self._thread.start()
        server = self._server
        until(lambda: server.started, 10, "the receiver to start")

    def stop(self) -> None:
        """Close the port: until ``start`` again, connections are refused."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._server.force_exit = True
            self._thread.join(timeout=10)
            self._server = None


@contextmanager
def running(behaviour: Behaviour | None = None) -> Iterator[Receiver]:
    receiver = Receiver(behaviour or answering())
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


def basic_auth(username: str, password: str) -> Behaviour:
    expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def behaviour(method: str, headers: dict[str, str], body: bytes) -> Reply:
        return Reply(200 if headers.get("authorization") == expected else 401)

    return behaviour


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_auth(
    username: str, password: str, realm: str = "hooks", nonce: str = "n0nce"
) -> Behaviour:
    """HTTP Digest (RFC 7616, MD5, qop=auth): a challenge, then a checked answer."""
    challenge = (("www-authenticate", f'Digest realm="{realm}", nonce="{nonce}", qop="auth"'),)

    def behaviour(method: str, headers: dict[str, str], body: bytes) -> Reply:
        answer = headers.get("authorization", "")
        if not answer.startswith("Digest "):
            return Reply(401, headers=challenge)
        fields = dict(
            part.strip().split("=", 1) for part in answer.removeprefix("Digest ").split(",")
        )
        values = {k: v.strip('"') for k, v in fields.items()}
        ha1 = _md5(f"{username}:{realm}:{password}")
        ha2 = _md5(f"{method}:{values['uri']}")
        expected = _md5(f"{ha1}:{nonce}:{values['nc']}:{values['cnonce']}:auth:{ha2}")
        good = values.get("username") == username and values.get("response") == expected
        return Reply(200) if good else Reply(401, headers=challenge)

    return behaviour


def wait_for(predicate: Callable[[], bool], seconds: float = 20, what: str = "it") -> None:
    until(predicate, seconds, what)
