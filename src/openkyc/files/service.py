"""Rules for files: bytes are checked in full before anything is written, and stored bytes
never outlive a rolled-back upload nor vanish before the commit that deletes their record."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkyc.config import Settings
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import File
from openkyc.errors import Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from openkyc.files.content import (
    FILE_TYPES,
    ContentRefused,
    decode_budget,
    inspect_content,
    parse_image_size,
    resized_image,
)
from openkyc.files.fetch import FetchPolicy, FetchRefused, fetch_url
from openkyc.files.repository import FileRepository
from openkyc.files.schemas import FileIn, Upload
from openkyc.principal import Principal
from openkyc.storage import Storage
from openkyc.storage.transactional import delete_after_commit, put_until_rollback


def upload(
    session: Session, storage: Storage, settings: Settings, uploader: Principal, upload: Upload
) -> File:
    """A file a client uploads. Only a secret key makes a public file; a customer's uploads
    are marked as theirs (what their documents may show)."""
    if upload.fields.isPublic and uploader.key_type != "secret":
        raise Forbidden("A publishable key can only create private files")
    organization_id, customer_id = uploader.organization_id, uploader.customer_id
    return create(session, storage, settings, organization_id, upload, customer_id=customer_id)


def create(
    session: Session,
    storage: Storage,
    settings: Settings,
    organization_id: str,
    upload: Upload,
    *,
    customer_id: str | None = None,
) -> File:
    """Record an upload: fetch it if it is a URL, check it, store the bytes, add the row.
    ``customer_id`` records the customer who uploaded it with a customer token."""
    data, filename = _bytes_of(upload, settings)
    try:
        content = inspect_content(data, settings.max_image_pixels, settings.upload_decode_bytes)
    except ContentRefused as refused:
        raise ValidationFailed.field(upload.source_field, str(refused)) from refused
    file = File(
        id=new_id("file"),
        organization_id=organization_id,
        revision=0,
        name=filename,
        description="",
        is_public=False,
        extension=content.type.extension,
        mime=content.type.mime,
        size=content.size,
        sha1=content.sha1,
        width=content.width,
        height=content.height,
        exif=content.metadata,
        customer_id=customer_id,
    )
    file.storage_key = f"{organization_id}/{file.id}"
    file.assign(upload.fields.values())
    put_until_rollback(session, storage, file.storage_key, data)
    return FileRepository(session, organization_id).add(file)


def _bytes_of(upload: Upload, settings: Settings) -> tuple[bytes, str]:
    if upload.url is not None:
        try:
            fetched = fetch_url(upload.url, FetchPolicy.from_settings(settings))
        except FetchRefused as refused:
            raise ValidationFailed.field("url", str(refused)) from refused
        return fetched.data, upload.filename or fetched.filename
    data = upload.data or b""
    if len(data) > settings.max_file_bytes:
        raise PayloadTooLarge(f"The file is larger than {settings.max_file_bytes} bytes")
    return data, upload.filename


def get(session: Session, organization_id: str, file_id: str) -> File:
    file = FileRepository(session, organization_id).get(file_id)
    if file is None:
        raise NotFound.resource("File", file_id)
    return file


def page(session: Session, organization_id: str, query: CollectionQuery) -> tuple[list[File], int]:
    return FileRepository(session, organization_id).page(query)


def update(session: Session, organization_id: str, file_id: str, data: FileIn) -> File:
    """Change what the client sent of name, description, tags, sourceType and isPublic."""
    file = get(session, organization_id, file_id)
    if file.assign(data.values()):
        file.touch()
        session.flush()
    return file


def delete(session: Session, storage: Storage, organization_id: str, file_id: str) -> None:
    file = get(session, organization_id, file_id)
    FileRepository(session, organization_id).delete(file)
    delete_after_commit(session, storage, file.storage_key)


@dataclass(frozen=True)
class Download:
    """What a download sends: the stored bytes in pieces, or a resized image whole."""

    content: Iterator[bytes] | bytes
    media_type: str
    length: int


def download(storage: Storage, file: File, image_size: str | None, settings: Settings) -> Download:
    """The file's bytes and media type; an image scaled to fit ``WxH`` when a valid size is
    asked for (anything else gives the original, as Rebilly does)."""
    box = parse_image_size(image_size)
    file_type = next((t for t in FILE_TYPES if t.mime == file.mime), None)
    if box is None or file.width is None or file_type is None:
        return Download(storage.open(file.storage_key), file.mime, file.size)
    with decode_budget(settings.upload_decode_bytes).reserve(file.width * (file.height or 1) * 4):
        resized, resized_type = resized_image(storage.get(file.storage_key), file_type, box)
    return Download(resized, resized_type.mime, len(resized))


def permalink_signature(secret: str, organization_id: str, file_id: str) -> str:
    message = f"openkyc-file-permalink\0{organization_id}\0{file_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def public_file(
    session: Session, keys: Sequence[str], organization_id: str, file_id: str, signature: str
) -> File:
    """The file a permalink names, if the signature (by any of ``keys``) is right and the file
    is still public."""
    expected = (permalink_signature(key, organization_id, file_id) for key in keys)
    if not any(hmac.compare_digest(e.encode(), signature.encode()) for e in expected):
        raise NotFound.resource("File", file_id)
    file = FileRepository(session, organization_id).get(file_id)
    if file is None or not file.is_public:
        raise NotFound.resource("File", file_id)
    return file


def find(session: Session, organization_id: str, file_id: str) -> File | None:
    """The organization's file, or None (for other domains that check a reference)."""
    return FileRepository(session, organization_id).get(file_id)


def by_id(session: Session, organization_id: str, file_ids: Collection[str]) -> dict[str, File]:
    """The organization's files among these ids, by id (others' ids find nothing)."""
    return FileRepository(session, organization_id).by_id(file_ids)


def move_uploads(session: Session, organization_id: str, customer_id: str, target_id: str) -> None:
    """The files a customer uploaded through the gatherer become the target customer's."""
    for file in FileRepository(session, organization_id).uploaded_by(customer_id):
        file.customer_id = target_id
        file.touch()
    session.flush()


def stored_keys_in_use(session: Session, organization_id: str, keys: Sequence[str]) -> set[str]:
    """Which of these storage keys hold the bytes of one of the organization's files."""
    return FileRepository(session, organization_id).storage_keys_among(keys)
