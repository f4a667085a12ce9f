"""Reading, listing, updating and deleting file records."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from openkyc.storage import Storage
from tests.conftest import STORAGES
from tests.files.helpers import b64, file_count, invalid_fields, stored_objects, upload
from tests.fixtures import images, kyc
from tests.fixtures.tenants import Tenant

# Every test here runs on local disk and on S3 (SeaweedFS).
pytestmark = STORAGES


@pytest.fixture
def three_files(api: TestClient) -> list[dict[str, object]]:
    """A passport front (JPEG), a selfie (PNG, public) and a bank statement (PDF)."""
    front = upload(api, images.jpeg(64, 48), name="Front.jpg", tags=["kyc", "id-front"])
    selfie = upload(
        api, images.png(40, 30), name="selfie.png", tags=["kyc", "face-proof"], isPublic=True
    )
    statement = upload(
        api, images.pdf(1), name="statement.pdf", description="March", sourceType="upload"
    )
    return [front, selfie, statement]


def _ids(response: object) -> list[str]:
    return [item["id"] for item in response.json()]  # type: ignore[attr-defined]


def test_list_is_newest_first_with_pagination_headers(
    api: TestClient, three_files: list[dict[str, object]]
) -> None:
    front, selfie, statement = (f["id"] for f in three_files)
    response = api.get("/files", params={"limit": 2})
    assert response.status_code == 200
    assert _ids(response) == [statement, selfie]
    assert (
        response.headers["Pagination-Total"],
        response.headers["Pagination-Limit"],
        response.headers["Pagination-Offset"],
    ) == ("3", "2", "0")
    assert _ids(api.get("/files", params={"limit": 2, "offset": 2})) == [front]


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("tags:kyc", [1, 0]),
        ("tags:face-proof", [1]),
        ("tags:kyc;tags:id-front", [0]),
        ("tags:!id-front", [2, 1]),
        ("tags:null", [2]),
        ("mime:image/jpeg,application/pdf", [2, 0]),
        ("extension:png", [1]),
        ("isPublic:true", [1]),
        ("sourceType:upload", [2]),
        ("name:front.jpg", [0]),
        ("description:march", [2]),
        ("size:..500", [1]),
    ],
)
def test_filters(
    api: TestClient, three_files: list[dict[str, object]], filter_: str, expected: list[int]
) -> None:
    response = api.get("/files", params={"filter": filter_})
    assert response.status_code == 200, response.text
    assert _ids(response) == [three_files[i]["id"] for i in expected]


def test_filters_by_size_range_sha1_id_and_time(
    api: TestClient, three_files: list[dict[str, object]]
) -> None:
    front, selfie, statement = three_files
    sizes = sorted(int(f["size"]) for f in three_files)  # type: ignore[call-overload]
    middle = api.get("/files", params={"filter": f"size:{sizes[1]}..{sizes[1]}"})
    assert [f["size"] for f in middle.json()] == [sizes[1]]
    by_sha1 = api.get("/files", params={"filter": f"sha1:{selfie['sha1']}"})
    assert _ids(by_sha1) == [selfie["id"]]
    by_id = api.get("/files", params={"filter": f"id:{front['id']},{statement['id']}"})
    assert _ids(by_id) == [statement["id"], front["id"]]
    since = api.get("/files", params={"filter": f"createdTime:{front['createdTime']}.."})
    assert len(_ids(since)) == 3
    assert _ids(api.get("/files", params={"filter": "updatedTime:..2000-01-01T00:00:00Z"})) == []


def test_sort_search_and_fields(api: TestClient, three_files: list[dict[str, object]]) -> None:
    front, selfie, statement = (f["id"] for f in three_files)
    assert _ids(api.get("/files", params={"sort": "name"})) == [front, selfie, statement]
    by_size = api.get("/files", params={"sort": "-size"}).json()
    assert [f["size"] for f in by_size] == sorted((f["size"] for f in by_size), reverse=True)
    assert _ids(api.get("/files", params={"q": "STATE"})) == [statement]
    trimmed = api.get("/files", params={"fields": "name,mime", "sort": "createdTime"}).json()
    assert trimmed[0] == {"id": front, "name": "Front.jpg", "mime": "image/jpeg"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filter": "size:big"}, "filter"),
        ({"filter": "name:a..b"}, "filter"),
        ({"filter": "owner:me"}, "filter"),
        ({"sort": "tags"}, "sort"),
    ],
)
def test_bad_filters_and_sorts_are_problems(
    api: TestClient, params: dict[str, str], field: str
) -> None:
    response = api.get("/files", params=params)
    assert response.status_code == 422
    assert list(invalid_fields(response)) == [field]


def test_put_changes_what_was_sent_and_bumps_the_revision(
    api: TestClient, clock: FrozenClock
) -> None:
    created = upload(api, images.png(), name="a.png", description="first", tags=["kyc"])
    clock.advance(seconds=1)  # updatedTime has a resolution of one second
    response = api.put(
        f"/files/{created['id']}",
        json={"tags": ["kyc", "id-back"], "description": "second", "mime": "text/plain", "size": 1},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["name"], updated["description"], updated["tags"]) == (
        "a.png",
        "second",
        ["kyc", "id-back"],
    )
    assert (updated["mime"], updated["size"], updated["revision"]) == (
        "image/png",
        created["size"],
        1,
    )
    assert updated["createdTime"] == created["createdTime"]
    assert updated["updatedTime"] > created["updatedTime"]
    again = api.put(f"/files/{created['id']}", json={"tags": ["kyc", "id-back"]}).json()
    assert (again["revision"], again["updatedTime"]) == (1, updated["updatedTime"])
    reordered = api.put(f"/files/{created['id']}", json={"tags": ["id-back", "kyc", "new"]}).json()
    assert (reordered["tags"], reordered["revision"]) == (["id-back", "kyc", "new"], 2)
    assert api.get(f"/files/{created['id']}").json() == reordered


def test_put_with_the_sdk_upload_and_update_body(api: TestClient) -> None:
    """rebilly-js-sdk's `files.uploadAndUpdate` sends this after its upload."""
    created = upload(api, images.jpeg(), name="id.jpg")
    response = api.put(
        f"/files/{created['id']}",
        json={"description": "", "tags": [""], "url": ""},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["description"], body["tags"], body["revision"]) == (
        "id.jpg",
        "",
        [],
        0,
    )


