from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from openkyc.storage.base import CHUNK_BYTES, StoredObject, StoredObjectMissing, checked_key


class LocalStorage:
    """Files under a folder, written to a temporary name and renamed into place."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / checked_key(key)).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key {key!r} leaves the storage folder")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise StoredObjectMissing(key) from error

    def open(self, key: str) -> Iterator[bytes]:
        try:
            stream = self._path(key).open("rb")
        except FileNotFoundError as error:
            raise StoredObjectMissing(key) from error
        return _pieces(stream)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def check(self) -> None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise OSError(f"the storage folder {self.root} is not writable")

    def keys(self) -> list[str]:
        """Every file under the folder, temporary uploads included, as keys."""
        return sorted(found.key for found in self.listing())

    def listing(self) -> Iterator[StoredObject]:
        for path in self.root.rglob("*"):
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed while the folder was walked
                continue
            if path.is_file():
                modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                yield StoredObject(path.relative_to(self.root).as_posix(), stat.st_size, modified)


def _pieces(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while piece := stream.read(CHUNK_BYTES):
            yield piece
