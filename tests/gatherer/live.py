"""A running openkyc (uvicorn, the real worker and analyser) and a merchant calling it, for
the tests that drive a real browser through the gatherer."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.fixtures.tenants import Tenant, make_tenant
from tests.fixtures.waiting import until

COLLINS_ADDRESS = {
    "firstName": "Eileen",
    "lastName": "Collins",
    "dob": "1986-11-19",
    "country": "GB",
    "address": "12 Harbour Street",
    "city": "London",
    "postalCode": "SE1 7PB",
}
SHOP = "https://shop.example/kyc-done?order=42"


def collins_bill(folder: Path) -> Path:
    """A recent utility bill of the customer's address, a PDF with its text, in ``folder``."""
    from datetime import date, timedelta

    from tests.analysis import documents as drawn

    address = [COLLINS_ADDRESS["address"], COLLINS_ADDRESS["city"], COLLINS_ADDRESS["postalCode"]]
    bill = folder / "bill.pdf"
    bill.write_bytes(
        drawn.pdf_with_text(
            drawn.bill_lines("Eileen Collins", address, date.today() - timedelta(days=12))
        )
    )
    return bill


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_openkyc(engine: Engine, folder: Path) -> Iterator[str]:
    """openkyc served on a free local port, analysing in its own worker threads."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=folder / "data",
        secret_key="browser-test-secret-" + "x" * 32,
        public_url=url,
        expiry_interval_seconds=0,
        analysis_processes=0,
        gate_processes=0,
    )
    app = create_app(settings, Database.from_engine(engine), LocalStorage(folder / "files"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    until(lambda: server.started or not thread.is_alive(), 30, "openkyc to start")
    if not server.started:
        raise RuntimeError("openkyc did not start")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class Merchant:
    """A merchant's backend: one tenant of the running openkyc."""

    def __init__(self, url: str, database: Database) -> None:
        self.tenant: Tenant = make_tenant(database, f"Shop {uuid.uuid4().hex[:6]}")
        self.api = httpx.Client(base_url=url, headers=self.tenant.headers, timeout=30)

    def ui_version(self, version: str) -> None:
        response = self.api.put("/kyc-settings", json={"uiVersion": version})
        assert response.status_code == 200, response.text

    def customer(self, **address: Any) -> str:
        body = {"primaryAddress": {**COLLINS_ADDRESS, **address}}
        response = self.api.post("/customers", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def kyc_request(
        self, customer_id: str, documents: list[dict[str, Any]], **extra: Any
    ) -> dict[str, Any]:
        body = {"customerId": customer_id, "documents": documents, **extra}
        response = self.api.post("/kyc-requests", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def status(self, request_id: str) -> str:
        return str(self.api.get(f"/kyc-requests/{request_id}").json()["status"])

    def documents(self, request_id: str) -> list[dict[str, Any]]:
        found = self.api.get(
            "/kyc-documents", params={"filter": f"requestId:{request_id}", "sort": "createdTime"}
        )
        return list(found.json())


def gatherer_link(request: dict[str, Any]) -> str:
    return next(link["href"] for link in request["_links"] if link["rel"] == "gatherer")