def test_put_null_resets_and_public_flag_adds_a_permalink(api: TestClient) -> None:
    created = upload(api, images.jpeg(), name="id.jpg", sourceType="camera", tags=["kyc"])
    body = api.put(
        f"/files/{created['id']}",
        json={"name": None, "sourceType": None, "tags": None, "isPublic": True},
    ).json()
    assert (body["name"], body["sourceType"], body["tags"], body["isPublic"]) == (
        "",
        None,
        [],
        True,
    )
    assert [link["rel"] for link in body["_links"]] == ["self", "download", "permalink"]


def test_put_validates_and_needs_an_existing_file(api: TestClient) -> None:
    created = upload(api, images.jpeg())
    bad = api.put(f"/files/{created['id']}", json={"sourceType": "fax", "tags": ["x" * 101]})
    assert bad.status_code == 422
    assert set(invalid_fields(bad)) == {"sourceType", "tags.0"}
    assert api.get(f"/files/{created['id']}").json()["revision"] == 0
    missing = api.put("/files/file_missing", json={"name": "x"})
    assert missing.status_code == 404


def test_put_keeps_the_apps_default_body_limit(api: TestClient) -> None:
    created = upload(api, images.jpeg())
    response = api.put(f"/files/{created['id']}", json={"description": "x" * (1024 * 1024)})
    assert response.status_code == 413


def test_delete_removes_the_record_then_the_bytes(
    api: TestClient, tenant: Tenant, storage: Storage
) -> None:
    kept = upload(api, images.png())
    gone = upload(api, images.jpeg())
    assert len(stored_objects(storage)) == 2
    response = api.delete(f"/files/{gone['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert "X-RateLimit-Remaining" in response.headers
    assert api.get(f"/files/{gone['id']}").status_code == 404
    assert api.get(f"/files/{gone['id']}/download").status_code == 404
    assert api.delete(f"/files/{gone['id']}").status_code == 404
    assert stored_objects(storage) == [f"{tenant.organization_id}/{kept['id']}"]
    assert file_count(api) == 1


def test_a_file_that_is_a_kyc_documents_evidence_cannot_be_deleted(
    api: TestClient, storage: Storage
) -> None:
    customer_id = kyc.customer(api)
    document = kyc.document(api, customer_id, "address-proof")
    [evidence] = document["fileIds"]
    spare = kyc.upload(api, ["kyc"], seed=9)
    before = stored_objects(storage)
    response = api.delete(f"/files/{evidence}")
    assert response.status_code == 422
    assert invalid_fields(response) == {
        "id": f"the file is evidence of the KYC document {document['id']} and cannot be deleted"
    }
    # A decided document keeps its evidence too.
    kyc.reject(api, document["id"])
    assert api.delete(f"/files/{evidence}").status_code == 422
    assert api.get(f"/files/{evidence}/download").status_code == 200
    assert stored_objects(storage) == before
    # A file no document names goes as before; an id that only looks alike is not a match.
    assert api.delete(f"/files/{spare}").status_code == 204
    lookalike = evidence[:-1] + ("_" if evidence[-1] != "_" else "x")
    assert api.delete(f"/files/{lookalike}").status_code == 404


def test_another_tenants_file_is_not_found_everywhere(
    api: TestClient, client: TestClient, other_tenant: Tenant, storage: Storage
) -> None:
    theirs = client.post(
        "/files", json={"file": b64(images.png())}, headers=other_tenant.headers
    ).json()["id"]
    mine = api.get  # authenticated as `tenant`
    assert mine(f"/files/{theirs}").status_code == 404
    assert mine(f"/files/{theirs}/download").status_code == 404
    assert api.put(f"/files/{theirs}", json={"name": "stolen"}).status_code == 404
    assert api.delete(f"/files/{theirs}").status_code == 404
    assert mine("/files", params={"filter": f"id:{theirs}"}).json() == []
    assert file_count(api) == 0
    intact = client.get(f"/files/{theirs}", headers=other_tenant.headers).json()
    assert (intact["name"], intact["revision"]) == ("", 0)
    assert len(stored_objects(storage)) == 1


def test_offsets_beyond_the_contracts_range_are_a_problem_not_a_crash(api: TestClient) -> None:
    largest = api.get("/files", params={"offset": 1000})
    assert (largest.status_code, largest.json()) == (200, [])
    for offset in (1001, 2**63):
        too_large = api.get("/files", params={"offset": offset})
        assert too_large.status_code == 422
        assert list(invalid_fields(too_large)) == ["offset"]
