"""Helpers of the files tests: what is in storage, how many records the API lists."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.storage import Storage
from openkyc.storage.local import LocalStorage
from openkyc.storage.s3 import S3Storage


def settings_with(tmp_path: Path, **overrides: Any) -> Settings:
    """The test suite's settings with some of them changed."""
    quiet = {
        "secret_key": "test-secret-" + "x" * 32,
        "expiry_interval_seconds": 0,
        "retention_interval_seconds": 0,
        "storage_sweep_interval_seconds": 0,
        "auto_analysis": False,
        "embedded_worker": False,
        "allowed_hosts": ("openkyc.test", "testserver"),
    }
    return Settings(data_dir=tmp_path / "data", **{**quiet, **overrides})


def stored_objects(storage: Storage) -> list[str]:
    """Every object in storage (temporary upload files included), as keys."""
    assert isinstance(storage, LocalStorage | S3Storage)
    return storage.keys()


def file_count(api: TestClient) -> int:
    response = api.get("/files")
    assert response.status_code == 200
    return int(response.headers["Pagination-Total"])


def assert_nothing_left(api: TestClient, storage: Storage) -> None:
    assert file_count(api) == 0
    assert stored_objects(storage) == []


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def upload(api: TestClient, data: bytes, **fields: Any) -> dict[str, Any]:
    """Upload as base64 JSON; the new file's record."""
    response = api.post("/files", json={"file": b64(data), **fields})
    assert response.status_code == 201, response.text
    return response.json()


def invalid_fields(response: Any) -> dict[str, str]:
    assert response.headers["content-type"] == "application/problem+json"
    return {f["field"]: f["message"] for f in response.json()["invalidFields"]}
