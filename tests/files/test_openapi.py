"""The served OpenAPI document describes what the files endpoints really accept and answer."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_upload_documents_every_form_and_every_credential(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    post = document["paths"]["/files"]["post"]
    assert post["operationId"] == "PostFile"
    assert post["security"] == [{"SecretApiKey": []}, {"JWT": []}, {"PublishableApiKey": []}]
    content = post["requestBody"]["content"]
    assert [s["title"] for s in content["application/json"]["schema"]["oneOf"]] == [
        "FileCreateFromInline",
        "FileCreateFromUrl",
    ]
    form = content["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert form["properties"]["file"] == {"type": "string", "format": "binary"}
    assert set(form["properties"]) == {
        "file",
        "name",
        "description",
        "tags",
        "sourceType",
        "isPublic",
    }
    assert {"application/octet-stream", "image/jpeg", "image/heic", "application/pdf"} <= set(
        content
    )
    assert set(post["responses"]) >= {"201", "401", "403", "413", "422", "429"}


def test_files_operations_and_download_media_types(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operations = {
        (path, method): operation["operationId"]
        for path, item in paths.items()
        if path.startswith("/files")
        for method, operation in item.items()
    }
    assert operations == {
        ("/files", "get"): "GetFileCollection",
        ("/files", "post"): "PostFile",
        ("/files/{id}", "get"): "GetFile",
        ("/files/{id}", "put"): "PutFile",
        ("/files/{id}", "delete"): "DeleteFile",
        ("/files/{id}/download", "get"): "GetFileDownload",
        ("/files/{id}/permalink", "get"): "GetFilePermalink",
    }
    download = paths["/files/{id}/download"]["get"]
    assert set(download["responses"]["200"]["content"]) == {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
        "image/heif",
        "application/pdf",
    }
    assert paths["/files/{id}/permalink"]["get"]["security"] == []
