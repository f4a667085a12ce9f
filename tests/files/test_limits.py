"""Size and pixel limits, with a deployment's settings turned down to test them cheaply."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.storage.local import LocalStorage
from tests.files.helpers import assert_nothing_left, b64, invalid_fields, settings_with
from tests.fixtures import images

MAX_FILE = 4096


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_with(tmp_path, max_file_bytes=MAX_FILE, max_image_pixels=10_000)


def test_limits_of_these_settings(settings: Settings) -> None:
    assert settings.max_upload_body_bytes == MAX_FILE * 4 // 3 + 64 * 1024


@pytest.mark.parametrize("form", ["json", "multipart", "raw"])
def test_file_over_the_size_limit_is_413_in_every_form(
    api: TestClient, storage: LocalStorage, form: str
) -> None:
    data = images.noisy_png(40, 40)
    assert MAX_FILE < len(data) < 2 * MAX_FILE
    if form == "json":
        response = api.post("/files", json={"file": b64(data)})
    elif form == "multipart":
        response = api.post("/files", files={"file": ("big.png", data, "image/png")})
    else:
        response = api.post("/files", content=data, headers={"Content-Type": "image/png"})
    assert response.status_code == 413
    assert response.json()["detail"] == f"The file is larger than {MAX_FILE} bytes"
    assert_nothing_left(api, storage)


def test_body_over_the_upload_limit_is_413_before_it_is_read(
    api: TestClient, settings: Settings, storage: LocalStorage
) -> None:
    body = b"\x00" * (settings.max_upload_body_bytes + 1)
    response = api.post("/files", content=body, headers={"Content-Type": "image/png"})
    assert response.status_code == 413
    assert_nothing_left(api, storage)


def test_streamed_body_over_the_upload_limit_is_a_413_problem(
    api: TestClient, settings: Settings, storage: LocalStorage
) -> None:
    chunks = (b"\x00" * 8192 for _ in range(settings.max_upload_body_bytes // 8192 + 2))
    response = api.post("/files", content=chunks, headers={"Content-Type": "image/png"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Content Too Large"
    assert_nothing_left(api, storage)


def test_image_over_the_pixel_limit_is_refused_with_its_size(
    api: TestClient, storage: LocalStorage
) -> None:
    response = api.post("/files", json={"file": b64(images.png(200, 51))})
    assert response.status_code == 422
    assert invalid_fields(response) == {
        "file": "the image is 200x51 pixels, more than the limit of 10000"
    }
    assert_nothing_left(api, storage)
    assert api.post("/files", json={"file": b64(images.png(200, 50))}).status_code == 201
