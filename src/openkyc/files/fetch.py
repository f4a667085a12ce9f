"""Fetching an upload from a URL without letting the URL reach into the server's own network.

Every hop (the URL and each redirect) is checked the same way: the scheme must be http or
https; the host is resolved here and every address it resolves to must be public (or inside a
network the operator allowed); then the connection goes to that checked address, with the
original Host header and TLS server name, so a second DNS answer (rebinding) is never used.
Redirects are followed by hand, up to a limit; the body is streamed up to a byte limit; one
deadline covers the whole fetch, name resolution included.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

import httpx

from openkyc.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud instance-metadata services. Refused even when private addresses are allowed, unless an
# allowed network names them explicitly.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack, DigitalOcean, …
        "169.254.170.2/32",  # AWS ECS task metadata
        "fd00:ec2::254/128",  # AWS over IPv6
        "100.100.100.200/32",  # Alibaba Cloud
        "192.0.0.192/32",  # Oracle Cloud
    )
)
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
_ADDRESS_KINDS = (
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_reserved", "a reserved"),
    ("is_site_local", "a site-local"),
    ("is_private", "a private"),
)
_REDIRECTS = (301, 302, 303, 307, 308)
# Uncompressed bodies only: the byte limit then bounds memory too.
_HEADERS = {"User-Agent": "openkyc", "Accept-Encoding": "identity"}
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="openkyc-resolve")


class FetchRefused(Exception):
    """The URL was not fetched; the message says why, in words for the client."""


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float
    max_redirects: int
    max_bytes: int
    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            timeout=settings.url_fetch_timeout,
            max_redirects=settings.url_fetch_max_redirects,
            max_bytes=settings.max_file_bytes,
            allow_private=settings.allow_private_urls,
            allowed_networks=tuple(settings.url_fetch_allowed_networks),
        )


@dataclass(frozen=True)
class Fetched:
    data: bytes
    url: str
    filename: str


def address_refusal(address: IPAddress, policy: FetchPolicy) -> str | None:
    """Why the server must not connect to ``address``, or None when it may."""
    address = _unmapped(address)
    if any(address in network for network in policy.allowed_networks):
        return None
    if any(address in network for network in METADATA_NETWORKS):
        return f"{address} is a cloud metadata address"
    if policy.allow_private:
        return None
    for candidate in _destinations(address):
        kind = _kind(candidate)
        if kind and candidate == address:
            return f"{address} is {kind}"
        if kind:
            return f"{address} leads to {candidate}, {kind}"
    return None


def _kind(address: IPAddress) -> str | None:
    for attribute, kind in _ADDRESS_KINDS:
        if getattr(address, attribute, False):
            return f"{kind} address"
    return None if address.is_global else "not a public address"


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _destinations(address: IPAddress) -> list[IPAddress]:
    """The address, and the IPv4 addresses it leads to through a gateway (6to4, Teredo); a
    NAT64 address is only the IPv4 address it embeds."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    if address in NAT64_PREFIX:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    embedded = [address.sixtofour, *(address.teredo or ())]
    return [address, *(a for a in embedded if a is not None)]


def fetch_url(url: str, policy: FetchPolicy) -> Fetched:
    """The bytes at ``url``; raises FetchRefused for anything refused or failed."""
    deadline = time.monotonic() + policy.timeout
    current = checked_url(url)
    try:
        # No proxies from the environment (they would bypass the pinning) and no kept-alive
        # connections (one to a pinned address must not serve another host name).
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(trust_env=False, follow_redirects=False, limits=limits) as client:
            for _ in range(policy.max_redirects + 1):
                addresses = resolve_checked(current, policy, deadline)
                with _get(client, current, addresses, deadline) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        current = checked_url(str(current.join(response.headers["location"])))
                        continue
                    if not response.is_success:
                        raise FetchRefused(f"the server answered {response.status_code}")
                    data = _read_limited(response, policy.max_bytes, deadline)
                    return Fetched(data, str(current), _filename(current))
    except httpx.TimeoutException as error:
        raise FetchRefused(f"the server did not answer within {policy.timeout:g}s") from error
    except httpx.HTTPError as error:
        raise FetchRefused(f"the file could not be fetched ({_reason(error)})") from error
    raise FetchRefused(f"the URL redirects more than {policy.max_redirects} times")


def checked_url(text: str) -> httpx.URL:
    try:
        url = httpx.URL(text.strip())
    except (httpx.InvalidURL, TypeError) as error:
        raise FetchRefused("it is not a valid URL") from error
    if url.scheme not in ("http", "https"):
        raise FetchRefused("only http and https URLs are fetched")
    if not url.host:
        raise FetchRefused("the URL has no host")
    if url.userinfo:
        raise FetchRefused("URLs with credentials are not fetched")
    return url


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpx.TimeoutException("deadline passed")
    return left


def _resolve(url: httpx.URL, deadline: float) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(url.host)]  # an address needs no lookup
    except ValueError:
        pass
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=_remaining(deadline))
    except FutureTimeout as error:
        raise httpx.TimeoutException("name resolution timed out") from error
    except (OSError, UnicodeError) as error:
        raise FetchRefused(f"the host {url.host} cannot be resolved") from error
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def resolve_checked(url: httpx.URL, policy: FetchPolicy, deadline: float) -> list[IPAddress]:
    addresses = _resolve(url, deadline)
    for address in addresses:
        refusal = address_refusal(address, policy)
        if refusal:
            raise FetchRefused(f"the host {url.host} is refused: {refusal}")
    return addresses


@contextmanager
def _get(
    client: httpx.Client, url: httpx.URL, addresses: list[IPAddress], deadline: float
) -> Iterator[httpx.Response]:
    """GET ``url`` from the first of the checked addresses that accepts a connection."""
    error: httpx.ConnectError | None = None
    for address in addresses:
        request = client.build_request(
            "GET",
            url.copy_with(host=str(address)),
            headers={"Host": url.netloc.decode("ascii"), **_HEADERS},
            extensions={
                "sni_hostname": url.raw_host.decode("ascii"),
                "timeout": _timeouts(deadline),
            },
        )
        try:
            response = client.send(request, stream=True)
        except httpx.ConnectError as failure:
            error = failure
            continue
        try:
            yield response
        finally:
            response.close()
        return
    assert error is not None
    raise error


def _timeouts(deadline: float) -> dict[str, float]:
    left = _remaining(deadline)
    return {"connect": left, "read": left, "write": left, "pool": left}


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"the file is larger than {max_bytes} bytes")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(f"the file is larger than {max_bytes} bytes")
        chunks.append(chunk)
        _remaining(deadline)
    return b"".join(chunks)


def _filename(url: httpx.URL) -> str:
    return PurePosixPath(unquote(url.path)).name[:255]


def _reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "the connection failed"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the server broke the HTTP protocol"
    return type(error).__name__
