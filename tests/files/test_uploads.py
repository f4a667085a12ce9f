"""POST /files in its four forms, and what is recorded about the bytes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.storage import Storage
from tests.conftest import STORAGES
from tests.files.helpers import (
    assert_nothing_left,
    b64,
    invalid_fields,
    sha1,
    stored_objects,
    upload,
)
from tests.fixtures import images
from tests.fixtures.tenants import Tenant

# Every test here runs on local disk and on S3 (SeaweedFS).
pytestmark = STORAGES


def _without_times(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("id", "createdTime", "updatedTime")}


def test_base64_json_upload_records_the_bytes(
    api: TestClient, tenant: Tenant, storage: Storage
) -> None:
    data = images.jpeg(64, 48)
    response = api.post(
        "/files",
        json={
            "file": b64(data),
            "name": "passport.jpg",
            "description": "Front of the passport",
            "tags": ["kyc", "id-front", "kyc", ""],
            "sourceType": "camera",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    file_id = body["id"]
    assert file_id.startswith("file_") and len(file_id) == 31
    assert response.headers["Location"] == f"http://openkyc.test/files/{file_id}"
    assert _without_times(body) == {
        "name": "passport.jpg",
        "extension": "jpg",
        "description": "Front of the passport",
        "sourceType": "camera",
        "tags": ["kyc", "id-front"],
        "mime": "image/jpeg",
        "size": len(data),
        "width": 64,
        "height": 48,
        "sha1": sha1(data),
        "exifData": None,
        "isPublic": False,
        "revision": 0,
        "_links": [
            {"rel": "self", "href": f"http://openkyc.test/files/{file_id}"},
            {"rel": "download", "href": f"http://openkyc.test/files/{file_id}/download"},
        ],
    }
    assert body["createdTime"] == body["updatedTime"]
    assert stored_objects(storage) == [f"{tenant.organization_id}/{file_id}"]
    assert storage.get(f"{tenant.organization_id}/{file_id}") == data
    assert api.get(f"/files/{file_id}").json() == body


def test_data_url_and_unpadded_urlsafe_base64_are_accepted(api: TestClient) -> None:
    data = images.png(40, 30)
    data_url = upload(api, b"", file=f"data:image/png;base64,{b64(data)}")
    assert (data_url["mime"], data_url["size"], data_url["sha1"]) == (
        "image/png",
        len(data),
        sha1(data),
    )
    wrapped = "\n".join(b64(data)[i : i + 76] for i in range(0, len(b64(data)), 76))
    assert upload(api, b"", file=wrapped)["sha1"] == sha1(data)
    urlsafe = b64(data).replace("+", "-").replace("/", "_").rstrip("=")
    assert upload(api, b"", file=urlsafe)["sha1"] == sha1(data)


def test_multipart_upload_takes_the_fields_and_the_part_name(api: TestClient) -> None:
    data = images.png(40, 30)
    response = api.post(
        "/files",
        files={"file": ("selfie.png", data, "application/octet-stream")},
        data={
            "description": "Selfie",
            "tags": ["kyc", "face-proof"],
            "sourceType": "upload",
            "isPublic": "true",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["description"], body["tags"]) == (
        "selfie.png",
        "Selfie",
        ["kyc", "face-proof"],
    )
    assert (body["mime"], body["extension"], body["width"], body["height"]) == (
        "image/png",
        "png",
        40,
        30,
    )
    assert (body["sourceType"], body["isPublic"], body["size"]) == ("upload", True, len(data))
    assert [link["rel"] for link in body["_links"]] == ["self", "download", "permalink"]


def test_multipart_name_field_wins_over_the_part_name_and_tags_brackets_work(
    api: TestClient,
) -> None:
    response = api.post(
        "/files",
        files={"file": ("blob", images.gif(), "image/gif")},
        data={"name": "licence.gif", "tags[]": ["kyc", "id-back"]},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["name"], response.json()["tags"]) == ("licence.gif", ["kyc", "id-back"])


@pytest.mark.parametrize("content_type", ["image/jpeg", "application/octet-stream", "text/plain"])
def test_raw_body_upload_takes_its_type_from_the_bytes(api: TestClient, content_type: str) -> None:
    data = images.jpeg(30, 20)
    response = api.post("/files", content=data, headers={"Content-Type": content_type})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["mime"], body["extension"], body["size"], body["sha1"]) == (
        "image/jpeg",
        "jpg",
        len(data),
        sha1(data),
    )
    assert (body["name"], body["tags"], body["width"], body["height"]) == ("", [], 30, 20)


def test_a_png_name_on_jpeg_bytes_is_stored_as_jpeg(api: TestClient) -> None:
    body = upload(api, images.jpeg(), name="scan.png")
    assert (body["name"], body["extension"], body["mime"]) == ("scan.png", "jpg", "image/jpeg")


@pytest.mark.parametrize(
    ("make", "mime", "extension", "size"),
    [
        (images.gif, "image/gif", "gif", (20, 10)),
        (images.webp, "image/webp", "webp", (30, 20)),
        (images.heic, "image/heic", "heic", (32, 24)),
    ],
)
def test_phone_and_web_formats_are_recognised(
    api: TestClient, make: Any, mime: str, extension: str, size: tuple[int, int]
) -> None:
    data = make()
    body = upload(api, data, name="photo.bin")
    assert (body["mime"], body["extension"], body["size"]) == (mime, extension, len(data))
    assert (body["width"], body["height"]) == size


def test_pdf_records_its_page_count_and_no_dimensions(api: TestClient) -> None:
    data = images.pdf(pages=3)
    body = upload(api, data, name="statement.pdf")
    assert (body["mime"], body["extension"], body["size"]) == ("application/pdf", "pdf", len(data))
    assert (body["width"], body["height"], body["exifData"]) == (None, None, {"PageCount": 3})


def test_exif_is_recorded_with_readable_names_and_without_binary_tags(api: TestClient) -> None:
    body = upload(api, images.jpeg(exif=True, orientation=6))
    assert body["exifData"] == {
        "Make": "Openkyc Optics",
        "Model": "Test Phone 1",
        "Orientation": 6,
        "XResolution": 72.0,
        "DateTimeOriginal": "2024:05:17 10:30:00",
    }


def test_publishable_key_uploads_private_files_only(
    api: TestClient, client: TestClient, storage: Storage
) -> None:
    created = api.post("/api-keys", json={"description": "Gatherer", "type": "publishable"})
    publishable = {"REB-APIKEY": created.json()["secretKey"]}
    refused = client.post(
        "/files", json={"file": b64(images.png()), "isPublic": True}, headers=publishable
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "A publishable key can only create private files"
    assert stored_objects(storage) == []
    accepted = client.post("/files", json={"file": b64(images.png())}, headers=publishable)
    assert accepted.status_code == 201
    assert client.get("/files", headers=publishable).status_code == 403


def test_upload_without_credentials_is_refused_before_the_body_is_read(
    client: TestClient, storage: Storage
) -> None:
    response = client.post("/files", content=images.png(), headers={"Content-Type": "image/png"})
    assert response.status_code == 401
    assert stored_objects(storage) == []


def test_upload_under_the_organization_prefix_and_trailing_slash(
    api: TestClient, tenant: Tenant
) -> None:
    path = f"/organizations/{tenant.organization_id}/files/"
    response = api.post(path, json={"file": b64(images.png())})
    assert response.status_code == 201
    expected = f"http://openkyc.test/organizations/{tenant.organization_id}/files/"
    assert response.headers["Location"] == expected + response.json()["id"]


REFUSED_FILES = {
    "zip": (images.zip_archive, "the file type is not accepted"),
    "exe": (images.windows_executable, "the file type is not accepted"),
    "svg": (images.svg, "the file type is not accepted"),
    "tiff": (images.tiff, "the file type is not accepted"),
    "text": (lambda: b"name,dob\nAda,1815-12-10\n", "the file type is not accepted"),
    "truncated jpeg": (
        lambda: images.truncated(images.jpeg(200, 200)),
        "the image cannot be decoded: it is truncated or damaged",
    ),
    "truncated heic": (
        lambda: images.truncated(images.heic(200, 100)),
        "the image cannot be decoded: it is truncated or damaged",
    ),
    "png with a bad checksum": (
        images.png_with_bad_checksum,
        "the image cannot be decoded: it is truncated or damaged",
    ),
    "png bomb": (
        images.png_bomb,
        "the image claims more than 60000000 pixels (a decompression bomb)",
    ),
    "broken pdf": (images.broken_pdf, "the PDF cannot be read: it is damaged or not a PDF"),
}


@pytest.mark.parametrize("kind", list(REFUSED_FILES))
def test_refused_files_leave_nothing_behind(api: TestClient, storage: Storage, kind: str) -> None:
    make, reason = REFUSED_FILES[kind]
    response = api.post("/files", json={"file": b64(make()), "name": "document.jpg"})
    assert response.status_code == 422, response.text
    assert invalid_fields(response)["file"].startswith(reason)
    assert_nothing_left(api, storage)


def test_refused_raw_body_names_the_file_too(api: TestClient, storage: Storage) -> None:
    response = api.post(
        "/files", content=images.zip_archive(), headers={"Content-Type": "application/zip"}
    )
    assert response.status_code == 422
    assert invalid_fields(response) == {
        "file": "the file type is not accepted: send JPEG, PNG, GIF, WebP, HEIC/HEIF or PDF"
    }
    assert_nothing_left(api, storage)


@pytest.mark.parametrize(
    ("request_kwargs", "status", "fields"),
    [
        ({"json": {"file": "not base64!"}}, 422, {"file": "is not valid base64"}),
        ({"json": {"file": ""}}, 422, {"file": "String should have at least 1 character"}),
        ({"json": {"name": "passport.jpg"}}, 422, {"file": "Field required"}),
        ({"json": ["file"]}, 422, {"body": "send a JSON object with `file` (base64) or `url`"}),
        (
            {"json": {"file": b64(images.png()), "url": "https://example.com/a.png"}},
            422,
            {"url": "send either `file` or `url`, not both"},
        ),
        (
            {"json": {"file": b64(images.png()), "tags": "kyc"}},
            422,
            {"tags": "Input should be a valid list"},
        ),
        ({"json": {"file": b64(images.png()), "sourceType": "scanner"}}, 422, {"sourceType": None}),
        ({"json": {"file": b64(images.png()), "name": "n" * 256}}, 422, {"name": None}),
        (
            {"files": {"document": ("a.png", images.png(), "image/png")}},
            422,
            {"file": "send the file in a form part named `file`"},
        ),
        ({"content": b"", "headers": {"Content-Type": "image/png"}}, 422, {"file": None}),
    ],
    ids=[
        "bad base64",
        "empty",
        "missing file",
        "array",
        "file and url",
        "tags not a list",
        "unknown sourceType",
        "long name",
        "multipart without file",
        "empty raw body",
    ],
)
def test_malformed_uploads_are_problems_naming_the_field(
    api: TestClient,
    storage: Storage,
    request_kwargs: dict[str, Any],
    status: int,
    fields: dict[str, str | None],
) -> None:
    response = api.post("/files", **request_kwargs)
    assert response.status_code == status, response.text
    found = invalid_fields(response)
    assert set(found) == set(fields)
    for name, message in fields.items():
        if message is not None:
            assert found[name] == message
    assert_nothing_left(api, storage)


def test_malformed_json_and_multipart_are_bad_requests(api: TestClient) -> None:
    broken_json = api.post(
        "/files", content=b'{"file": ', headers={"Content-Type": "application/json"}
    )
    assert (broken_json.status_code, broken_json.json()["detail"]) == (
        400,
        "The body is not valid JSON",
    )
    no_boundary = api.post(
        "/files", content=b"--x--", headers={"Content-Type": "multipart/form-data"}
    )
    assert no_boundary.status_code == 400
    assert no_boundary.json()["detail"].startswith("The multipart body cannot be read")


def test_upload_body_may_exceed_the_apps_default_limit(api: TestClient) -> None:
    data = images.noisy_png(700, 700)
    assert len(b64(data)) > 1024 * 1024
    body = upload(api, data)
    assert (body["size"], body["width"], body["height"]) == (len(data), 700, 700)
