from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.parse import urlparse
from urllib.request import url2pathname

# Downloads are sent in pieces of this size: a large file never sits whole in memory.
CHUNK_BYTES = 256 * 1024


class StoredObjectMissing(Exception):
    """The bytes of a key are not in storage."""


class StorageUnavailable(OSError):
    """The storage could not be reached or refused to work (an outage, a time-out, a
    misconfigured bucket); retrying later may pass. An ``OSError``, as a failing disk's are."""


@dataclass(frozen=True)
class StoredObject:
    """An object as a listing shows it: its key, size and when it was last written."""

    key: str
    size: int
    modified: datetime


class Storage(Protocol):
    """Bytes by key. ``put`` is atomic: a reader sees all of an object or none of it."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def open(self, key: str) -> Iterator[bytes]:
        """The object's bytes in pieces. Raises `StoredObjectMissing` at once, before the
        first piece, when there is no such object; closing the iterator frees what it holds."""
        ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def check(self) -> None:
        """Raise when the storage cannot be reached (readiness)."""
        ...

    def listing(self) -> Iterator[StoredObject]:
        """Every object, temporary ones included, in no particular order."""
        ...


@dataclass(frozen=True)
class S3Options:
    """How to reach an S3-compatible service; empty values fall back to the AWS defaults
    (environment variables, shared configuration, instance roles)."""

    endpoint_url: str = ""
    region: str = ""
    access_key_id: str = ""
    secret_access_key: str = field(default="", repr=False)
    addressing_style: str = "auto"
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


def storage_from_url(url: str, s3: S3Options | None = None) -> Storage:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        from openkyc.storage.local import LocalStorage

        return LocalStorage(url2pathname(parsed.path))
    if parsed.scheme == "s3" and parsed.netloc:
        from openkyc.storage.s3 import S3Storage

        return S3Storage(parsed.netloc, parsed.path.strip("/"), s3 or S3Options())
    raise ValueError(f"unsupported storage URL {url!r}: use file:///path or s3://bucket/prefix")


def checked_key(key: str) -> str:
    """Keys are relative paths of plain segments, the same on every storage."""
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"storage key {key!r} is not a plain relative path")
    return key
