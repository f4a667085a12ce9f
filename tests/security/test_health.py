"""Liveness and readiness are separate: `/health/live` says the process serves, `/health/ready`
checks the database, the file storage and the job queue by name. With the database or the
storage gone, the API answers 503 problems, not 500."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.files.helpers import b64, settings_with
from tests.fixtures import images
from tests.fixtures.tenants import Tenant

CHECKS = {"database", "storage", "jobQueue", "rateLimits"}


def test_a_healthy_service_is_live_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {name: {"status": "ok"} for name in CHECKS}}


@pytest.fixture
def unreachable_database(tmp_path: Path) -> Iterator[TestClient]:
    # Nothing listens on port 1: every connection is refused, as when the database is down.
    database = Database.from_url("postgresql://postgres@127.0.0.1:1/test?connect_timeout=2")
    app = create_app(settings_with(tmp_path), database, LocalStorage(tmp_path / "files"))
    with TestClient(app, base_url="http://openkyc.test", raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(("method", "path"), [("GET", "/customers"), ("POST", "/customers")])
def test_without_its_database_the_api_answers_503_problems(
    unreachable_database: TestClient, method: str, path: str
) -> None:
    response = unreachable_database.request(
        method, path, headers={"REB-APIKEY": "sk_" + "x" * 40}, json={}
    )
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The database is unavailable; retry later"
    assert response.headers["retry-after"] == "5"


def test_without_its_database_the_service_is_live_but_not_ready(
    unreachable_database: TestClient,
) -> None:
    assert unreachable_database.get("/health/live").status_code == 200
    assert unreachable_database.get("/health").status_code == 200
    ready = unreachable_database.get("/health/ready")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert set(checks) == CHECKS
    assert checks["database"]["status"] == "down" and checks["jobQueue"]["status"] == "down"
    assert checks["storage"] == {"status": "ok"}


def test_without_its_storage_uploads_are_503_and_the_service_is_not_ready(
    tmp_path: Path, database: Database, tenant: Tenant
) -> None:
    storage = LocalStorage(tmp_path / "files")
    app = create_app(settings_with(tmp_path), database, storage)
    with TestClient(
        app, base_url="http://openkyc.test", raise_server_exceptions=False, headers=tenant.headers
    ) as api:
        shutil.rmtree(storage.root)
        storage.root.write_text("not a folder any more")
        upload = api.post("/files", json={"file": b64(images.png()), "name": "a.png"})
        assert upload.status_code == 503, upload.text
        assert upload.json()["detail"] == "The file storage is unavailable; retry later"
        assert api.get("/files").json() == []
        ready = api.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["storage"]["status"] == "down"
        assert ready.json()["checks"]["database"] == {"status": "ok"}
