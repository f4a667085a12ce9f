"""X-Forwarded-For is believed only from the operator's proxies (none by default), so a
client cannot step into an IP-locked key's addresses by naming them."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.fixtures.tenants import Tenant
from tests.security.helpers import OFFICE_IP, client_from, key_headers, new_key
from tests.web.test_conventions import assert_problem

FORGED = [
    {"X-Forwarded-For": OFFICE_IP},
    {"X-Forwarded-For": f"{OFFICE_IP}, 127.0.0.1"},
    {"X-Forwarded-For": f"10.0.0.1, {OFFICE_IP}"},
    {"X-Real-IP": OFFICE_IP},
    {"Forwarded": f"for={OFFICE_IP}"},
]


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "10.1.2.3", "5.6.7.8"])
@pytest.mark.parametrize("forged", FORGED)
def test_forwarded_headers_are_not_believed_by_default(
    settings: Settings,
    database: Database,
    storage: LocalStorage,
    api: TestClient,
    peer: str,
    forged: dict[str, str],
) -> None:
    locked = key_headers(new_key(api, "Office", allowedIps=[OFFICE_IP]))
    app = create_app(settings, database, storage)
    with client_from(app, peer, **locked) as client:
        assert_problem(client.get("/customers", headers=forged), 403)


def _behind_proxy(settings: Settings, database: Database, storage: LocalStorage) -> Any:
    update = {"trusted_proxies": (ip_network("10.0.0.0/8"),)}
    return create_app(settings.model_copy(update=update), database, storage)


def test_a_configured_proxy_is_believed(
    settings: Settings, database: Database, storage: LocalStorage, api: TestClient
) -> None:
    locked = key_headers(new_key(api, "Office", allowedIps=[OFFICE_IP]))
    app = _behind_proxy(settings, database, storage)
    with client_from(app, "10.1.2.3", **locked) as proxy:
        assert proxy.get("/customers", headers={"X-Forwarded-For": OFFICE_IP}).status_code == 200
        assert_problem(proxy.get("/customers", headers={"X-Forwarded-For": "5.6.7.8"}), 403)
    with client_from(app, "5.6.7.8", **locked) as direct:
        assert_problem(direct.get("/customers", headers={"X-Forwarded-For": OFFICE_IP}), 403)


def test_trusted_proxies_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENKYC_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
    assert [str(n) for n in Settings().trusted_proxies] == ["10.0.0.0/8", "192.168.1.1/32"]
    monkeypatch.delenv("OPENKYC_TRUSTED_PROXIES")
    assert Settings().trusted_proxies == ()


def test_uvicorn_is_told_to_believe_no_forwarded_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, tenant: Tenant
) -> None:
    """`openkyc serve` turns uvicorn's own proxy handling off (it trusts 127.0.0.1 by
    default): the app reads forwarded headers from OPENKYC_TRUSTED_PROXIES only."""
    import uvicorn
    from click.testing import CliRunner

    from openkyc.cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("OPENKYC_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] == ""
