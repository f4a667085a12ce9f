"""GET /files/{id}/download, resized images, and permalinks of public files."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import STORAGES
from tests.files.helpers import upload
from tests.fixtures import images

# Every test here runs on local disk and on S3 (SeaweedFS).
pytestmark = STORAGES


def _size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_download_returns_the_bytes_with_type_length_and_name(api: TestClient) -> None:
    data = images.jpeg(64, 48)
    created = upload(api, data, name="passport front.jpg")
    response = api.get(f"/files/{created['id']}/download")
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"passport front.jpg\"; filename*=UTF-8''passport%20front.jpg"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_name_is_safe_and_falls_back_to_the_id(api: TestClient) -> None:
    unnamed = upload(api, images.pdf(1))
    response = api.get(f"/files/{unnamed['id']}/download")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{unnamed["id"]}.pdf"'
    )
    hostile = upload(api, images.png(), name='Ünïcode "quoted"\\.png')
    disposition = api.get(f"/files/{hostile['id']}/download").headers["Content-Disposition"]
    assert disposition == (
        'attachment; filename="_n_code _quoted__.png"; '
        "filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22quoted%22%5C.png"
    )


@pytest.mark.parametrize(
    ("image_size", "expected"),
    [("100x100", (100, 75)), ("50x300", (50, 38)), ("2000x2000", (400, 300)), ("10x10", (10, 8))],
)
def test_image_size_scales_down_to_fit_keeping_the_aspect(
    api: TestClient, image_size: str, expected: tuple[int, int]
) -> None:
    created = upload(api, images.jpeg(400, 300))
    response = api.get(f"/files/{created['id']}/download", params={"imageSize": image_size})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert _size_of(response.content) == expected
    assert response.headers["Content-Length"] == str(len(response.content))


@pytest.mark.parametrize("image_size", ["9x100", "100x2001", "100", "0100x100", "axb", ""])
def test_invalid_image_size_returns_the_original(api: TestClient, image_size: str) -> None:
    data = images.png(400, 300)
    created = upload(api, data)
    response = api.get(f"/files/{created['id']}/download", params={"imageSize": image_size})
    assert (response.status_code, response.content) == (200, data)


def test_image_size_keeps_png_and_turns_heic_into_jpeg_and_ignores_pdf(api: TestClient) -> None:
    png = upload(api, images.png(400, 300))
    resized = api.get(f"/files/{png['id']}/download", params={"imageSize": "40x40"})
    assert (resized.headers["Content-Type"], _size_of(resized.content)) == ("image/png", (40, 30))
    heic = upload(api, images.heic(320, 240), name="IMG_0001.HEIC")
    resized = api.get(f"/files/{heic['id']}/download", params={"imageSize": "32x32"})
    assert (resized.headers["Content-Type"], _size_of(resized.content)) == ("image/jpeg", (32, 24))
    assert 'filename="IMG_0001.jpg"' in resized.headers["Content-Disposition"]
    pdf = images.pdf(1)
    created = upload(api, pdf)
    same = api.get(f"/files/{created['id']}/download", params={"imageSize": "32x32"})
    assert (same.headers["Content-Type"], same.content) == ("application/pdf", pdf)


def test_resizing_applies_the_exif_orientation(api: TestClient) -> None:
    # Orientation 6: the camera was turned; the picture shows upright 300 wide and 400 high.
    created = upload(api, images.jpeg(400, 300, exif=True, orientation=6))
    resized = api.get(f"/files/{created['id']}/download", params={"imageSize": "150x200"})
    assert _size_of(resized.content) == (150, 200)


def test_permalink_serves_a_public_file_without_credentials(api: TestClient, app: FastAPI) -> None:
    data = images.png(40, 30)
    created = upload(api, data, isPublic=True, name="logo.png")
    permalink = next(link["href"] for link in created["_links"] if link["rel"] == "permalink")
    anonymous = TestClient(app, base_url="http://openkyc.test")
    response = anonymous.get(permalink)
    assert response.status_code == 200
    assert (response.content, response.headers["Content-Type"]) == (data, "image/png")
    smaller = anonymous.get(permalink + "&imageSize=20x20")
    assert _size_of(smaller.content) == (20, 15)
    assert anonymous.get(f"/files/{created['id']}/download").status_code == 401

    query = parse_qs(urlsplit(permalink).query)
    organization_id = query["organizationId"][0]
    forged = {"organizationId": organization_id, "signature": "0" * 64}
    assert anonymous.get(f"/files/{created['id']}/permalink", params=forged).status_code == 404
    private = upload(api, images.png())
    borrowed = {"organizationId": organization_id, "signature": query["signature"][0]}
    assert anonymous.get(f"/files/{private['id']}/permalink", params=borrowed).status_code == 404


def test_permalink_stops_working_when_the_file_is_made_private(api: TestClient) -> None:
    created = upload(api, images.png(), isPublic=True)
    permalink = next(link["href"] for link in created["_links"] if link["rel"] == "permalink")
    assert api.get(permalink).status_code == 200
    updated = api.put(f"/files/{created['id']}", json={"isPublic": False}).json()
    assert [link["rel"] for link in updated["_links"]] == ["self", "download"]
    assert api.get(permalink).status_code == 404
