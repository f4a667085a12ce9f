"""Every decode and render has a pixel budget, checked from the file's header or the PDF
page's size before any pixel exists: at upload (a 422 naming the field, nothing stored) and in
the analyser (a page rendered no larger than the analyser uses, or a clear reason)."""

from __future__ import annotations

import io
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from openkyc.analysis import InputFile, UnreadableFile, imaging
from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.files.content import DecodeBudget
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.files.helpers import b64, file_count, invalid_fields, settings_with, stored_objects
from tests.fixtures import images, kyc
from tests.fixtures.storefront import bearer, customer_token
from tests.fixtures.tenants import Tenant, make_tenant
from tests.security.pdfs import blank_pdf

# (width, height) in points: every one renders past 60 million pixels at 150 dpi.
HUGE_PAGES = [(10000, 10000), (14400, 14400), (14400, 1200), (3000, 14400)]
A4 = (595, 842)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` and whose pixels are missing."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return len(payload).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


SMALL_IMAGES: dict[str, Callable[[int, int], bytes]] = {
    "jpeg": lambda w, h: images.jpeg(w, h),
    "png": lambda w, h: images.png(w, h),
    "gif": lambda w, h: images.gif(w, h),
    "webp": lambda w, h: images.webp(w, h),
    "heic": lambda w, h: images.heic(w, h),
}


def _post(api: TestClient, data: bytes, **headers: str) -> Any:
    body = {"file": b64(data), "name": "upload.pdf", "tags": ["kyc", "id-front"]}
    return api.post("/files", json=body, headers=headers)


@pytest.mark.parametrize(("width", "height"), HUGE_PAGES)
def test_a_pdf_whose_page_renders_past_the_pixel_limit_is_refused_at_upload(
    api: TestClient, storage: LocalStorage, width: int, height: int
) -> None:
    data = blank_pdf(width, height)
    assert len(data) < 400
    response = _post(api, data)
    assert response.status_code == 422, response.text
    message = invalid_fields(response)["file"]
    assert f"{width}x{height} points" in message and "60000000 pixels" in message
    assert file_count(api) == 0 and stored_objects(storage) == []


def test_the_huge_page_may_be_any_page_of_the_pdf(api: TestClient) -> None:
    data = blank_pdf(10000, 10000, pages=3)
    response = _post(api, data)
    assert response.status_code == 422
    assert invalid_fields(response)["file"].startswith("page 1 of the PDF")


@pytest.mark.parametrize(("width", "height"), [A4, (612, 792), (2384, 3370)])
def test_pdfs_of_real_paper_sizes_are_accepted(api: TestClient, width: int, height: int) -> None:
    response = _post(api, blank_pdf(width, height))
    assert response.status_code == 201, response.text
    assert response.json()["mime"] == "application/pdf"


def test_the_end_customer_cannot_upload_a_huge_pdf_either(
    api: TestClient, client: TestClient
) -> None:
    request = kyc.kyc_request(api, kyc.customer(api), "identity-proof")
    token = customer_token(api, request)
    body = {"file": b64(blank_pdf(10000, 10000)), "name": "bill.pdf", "tags": ["kyc"]}
    response = client.post("/files", json=body, headers=bearer(token))
    assert response.status_code == 422, response.text
    assert "points" in invalid_fields(response)["file"]


@pytest.fixture
def small_limit_api(
    tmp_path: Path, database: Database, storage: LocalStorage, tenant: Tenant
) -> Iterator[TestClient]:
    app: FastAPI = create_app(settings_with(tmp_path, max_image_pixels=10_000), database, storage)
    with TestClient(
        app, base_url="http://openkyc.test", raise_server_exceptions=False, headers=tenant.headers
    ) as api:
        yield api


@pytest.mark.parametrize("kind", sorted(SMALL_IMAGES))
def test_every_image_type_is_held_to_the_configured_pixel_limit(
    small_limit_api: TestClient, storage: LocalStorage, kind: str
) -> None:
    over = _post(small_limit_api, SMALL_IMAGES[kind](150, 100))
    assert over.status_code == 422, over.text
    assert invalid_fields(over)["file"] == (
        "the image is 150x100 pixels, more than the limit of 10000"
    )
    assert file_count(small_limit_api) == 0 and stored_objects(storage) == []
    under = _post(small_limit_api, SMALL_IMAGES[kind](100, 100))
    assert under.status_code == 201, under.text


def test_a_pdf_page_is_held_to_the_configured_pixel_limit(small_limit_api: TestClient) -> None:
    # 100 x 100 points are 208 x 208 pixels at 150 dpi: more than 10000.
    response = _post(small_limit_api, blank_pdf(100, 100))
    assert response.status_code == 422
    assert "more than the limit of 10000 pixels" in invalid_fields(response)["file"]
    assert _post(small_limit_api, blank_pdf(40, 40)).status_code == 201


def test_the_size_is_judged_from_the_header_before_decoding(api: TestClient) -> None:
    # The header claims 9000 x 9000 (81 million pixels); there are no pixels to decode.
    response = _post(api, _png_header_only(9000, 9000))
    assert response.status_code == 422
    assert invalid_fields(response)["file"] == (
        "the image is 9000x9000 pixels, more than the limit of 60000000"
    )


# The analyser, on bytes that never went through an upload (stored before a limit changed,
# or given to `openkyc analyze`).


@pytest.mark.parametrize(("width", "height"), [*HUGE_PAGES, (3000, 3000)])
def test_the_analyser_renders_a_huge_pdf_page_no_larger_than_it_works_on(
    width: int, height: int
) -> None:
    page = imaging.load_page(InputFile(blank_pdf(width, height), "id-front"), 0)
    rendered_height, rendered_width = page.image.shape[:2]
    assert max(rendered_width, rendered_height) <= imaging.MAX_SIDE
    assert rendered_width * rendered_height <= imaging.MAX_SIDE**2
    assert abs(rendered_width / rendered_height - width / height) < 0.05


def test_the_analyser_renders_paper_sizes_at_its_full_resolution() -> None:
    page = imaging.load_page(InputFile(blank_pdf(*A4), "id-front"), 0)
    assert page.image.shape[:2] == (1755, 1240)  # 842 x 595 points at 150 dpi


@pytest.mark.parametrize(("width", "height"), [(9000, 9000), (60001, 1000), (1, 60_000_001)])
def test_the_analyser_refuses_an_image_past_its_limit_from_the_header(
    width: int, height: int
) -> None:
    with pytest.raises(UnreadableFile, match=f"{width}x{height} pixels, more than the limit"):
        imaging.load_page(InputFile(_png_header_only(width, height), "id-front"), 2)


@pytest.mark.parametrize("kind", sorted(SMALL_IMAGES))
def test_the_analysers_limit_holds_for_every_image_type(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imaging, "MAX_PIXELS", 10_000)
    with pytest.raises(UnreadableFile, match="150x100 pixels, more than the limit of 10000"):
        imaging.load_page(InputFile(SMALL_IMAGES[kind](150, 100), "id-front"), 0)
    assert imaging.load_page(InputFile(SMALL_IMAGES[kind](100, 100), "id-front"), 0).image.size


# Decoding at upload shares one memory budget per process.


def test_concurrent_decodes_never_hold_more_than_the_budget() -> None:
    budget = DecodeBudget(capacity=100)
    peak, lock, start = [0], threading.Lock(), threading.Barrier(8)

    def decode(amount: int) -> None:
        start.wait()
        with budget.reserve(amount):
            with lock:
                peak[0] = max(peak[0], budget.in_use)
            threading.Event().wait(0.02)

    threads = [threading.Thread(target=decode, args=(a,)) for a in (60, 60, 40, 40, 30, 30, 500, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert peak[0] <= 100 and budget.in_use == 0


def test_eight_concurrent_large_uploads_all_succeed_within_a_small_budget(
    tmp_path: Path, engines: dict[str, Engine], backend: str, storage: LocalStorage
) -> None:
    # Concurrent requests need connections of their own: these writes are committed.
    database = Database.from_engine(engines[backend])
    tenant = make_tenant(database, f"Budget {uuid.uuid4().hex[:6]}")
    settings: Settings = settings_with(tmp_path, upload_decode_memory_mb=16)
    app = create_app(settings, database, storage)
    picture = io.BytesIO()
    Image.effect_noise((1500, 1500), 64).convert("RGB").save(picture, "PNG")
    data, results = picture.getvalue(), []
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as api:
        threads = [
            threading.Thread(target=lambda: results.append(_post(api, data).status_code))
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert results == [201] * 8
