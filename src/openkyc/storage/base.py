from __future__ import annotations

from typing import Protocol
from urllib.parse import urlparse
from urllib.request import url2pathname


class StoredObjectMissing(Exception):
    """The bytes of a key are not in storage."""


class Storage(Protocol):
    """Bytes by key. ``put`` is atomic: a reader sees all of an object or none of it."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def storage_from_url(url: str) -> Storage:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        from openkyc.storage.local import LocalStorage

        return LocalStorage(url2pathname(parsed.path))
    raise ValueError(f"unsupported storage URL {url!r}: use file:///path")
