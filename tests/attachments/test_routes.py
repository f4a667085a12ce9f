"""Attachments through the real app on both databases: files linked to customers or to the
organization, found by what they link, and gone with their file."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkyc.clock import FrozenClock
from tests.files.helpers import b64, invalid_fields, upload
from tests.fixtures import images
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import Tenant
from tests.web.test_conventions import assert_problem


def _customer(api: TestClient, **overrides: Any) -> str:
    response = api.post("/customers", json=customer_body(**overrides))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _attach(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post("/attachments", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _total(api: TestClient) -> int:
    response = api.get("/attachments")
    assert response.status_code == 200
    return int(response.headers["Pagination-Total"])


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


@pytest.fixture
def customer_id(api: TestClient) -> str:
    return _customer(api)


@pytest.fixture
def file_id(api: TestClient) -> str:
    return str(upload(api, images.jpeg(), name="passport.jpg")["id"])


def test_attach_a_file_to_a_customer_and_read_it_back(
    api: TestClient, customer_id: str, file_id: str
) -> None:
    body = {"fileId": file_id, "relatedType": "customer", "relatedId": customer_id}
    response = api.post("/attachments", json=body)
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment["id"].startswith("att_") and len(attachment["id"]) == 30
    assert response.headers["Location"] == f"http://openkyc.test/attachments/{attachment['id']}"
    assert "X-RateLimit-Remaining" in response.headers
    assert {k: attachment[k] for k in ("fileId", "relatedType", "relatedId")} == body
    # Without a name of its own an attachment is called what its file is.
    assert (attachment["name"], attachment["description"], attachment["revision"]) == (
        "passport.jpg",
        "",
        0,
    )
    assert attachment["createdTime"].endswith("Z")
    assert attachment["updatedTime"] == attachment["createdTime"]
    assert attachment["_links"] == [
        {"rel": "self", "href": f"http://openkyc.test/attachments/{attachment['id']}"},
        {"rel": "file", "href": f"http://openkyc.test/files/{file_id}"},
    ]
    assert "_embedded" not in attachment
    assert api.get(f"/attachments/{attachment['id']}").json() == attachment


def test_attach_a_file_to_the_organization(api: TestClient, tenant: Tenant, file_id: str) -> None:
    attachment = _attach(
        api,
        fileId=file_id,
        relatedType="organization",
        relatedId=tenant.organization_id,
        name="Licence",
        description="Our licence",
    )
    assert (attachment["relatedId"], attachment["name"], attachment["description"]) == (
        tenant.organization_id,
        "Licence",
        "Our licence",
    )


def test_served_at_the_root_and_under_the_organization(
    api: TestClient, tenant: Tenant, customer_id: str, file_id: str
) -> None:
    prefix = f"/organizations/{tenant.organization_id}"
    created = api.post(
        f"{prefix}/attachments/",
        json={"fileId": file_id, "relatedType": "customer", "relatedId": customer_id},
    )
    assert created.status_code == 201, created.text
    attachment_id = created.json()["id"]
    assert created.headers["Location"] == (
        f"http://openkyc.test{prefix}/attachments/{attachment_id}"
    )
    assert created.json()["_links"][1] == {
        "rel": "file",
        "href": f"http://openkyc.test{prefix}/files/{file_id}",
    }
    assert api.get(f"/attachments/{attachment_id}/").json()["id"] == attachment_id
    assert _ids(api.get(f"{prefix}/attachments/")) == [attachment_id]
    put = api.put(f"{prefix}/attachments/{attachment_id}/", json={**created.json(), "name": "x"})
    assert (put.status_code, put.json()["name"]) == (200, "x")
    assert api.delete(f"{prefix}/attachments/{attachment_id}/").status_code == 204
    assert _total(api) == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"fileId", "relatedType", "relatedId"}),
        ({"fileId": "file_missing"}, {"fileId"}),
        ({"relatedId": "cus_missing"}, {"relatedId"}),
        ({"fileId": "file_missing", "relatedId": "cus_missing"}, {"fileId", "relatedId"}),
        ({"relatedType": "organization", "relatedId": "org_someone_else"}, {"relatedId"}),
        ({"relatedType": "transaction"}, {"relatedType"}),
        ({"relatedType": "kyc-document"}, {"relatedType"}),
        ({"relatedType": None}, {"relatedType"}),
        ({"fileId": 42}, {"fileId"}),
        ({"fileId": "x" * 51}, {"fileId"}),
        ({"relatedId": "a b"}, {"relatedId"}),
        ({"name": "n" * 256, "description": "d" * 256}, {"name", "description"}),
        ({"name": "a\x00b"}, {"name"}),
    ],
)
def test_invalid_attachments_name_the_field_and_store_nothing(
    api: TestClient, customer_id: str, file_id: str, body: dict[str, Any], fields: set[str]
) -> None:
    valid = {"fileId": file_id, "relatedType": "customer", "relatedId": customer_id}
    sent = {**valid, **body} if body else {}
    for response in (api.post("/attachments", json=sent), api.put("/attachments/a1", json=sent)):
        assert_problem(response, 422)
        assert set(invalid_fields(response)) == fields
    assert _total(api) == 0
    assert api.get("/attachments/a1").status_code == 404


def test_refusals_say_why(api: TestClient, tenant: Tenant, customer_id: str) -> None:
    file_id = upload(api, images.png())["id"]
    base = {"fileId": file_id, "relatedId": customer_id}
    unstored = api.post("/attachments", json={**base, "relatedType": "invoice"})
    assert invalid_fields(unstored) == {
        "relatedType": "Value error, openkyc keeps no invoice records; "
        "attach files to a customer or organization"
    }
    missing = api.post(
        "/attachments",
        json={"fileId": "file_nope", "relatedType": "customer", "relatedId": "cus_nope"},
    )
    assert invalid_fields(missing) == {
        "fileId": "no file file_nope in this organization",
        "relatedId": "no customer cus_nope in this organization",
    }
    elsewhere = api.post("/attachments", json={**base, "relatedType": "organization"})
    assert invalid_fields(elsewhere) == {
        "relatedId": f"must be this organization's own id, not {customer_id}"
    }


@pytest.fixture
def four(api: TestClient, tenant: Tenant, clock: FrozenClock) -> list[dict[str, Any]]:
    """Ada's passport and selfie, Grace's passport, and the organization's licence; made one
    second apart, oldest first."""
    ada, grace = _customer(api), _customer(api, first="Grace", email="grace@example.com")
    passport = upload(api, images.jpeg(), name="passport.jpg")["id"]
    selfie = upload(api, images.png(), name="selfie.png")["id"]
    licence = upload(api, images.pdf(1), name="licence.pdf")["id"]
    bodies = [
        {"fileId": passport, "relatedType": "customer", "relatedId": ada, "name": "Bravo"},
        {"fileId": selfie, "relatedType": "customer", "relatedId": ada, "name": "alpha"},
        {"fileId": passport, "relatedType": "customer", "relatedId": grace, "name": "Delta"},
        {
            "fileId": licence,
            "relatedType": "organization",
            "relatedId": tenant.organization_id,
            "name": "charlie",
            "description": "Gaming licence",
        },
    ]
    made = []
    for index, body in enumerate(bodies):
        if index:
            clock.advance(seconds=1)  # createdTime has a resolution of one second
        made.append(_attach(api, **body))
    return made


def test_list_is_newest_first_with_pagination_headers(
    api: TestClient, four: list[dict[str, Any]]
) -> None:
    response = api.get("/attachments", params={"limit": 3, "offset": 1})
    assert _ids(response) == [four[2]["id"], four[1]["id"], four[0]["id"]]
    assert (
        response.headers["Pagination-Total"],
        response.headers["Pagination-Limit"],
        response.headers["Pagination-Offset"],
    ) == ("4", "3", "1")


def test_filters(api: TestClient, four: list[dict[str, Any]]) -> None:
    ada, grace = four[0]["relatedId"], four[2]["relatedId"]
    passport, selfie = four[0]["fileId"], four[1]["fileId"]

    def found(filter_: str) -> list[str]:
        return _ids(api.get("/attachments", params={"filter": filter_}))

    by_index = {a["id"]: i for i, a in enumerate(four)}
    assert [by_index[i] for i in found(f"relatedId:{ada}")] == [1, 0]
    assert [by_index[i] for i in found(f"relatedId:{ada},{grace}")] == [2, 1, 0]
    assert [by_index[i] for i in found("relatedType:organization")] == [3]
    assert [by_index[i] for i in found(f"relatedType:customer;relatedId:!{ada}")] == [2]
    assert [by_index[i] for i in found(f"fileId:{passport}")] == [2, 0]
    assert [by_index[i] for i in found(f"fileId:{selfie};relatedId:{grace}")] == []
    assert [by_index[i] for i in found("name:BRAVO")] == [0]
    assert [by_index[i] for i in found(f"id:{four[3]['id']}")] == [3]
    since = found(f"createdTime:{four[2]['createdTime']}..")
    assert [by_index[i] for i in since] == [3, 2]
    # Times are shown to the second and stored finer: a shown time stands for its second.
    window = found(f"createdTime:{four[1]['createdTime']}..{four[2]['createdTime']}")
    assert [by_index[i] for i in window] == [2, 1]
    assert [by_index[i] for i in found(f"createdTime:{four[3]['createdTime']}")] == [3]
    assert found("updatedTime:..2000-01-01T00:00:00Z") == []


def test_sort_search_and_fields(api: TestClient, four: list[dict[str, Any]]) -> None:
    by_index = {a["id"]: i for i, a in enumerate(four)}

    def order(**params: str) -> list[int]:
        return [by_index[i] for i in _ids(api.get("/attachments", params=params))]

    assert order(sort="name") == [1, 0, 3, 2]
    assert order(sort="-name") == [2, 3, 0, 1]
    assert order(sort="createdTime") == [0, 1, 2, 3]
    assert order(sort="relatedType,-createdTime") == [2, 1, 0, 3]
    assert order(q="LICENCE") == [3]
    assert order(q="alp") == [1]
    trimmed = api.get("/attachments", params={"fields": "name,relatedId", "sort": "name"})
    assert trimmed.json()[0] == {
        "id": four[1]["id"],
        "name": "alpha",
        "relatedId": four[1]["relatedId"],
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filter": "createdTime:yesterday"}, "filter"),
        ({"filter": "relatedId:a..b"}, "filter"),
        ({"filter": "owner:me"}, "filter"),
        ({"sort": "description"}, "sort"),
        ({"expand": "customer"}, "expand"),
        ({"limit": "1001"}, "limit"),
    ],
)
def test_bad_collection_queries_are_problems(
    api: TestClient, params: dict[str, str], field: str
) -> None:
    response = api.get("/attachments", params=params)
    assert_problem(response, 422)
    assert list(invalid_fields(response)) == [field]


def test_expand_file_embeds_the_files_record(
    api: TestClient, customer_id: str, file_id: str
) -> None:
    file = api.get(f"/files/{file_id}").json()
    body = {"fileId": file_id, "relatedType": "customer", "relatedId": customer_id}
    created = api.post("/attachments", json=body, params={"expand": "file"})
    assert created.status_code == 201, created.text
    assert created.json()["_embedded"] == {"file": file}
    attachment_id = created.json()["id"]
    one = api.get(f"/attachments/{attachment_id}", params={"expand": "file"}).json()
    assert one["_embedded"] == {"file": file}
    listed = api.get("/attachments", params={"expand": "file"}).json()
    assert [a["_embedded"] for a in listed] == [{"file": file}]
    put = api.put(f"/attachments/{attachment_id}", json=body, params={"expand": "file"})
    assert put.json()["_embedded"] == {"file": file}
    problem = assert_problem(api.get(f"/attachments/{attachment_id}", params={"expand": "x"}), 422)
    assert problem["invalidFields"][0]["field"] == "expand"


def test_put_creates_with_the_clients_id_then_replaces(
    api: TestClient, tenant: Tenant, customer_id: str, file_id: str, clock: FrozenClock
) -> None:
    body = {"fileId": file_id, "relatedType": "customer", "relatedId": customer_id}
    created = api.put("/attachments/merchant-7", json=body)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "http://openkyc.test/attachments/merchant-7"
    first = created.json()
    assert (first["id"], first["revision"], first["name"]) == ("merchant-7", 0, "passport.jpg")
    clock.advance(seconds=1)  # updatedTime has a resolution of one second
    other_file = upload(api, images.png(), name="selfie.png")["id"]
    replacement = {
        "fileId": other_file,
        "relatedType": "organization",
        "relatedId": tenant.organization_id,
        "description": "moved",
    }
    replaced = api.put("/attachments/merchant-7", json=replacement)
    assert replaced.status_code == 200, replaced.text
    second = replaced.json()
    assert {k: second[k] for k in replacement} == replacement
    assert (second["name"], second["revision"]) == ("selfie.png", 1)
    assert second["createdTime"] == first["createdTime"]
    assert second["updatedTime"] > first["updatedTime"]
    # The same body again (read-only fields echoed back) changes nothing.
    echoed = {**second, "revision": 99, "createdTime": "2000-01-01T00:00:00Z"}
    again = api.put("/attachments/merchant-7", json=echoed).json()
    assert again == second
    refused = api.put("/attachments/merchant-7", json={**replacement, "fileId": "file_gone"})
    assert list(invalid_fields(refused)) == ["fileId"]
    assert api.get("/attachments/merchant-7").json() == second
    assert _total(api) == 1


def test_an_invalid_id_on_put_names_the_field(
    api: TestClient, customer_id: str, file_id: str
) -> None:
    body = {"fileId": file_id, "relatedType": "customer", "relatedId": customer_id}
    problem = assert_problem(api.put("/attachments/" + "x" * 51, json=body), 422)
    assert problem["invalidFields"][0]["field"] == "id"


def test_detaching_keeps_the_file(api: TestClient, customer_id: str, file_id: str) -> None:
    attachment = _attach(api, fileId=file_id, relatedType="customer", relatedId=customer_id)
    response = api.delete(f"/attachments/{attachment['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert "X-RateLimit-Remaining" in response.headers
    assert_problem(api.get(f"/attachments/{attachment['id']}"), 404)
    assert_problem(api.delete(f"/attachments/{attachment['id']}"), 404)
    assert api.get(f"/files/{file_id}").status_code == 200
    assert api.get(f"/files/{file_id}/download").content == images.jpeg()
    assert _total(api) == 0


def test_deleting_a_file_deletes_its_attachments(
    api: TestClient, four: list[dict[str, Any]]
) -> None:
    passport = four[0]["fileId"]
    assert api.delete(f"/files/{passport}").status_code == 204
    assert _ids(api.get("/attachments", params={"sort": "createdTime"})) == [
        four[1]["id"],
        four[3]["id"],
    ]
    assert_problem(api.get(f"/attachments/{four[0]['id']}"), 404)


def test_another_organizations_attachments_files_and_customers_are_out_of_reach(
    api: TestClient, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = other_tenant.headers
    their_file = client.post("/files", json={"file": b64(images.png())}, headers=theirs).json()
    their_customer = client.post("/customers", json=customer_body(), headers=theirs).json()
    body = {
        "fileId": their_file["id"],
        "relatedType": "customer",
        "relatedId": their_customer["id"],
    }
    their_attachment = client.post("/attachments", json=body, headers=theirs)
    assert their_attachment.status_code == 201, their_attachment.text
    attachment_id = their_attachment.json()["id"]

    assert_problem(api.get(f"/attachments/{attachment_id}"), 404)
    assert_problem(api.delete(f"/attachments/{attachment_id}"), 404)
    assert api.get("/attachments", params={"filter": f"id:{attachment_id}"}).json() == []
    # Their file and customer are no more ours to attach than ids that do not exist.
    assert set(invalid_fields(api.post("/attachments", json=body))) == {"fileId", "relatedId"}
    as_organization = {
        "fileId": upload(api, images.jpeg())["id"],
        "relatedType": "organization",
        "relatedId": other_tenant.organization_id,
    }
    assert list(invalid_fields(api.post("/attachments", json=as_organization))) == ["relatedId"]
    assert_problem(api.get(f"/organizations/{other_tenant.organization_id}/attachments"), 403)
    # The same id chosen by us is an attachment of our own, not theirs replaced.
    mine = {**as_organization, "relatedId": tenant.organization_id}
    assert api.put(f"/attachments/{attachment_id}", json=mine).status_code == 201
    assert _total(api) == 1
    intact = client.get(f"/attachments/{attachment_id}", headers=theirs).json()
    assert (intact["fileId"], intact["relatedId"], intact["revision"]) == (
        their_file["id"],
        their_customer["id"],
        0,
    )


def test_attachments_need_a_secret_key(client: TestClient) -> None:
    assert_problem(client.get("/attachments"), 401)
    assert_problem(client.post("/attachments", json={}), 401)


def test_served_document_has_the_operations_and_the_stored_types(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operations = {
        (path, method): operation["operationId"]
        for path, item in document["paths"].items()
        if path.startswith("/attachments")
        for method, operation in item.items()
    }
    assert operations == {
        ("/attachments", "get"): "GetAttachmentCollection",
        ("/attachments", "post"): "PostAttachment",
        ("/attachments/{id}", "get"): "GetAttachment",
        ("/attachments/{id}", "put"): "PutAttachment",
        ("/attachments/{id}", "delete"): "DeleteAttachment",
    }
    schema = document["components"]["schemas"]["AttachmentIn"]
    assert schema["required"] == ["fileId", "relatedType", "relatedId"]
    assert schema["properties"]["relatedType"]["enum"] == ["customer", "organization"]
    put = document["paths"]["/attachments/{id}"]["put"]["responses"]
    assert set(put) >= {"200", "201", "404", "422"}
    assert "Location" in put["201"]["headers"]
