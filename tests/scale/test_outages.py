"""With a dependency of a deployment of several nodes away (the shared rate-limit counters in
Redis, the S3 storage), the API answers 503 problems that say which and when to retry, never
500, and stores nothing half-way. Nothing listens on port 1: every connection is refused."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from openkyc.db.session import Database
from openkyc.storage.base import S3Options
from openkyc.storage.local import LocalStorage
from openkyc.storage.s3 import S3Storage
from openkyc.web.app import create_app
from tests.files.helpers import b64, settings_with
from tests.fixtures import images
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant

AWAY = "127.0.0.1:1"


def _unavailable(response, what: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"The {what} is unavailable; retry later"
    assert response.headers["retry-after"] == "5"


def test_without_redis_changes_are_503_and_reads_still_answer(
    tmp_path: Path, database: Database, tenant: Tenant
) -> None:
    settings = settings_with(tmp_path, rate_limit_storage=f"redis://{AWAY}/0")
    app = create_app(settings, database, LocalStorage(tmp_path / "files"))
    with TestClient(
        app, base_url="http://openkyc.test", raise_server_exceptions=False, headers=tenant.headers
    ) as api:
        _unavailable(api.post("/customers", json=customer_body()), "rate limit storage")
        # Reads are not counted, so they do not need the counters.
        listed = api.get("/customers")
        assert (listed.status_code, listed.json()) == (200, [])
        ready = api.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["rateLimits"] == {
            "status": "down",
            "error": "ServiceUnavailable",
        }
        assert ready.json()["checks"]["database"] == {"status": "ok"}


def test_without_s3_uploads_and_downloads_are_503_and_nothing_is_stored(
    tmp_path: Path, database: Database, tenant: Tenant
) -> None:
    options = S3Options(
        endpoint_url=f"http://{AWAY}",
        region="us-east-1",
        access_key_id="openkyc",
        secret_access_key="secret",
        addressing_style="path",
        connect_timeout=1,
    )
    storage = S3Storage("openkyc", "files", options)
    app = create_app(settings_with(tmp_path), database, storage)
    with TestClient(
        app, base_url="http://openkyc.test", raise_server_exceptions=False, headers=tenant.headers
    ) as api:
        upload = api.post("/files", json={"file": b64(images.png()), "name": "a.png"})
        _unavailable(upload, "file storage")
        assert api.get("/files").json() == []
        ready = api.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["storage"]["status"] == "down"
