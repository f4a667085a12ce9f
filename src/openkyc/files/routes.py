from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from openkyc.db.models import File
from openkyc.files import service
from openkyc.files.content import FILE_TYPES, JPEG
from openkyc.files.forms import read_upload
from openkyc.files.schemas import (
    FileCreateFromInline,
    FileCreateFromUrl,
    FileFields,
    FileIn,
    FileOut,
    Upload,
    tags_item_schema,
)
from openkyc.files.views import file_out
from openkyc.flows import files as flows
from openkyc.web.collections import Collection, Fields, member_response, page_response
from openkyc.web.deps import (
    AppSettings,
    AppStorage,
    RequestLinks,
    ResourceIdPath,
    SecretKeyAuth,
    Session,
    UploadAuth,
)
from openkyc.web.links import Links
from openkyc.web.routing import OneHopRoute, credentials_first

# Uploads carry the file in the body: the app's body limit lets POST /files take up to
# OPENKYC_MAX_FILE_BYTES (in base64 and with fields), every other route 1 MiB.
router = APIRouter(prefix="/files", tags=["Files"], route_class=OneHopRoute)


async def _upload(request: Request) -> Upload:
    """The upload, decoded only once the credentials are checked (a caller without them is
    refused before the work of decoding up to the upload limit)."""
    await credentials_first(request)
    return await read_upload(request)


UploadBody = Annotated[Upload, Depends(_upload)]
ImageSize = Annotated[
    str | None,
    Query(
        alias="imageSize",
        description="`WxH` (10..2000 each): an image scaled down to fit, aspect kept. "
        "Any other value gives the original; ignored for PDFs.",
    ),
]


def _out(file: File, links: Links) -> FileOut:
    return file_out(file, links)


def _upload_openapi() -> dict[str, Any]:
    form = FileFields.model_json_schema()
    form["properties"]["file"] = {"type": "string", "format": "binary"}
    # A form sends one `tags` part per tag: a single part is a single string.
    tags = form["properties"]["tags"]
    form["properties"]["tags"] = {"anyOf": [*tags.get("anyOf", [tags]), tags_item_schema()]}
    form["required"] = ["file"]
    binary = {"schema": {"type": "string", "format": "binary"}}
    raw_types = ["application/octet-stream", *(t.mime for t in FILE_TYPES)]
    json_forms = [FileCreateFromInline.model_json_schema(), FileCreateFromUrl.model_json_schema()]
    return {
        "security": [{"SecretApiKey": []}, {"JWT": []}, {"PublishableApiKey": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"oneOf": json_forms}},
                "multipart/form-data": {"schema": form},
                **dict.fromkeys(raw_types, binary),
            },
        },
    }


_DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes, with its media type.",
        "content": {t.mime: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES},
        "headers": {
            "Content-Disposition": {"schema": {"type": "string"}},
            "Content-Length": {"schema": {"type": "integer"}},
        },
    }
}


@router.get("", operation_id="GetFileCollection", response_model=list[FileOut])
def list_files(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection, fields: Fields
) -> JSONResponse:
    """Files of the organization, filtered, sorted and paginated."""
    files, total = service.page(session, auth.organization_id, query)
    return page_response([_out(f, links) for f in files], total, query, fields)


@router.post(
    "",
    operation_id="PostFile",
    status_code=201,
    response_model=FileOut,
    openapi_extra=_upload_openapi(),
)
def upload_file(
    auth: UploadAuth,
    upload: UploadBody,
    session: Session,
    storage: AppStorage,
    settings: AppSettings,
    links: RequestLinks,
) -> JSONResponse:
    """Upload a file: as JSON with the bytes in base64 (`file`) or a `url` the server fetches,
    as `multipart/form-data` with a `file` part, or as the raw body with any content type.
    The type is read from the bytes: JPEG, PNG, GIF, WebP, HEIC/HEIF or PDF. A publishable
    key can only create private files."""
    file = service.upload(session, storage, settings, auth, upload)
    out = _out(file, links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("/{id}", operation_id="GetFile", response_model=FileOut)
def get_file(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath
) -> JSONResponse:
    """One file's record."""
    return member_response(_out(service.get(session, auth.organization_id, id), links))


@router.put("/{id}", operation_id="PutFile", response_model=FileOut)
def put_file(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, id: ResourceIdPath, body: FileIn
) -> JSONResponse:
    """Change a file's name, description, tags, sourceType or isPublic; fields left out stay
    as they are. The bytes of a file never change: upload a new file instead."""
    return member_response(_out(service.update(session, auth.organization_id, id, body), links))


@router.delete("/{id}", operation_id="DeleteFile", status_code=204)
def delete_file(
    auth: SecretKeyAuth, session: Session, storage: AppStorage, id: ResourceIdPath
) -> Response:
    """Delete a file's record, and its bytes once the deletion is committed. The file's
    attachments go with it: an attachment never points at a missing file. A file that is the
    evidence of a KYC document is refused (422): it stays as long as the document does."""
    flows.delete_file(session, storage, auth.organization_id, id)
    return Response(status_code=204)


@router.get(
    "/{id}/download",
    operation_id="GetFileDownload",
    response_class=Response,
    responses=_DOWNLOAD_RESPONSES,
)
def download_file(
    auth: SecretKeyAuth,
    session: Session,
    storage: AppStorage,
    settings: AppSettings,
    id: ResourceIdPath,
    image_size: ImageSize = None,
) -> Response:
    """The file's bytes, with its media type and name."""
    file = service.get(session, auth.organization_id, id)
    return _file_response(file, service.download(storage, file, image_size, settings))


@router.get(
    "/{id}/permalink",
    operation_id="GetFilePermalink",
    response_class=Response,
    responses=_DOWNLOAD_RESPONSES,
    openapi_extra={"security": []},
)
def download_public_file(
    session: Session,
    storage: AppStorage,
    settings: AppSettings,
    id: ResourceIdPath,
    organization_id: Annotated[str, Query(alias="organizationId", max_length=50)],
    signature: Annotated[str, Query(max_length=128)],
    image_size: ImageSize = None,
) -> Response:
    """A public file's bytes without credentials: the `permalink` of a file with `isPublic`.
    It stops working as soon as the file is made private or deleted."""
    file = service.public_file(session, settings.verifying_keys, organization_id, id, signature)
    return _file_response(file, service.download(storage, file, image_size, settings))


def _file_response(file: File, download: service.Download) -> Response:
    converted = download.media_type != file.mime and download.media_type == JPEG.mime
    name = _download_name(file.name or file.id, JPEG.extension if converted else file.extension)
    headers = {
        "Content-Disposition": _content_disposition(name),
        "Content-Length": str(download.length),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if isinstance(download.content, bytes):
        return Response(download.content, media_type=download.media_type, headers=headers)
    return StreamingResponse(download.content, media_type=download.media_type, headers=headers)


def _download_name(name: str, extension: str) -> str:
    """The client's name with the extension of what the bytes are: a saved download never
    opens as something else (`evil.html` holding a PNG is saved as `evil.png`)."""
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return f"{stem}.{extension}"


def _content_disposition(name: str) -> str:
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
