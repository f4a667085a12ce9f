"""Which addresses a URL upload may reach: the rule alone, then through the API with the
default settings (nothing private allowed), where every refusal happens before any connection."""

from __future__ import annotations

import ipaddress

import pytest
from fastapi.testclient import TestClient

from openkyc.files.fetch import FetchPolicy, address_refusal
from openkyc.storage.local import LocalStorage
from tests.files.helpers import assert_nothing_left, invalid_fields

DEFAULT = FetchPolicy(timeout=5, max_redirects=5, max_bytes=1024)


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("127.255.0.9", "127.255.0.9 is a loopback address"),
        ("::1", "::1 is a loopback address"),
        ("::ffff:127.0.0.1", "127.0.0.1 is a loopback address"),
        ("::ffff:10.1.2.3", "10.1.2.3 is a private address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("::", ":: is an unspecified address"),
        ("10.0.0.1", "10.0.0.1 is a private address"),
        ("172.16.5.4", "172.16.5.4 is a private address"),
        ("192.168.1.1", "192.168.1.1 is a private address"),
        ("fc00::1", "fc00::1 is a private address"),
        ("fd00:ec2::254", "fd00:ec2::254 is a cloud metadata address"),
        ("169.254.169.254", "169.254.169.254 is a cloud metadata address"),
        ("169.254.1.1", "169.254.1.1 is a link-local address"),
        ("fe80::1", "fe80::1 is a link-local address"),
        ("224.0.0.1", "224.0.0.1 is a multicast address"),
        ("ff02::1", "ff02::1 is a multicast address"),
        ("240.0.0.1", "240.0.0.1 is a reserved address"),
        ("fec0::1", "fec0::1 is a site-local address"),
        ("100.64.0.1", "100.64.0.1 is not a public address"),
        ("100.100.100.200", "100.100.100.200 is a cloud metadata address"),
        ("2002:7f00:1::", "2002:7f00:1:: leads to 127.0.0.1, a loopback address"),
        ("64:ff9b::a00:1", "64:ff9b::a00:1 leads to 10.0.0.1, a private address"),
        ("93.184.215.14", None),
        ("2606:4700::6810:84e5", None),
        ("64:ff9b::5db8:d70e", None),  # NAT64 of a public address
    ],
)
def test_address_refusals(address: str, refusal: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address), DEFAULT) == refusal


def test_allowed_networks_open_exactly_what_they_name() -> None:
    policy = FetchPolicy(
        timeout=5,
        max_redirects=5,
        max_bytes=1024,
        allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),),
    )
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), policy) is None
    assert address_refusal(ipaddress.ip_address("::ffff:127.0.0.1"), policy) is None
    assert address_refusal(ipaddress.ip_address("127.0.0.2"), policy) == (
        "127.0.0.2 is a loopback address"
    )
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), policy) == (
        "169.254.169.254 is a cloud metadata address"
    )


def test_allow_private_urls_still_refuses_metadata() -> None:
    policy = FetchPolicy(timeout=5, max_redirects=5, max_bytes=1024, allow_private=True)
    assert address_refusal(ipaddress.ip_address("10.0.0.1"), policy) is None
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), policy) == (
        "169.254.169.254 is a cloud metadata address"
    )


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1/", "the host 127.0.0.1 is refused: 127.0.0.1 is a loopback address"),
        ("http://2130706433/", "the host 2130706433 is refused: 127.0.0.1 is a loopback address"),
        ("http://0x7f000001/", "the host 0x7f000001 is refused: 127.0.0.1 is a loopback address"),
        ("http://0177.0.0.1/", "it is not a valid URL"),
        ("http://127.1/", "the host 127.1 is refused: 127.0.0.1 is a loopback address"),
        ("http://0/", "the host 0 is refused: 0.0.0.0 is an unspecified address"),
        ("http://[::1]/", "the host ::1 is refused: ::1 is a loopback address"),
        (
            "http://[::ffff:7f00:1]/",
            "the host ::ffff:7f00:1 is refused: 127.0.0.1 is a loopback address",
        ),
        (
            "https://169.254.169.254/latest/",
            "the host 169.254.169.254 is refused: 169.254.169.254 is a cloud metadata address",
        ),
        ("file:///etc/passwd", "only http and https URLs are fetched"),
        ("ftp://example.com/id.png", "only http and https URLs are fetched"),
        ("gopher://127.0.0.1:6379/_INFO", "only http and https URLs are fetched"),
        ("//example.com/id.png", "only http and https URLs are fetched"),
    ],
)
def test_urls_to_the_servers_own_network_are_refused(
    api: TestClient, storage: LocalStorage, url: str, refusal: str
) -> None:
    response = api.post("/files", json={"url": url})
    assert response.status_code == 422
    assert invalid_fields(response) == {"url": refusal}
    assert_nothing_left(api, storage)


def test_localhost_is_refused_whichever_address_it_resolves_to_first(api: TestClient) -> None:
    response = api.post("/files", json={"url": "http://localhost:8000/id.png"})
    refusal = invalid_fields(response)["url"]
    assert refusal.startswith("the host localhost is refused: ")
    assert refusal.endswith(" is a loopback address")
