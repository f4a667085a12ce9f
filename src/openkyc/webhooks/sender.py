"""Sending one webhook request, safely and within a deadline.

The URL is checked and its host resolved by the policy URL uploads use (``files.fetch``): every
address must be public unless the organization or the operator allowed it, and the connection
goes to the checked address with the original Host header and TLS server name. Redirects are
not followed (a 3xx is a failed attempt). One deadline covers the whole attempt, name
resolution included; only the first part of the response body is read. Connections are kept
alive per origin, so a busy receiver is not reconnected for every event.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from openkyc import clock
from openkyc.files.fetch import FetchPolicy, FetchRefused, IPAddress, checked_url, resolve_checked

RESPONSE_KEPT_BYTES = 16 * 1024
MAX_ORIGINS = 256


@dataclass(frozen=True)
class Outgoing:
    """A request ready to go: ``auth`` is (basic|digest, username, password) or None."""

    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    policy: FetchPolicy
    auth: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Answer:
    """What came of an attempt: a response (``status``), or an ``error`` saying why none."""

    duration_ms: int
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    error: str | None = None
    retry_after_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def _auth(auth: tuple[str, str, str] | None) -> httpx.Auth | None:
    if auth is None:
        return None
    kind, username, password = auth
    return (
        httpx.DigestAuth(username, password)
        if kind == "digest"
        else httpx.BasicAuth(username, password)
    )


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header in seconds, from either of its forms."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or clock.now())).total_seconds())


class Sender:
    """Sends webhook requests from any number of threads at once."""

    def __init__(self, connect_timeout: float, timeout: float) -> None:
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self._clients: OrderedDict[tuple[str, bytes, int | None], httpx.Client] = OrderedDict()
        self._lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> Answer:
        started = time.monotonic()
        deadline = started + self.timeout
        try:
            url = checked_url(outgoing.url)
            addresses = resolve_checked(url, outgoing.policy, deadline)
            response, body = self._exchange(url, addresses, outgoing, deadline)
        except FetchRefused as refusal:
            return Answer(_elapsed(started), error=str(refusal))
        except httpx.TimeoutException:
            return Answer(_elapsed(started), error=f"no answer within {self.timeout:g}s")
        except httpx.HTTPError as error:
            return Answer(_elapsed(started), error=_reason(error))
        return Answer(
            _elapsed(started),
            status=response.status_code,
            headers=dict(response.headers),
            body=body,
            retry_after_seconds=retry_after_seconds(response.headers.get("retry-after")),
        )

    def _exchange(
        self, url: httpx.URL, addresses: list[IPAddress], outgoing: Outgoing, deadline: float
    ) -> tuple[httpx.Response, str]:
        """Send to the first checked address that accepts a connection; read what is kept."""
        client = self._client(url)
        failure: httpx.ConnectError | None = None
        for address in addresses:
            request = client.build_request(
                outgoing.method,
                url.copy_with(host=str(address)),
                headers={"Host": url.netloc.decode("ascii"), **outgoing.headers},
                content=outgoing.body or None,
                extensions={
                    "sni_hostname": url.raw_host.decode("ascii"),
                    "timeout": self._timeouts(deadline),
                },
            )
            try:
                response = client.send(request, auth=_auth(outgoing.auth), stream=True)
            except httpx.ConnectError as error:
                failure = error
                continue
            try:
                return response, _read_kept(response, deadline)
            finally:
                response.close()
        assert failure is not None
        raise failure

    def _timeouts(self, deadline: float) -> dict[str, float]:
        left = _remaining(deadline)
        return {
            "connect": min(self.connect_timeout, left),
            "read": left,
            "write": left,
            "pool": left,
        }

    def _client(self, url: httpx.URL) -> httpx.Client:
        """One client per origin: its kept-alive connections, pinned to that origin's checked
        address, never carry another host's requests. Cookies are never kept."""
        origin = (url.scheme, url.raw_host, url.port)
        with self._lock:
            client = self._clients.get(origin)
            if client is None:
                client = httpx.Client(
                    trust_env=False,
                    follow_redirects=False,
                    cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                )
                self._clients[origin] = client
                if len(self._clients) > MAX_ORIGINS:
                    self._clients.popitem(last=False)[1].close()
            self._clients.move_to_end(origin)
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def _elapsed(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpx.TimeoutException("deadline passed")
    return left


def _read_kept(response: httpx.Response, deadline: float) -> str:
    """The start of the body; the rest is not waited for."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= RESPONSE_KEPT_BYTES:
            break
        _remaining(deadline)
    return b"".join(chunks)[:RESPONSE_KEPT_BYTES].decode("utf-8", errors="replace")


def _reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "the connection failed"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the receiver broke the HTTP protocol"
    if isinstance(error, httpx.ReadError | httpx.WriteError):
        return "the connection was lost"
    return type(error).__name__
